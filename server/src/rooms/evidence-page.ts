import type { ChainBreak, RoomEvidence } from '@hub/protocol';
import { escapeHtml } from '@hub/search';

const STAGE_NAMES: Record<string, string> = {
  first_contact: '初次对接',
  formal_negotiation: '正式洽谈',
  evaluation: '考察评估',
  intent: '达成意向',
  signed: '签约',
  closed: '已结束（未成交）',
};

const SIDE_NAMES: Record<string, string> = { supply: '供方', demand: '需方' };
const ROLE_NAMES: Record<string, string> = { broker: '技术经纪人', staff: '平台工作人员' };
const PARTICIPANT_ACTIONS: Record<string, string> = { joined: '加入洽谈', left: '离开洽谈', removed: '被移出洽谈' };
const PROPOSAL_ACTIONS: Record<string, string> = { proposed: '提议', withdrawn: '撤回提议：', declined: '拒绝对方提议：' };
const MODERATION_ACTIONS: Record<string, string> = { hide: '隐藏消息', mute: '禁言', freeze: '冻结洽谈室', unfreeze: '解除冻结' };

/** Why a record does not hold, for its reader. */
const BREAKS: Record<ChainBreak['reason'], string> = {
  hash_mismatch: '内容与其哈希不符',
  prev_hash_mismatch: '与前一条记录的链接断开',
  sequence_gap: '有记录缺失',
  truncated: '平台签名检查点所及的记录已被删除',
  rehashed: '平台签名检查点处的记录已被改写并重新计算哈希',
};

type Entry = RoomEvidence['entries'][number];
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));
const terms = (value: unknown) => JSON.stringify(value ?? {}, null, 1);

/** What each kind of entry says, in words a reader of the printed record understands; `data` is shown as recorded. */
const ENTRY_TEXT: Record<Entry['kind'], (entry: Entry) => string> = {
  message: (e) => e.body + (e.hidden ? `\n〔已被平台隐藏：${e.hidden.reason}〕` : ''),
  opened: (e) => (e.data.byStaff ? `平台开启洽谈室：${text(e.data.reason)}` : `匹配确认，洽谈室开启（匹配 ${text(e.data.matchId)}）`),
  file: (e) => {
    const file = (e.data.file ?? {}) as Record<string, unknown>;
    return `附件：${text(file.name)}（${text(file.size)} 字节，${text(file.mime)}）\nSHA-256：${text(file.sha256)}` + (e.hidden ? `\n〔已被平台隐藏：${e.hidden.reason}〕` : '');
  },
  participant: (e) =>
    `${ROLE_NAMES[text(e.data.role)] ?? text(e.data.role)} ${text(e.data.name)}${e.data.organizationName ? `（${text(e.data.organizationName)}）` : ''} ` +
    `${PARTICIPANT_ACTIONS[text(e.data.action)] ?? text(e.data.action)}` +
    (e.data.side ? `（${SIDE_NAMES[text(e.data.side)]}邀请）` : '') +
    (e.data.note || e.data.reason ? `：${text(e.data.note || e.data.reason)}` : ''),
  stage: (e) => {
    const [from, to, side] = [STAGE_NAMES[text(e.data.from)] ?? text(e.data.from), STAGE_NAMES[text(e.data.to)] ?? text(e.data.to), SIDE_NAMES[text(e.data.side)] ?? ''];
    if (e.data.action) return `${side}${PROPOSAL_ACTIONS[text(e.data.action)] ?? text(e.data.action)}进入“${to}”${e.data.proposalSeq ? `（#${text(e.data.proposalSeq)} 的提议）` : '，待对方确认'}`;
    return `阶段变更：${from} → ${to}${e.data.confirms ? `（${side}确认 #${text(e.data.confirms)} 的提议）` : ''}`;
  },
  offer: (e) =>
    e.data.action === 'lapsed'
      ? `第 ${text(e.data.version)} 版条款已过有效期（${text(e.data.validUntil)}），失效`
      : `${SIDE_NAMES[text(e.data.side)] ?? ''}提出第 ${text(e.data.version)} 版条款${e.data.previousId ? '（还价）' : ''}：\n${terms(e.data.terms)}`,
  agreement: (e) => `双方接受条款，达成意向：\n${terms(e.data.terms)}`,
  moderation: (e) => `${MODERATION_ACTIONS[text(e.data.action)] ?? text(e.data.action)}${e.data.seq ? ` #${text(e.data.seq)}` : ''}${e.data.until ? ` 至 ${text(e.data.until)}` : ''}：${text(e.data.reason)}`,
};

/** What a party's export says of an entry staff hid: that it was there, why it was hidden, and the hash that stands for its content. */
const withheldText = (e: Entry) => `〔已被平台隐藏，内容不予导出 / hidden by staff：${e.hidden?.reason ?? ''}〕\n内容哈希 / content hash：${e.contentHash}`;

/** The room's record as a printable page (存证导出): every entry with its hashes, and the verification result. Everything from users is escaped. */
export function renderEvidencePage(evidence: RoomEvidence): string {
  const { room, verification } = evidence;
  const rows = evidence.entries
    .map(
      (e) => `<tr><td>${e.seq}</td><td>${escapeHtml(e.createdAt)}</td><td>${escapeHtml(e.author?.name ?? '系统')}</td>` +
        `<td class="text">${escapeHtml(e.withheld ? withheldText(e) : ENTRY_TEXT[e.kind](e))}${e.replyToSeq ? ` <span class="reply">（回复 #${e.replyToSeq}）</span>` : ''}</td>` +
        `<td class="hash">${escapeHtml(e.prevHash)}<br>${escapeHtml(e.hash)}</td></tr>`,
    )
    .join('\n');
  const broken = verification.firstBroken;
  const verdict = broken
    ? `<p class="broken">哈希链校验失败：第 ${broken.seq} 条，${BREAKS[broken.reason]}。 / The record does not hold at entry ${broken.seq}: ${broken.reason}.</p>`
    : `<p class="ok">哈希链校验通过：${verification.checked} 条记录完整、未被篡改。 / The hash chain verifies: ${verification.checked} entries, unaltered.</p>`;
  const checkpoint = verification.checkpoint
    ? `<p>已对照平台签名检查点（第 ${verification.checkpoint.seq} 条，${escapeHtml(verification.checkpoint.at)}，哈希 <span class="hash">${escapeHtml(verification.checkpoint.head)}</span>）。 / Held against the platform's signed checkpoint of entry ${verification.checkpoint.seq}.</p>`
    : '<p>尚无签名检查点（平台每分钟为有新记录的洽谈室签发一次）。 / No signed checkpoint yet (the platform signs one a minute for rooms with new entries).</p>';
  const forged = verification.forgedCheckpoints
    ? `<p class="broken">发现 ${verification.forgedCheckpoints} 个签名无效的检查点，已忽略。 / ${verification.forgedCheckpoints} checkpoints with an invalid signature were ignored.</p>`
    : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>洽谈记录存证 · ${escapeHtml(room.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border:1px solid #999;padding:4px;vertical-align:top;text-align:left}.hash{font-family:monospace;font-size:10px;word-break:break-all;width:30%}
.text{white-space:pre-wrap}.ok{color:#064}.broken{color:#a00;font-weight:bold}@media print{body{margin:0}}
</style></head><body>
<h1>洽谈记录存证 / Negotiation record</h1>
<p>${escapeHtml(room.title)} · ${escapeHtml(room.supply.name)} ↔ ${escapeHtml(room.demand.name)} · 阶段：${escapeHtml(STAGE_NAMES[room.stage] ?? room.stage)}</p>
<p>房间 ${escapeHtml(room.id)} · 导出时间 ${escapeHtml(evidence.exportedAt)}</p>
${verdict}
${checkpoint}
${forged}
<table><thead><tr><th>序号</th><th>时间</th><th>发送方</th><th>内容</th><th>前一哈希 / 本条哈希</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>`;
}
