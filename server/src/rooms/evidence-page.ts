import type { RoomEvidence } from '@hub/protocol';
import { escapeHtml } from '@hub/search';

const STAGE_NAMES: Record<string, string> = {
  first_contact: '初次对接',
  formal_negotiation: '正式洽谈',
  evaluation: '考察评估',
  intent: '达成意向',
  signed: '签约',
  closed: '已结束（未成交）',
};

function entryText(entry: RoomEvidence['entries'][number]): string {
  if (entry.kind === 'stage') return `阶段变更：${STAGE_NAMES[String(entry.data.from)] ?? entry.data.from} → ${STAGE_NAMES[String(entry.data.to)] ?? entry.data.to}`;
  return entry.body;
}

/** The room's record as a printable page (存证导出): every entry with its hashes, and the verification result. Everything from users is escaped. */
export function renderEvidencePage(evidence: RoomEvidence): string {
  const { room, verification } = evidence;
  const rows = evidence.entries
    .map(
      (e) => `<tr><td>${e.seq}</td><td>${escapeHtml(e.createdAt)}</td><td>${escapeHtml(e.author?.name ?? '系统')}</td>` +
        `<td class="text">${escapeHtml(entryText(e))}${e.replyToSeq ? ` <span class="reply">（回复 #${e.replyToSeq}）</span>` : ''}</td>` +
        `<td class="hash">${escapeHtml(e.prevHash)}<br>${escapeHtml(e.hash)}</td></tr>`,
    )
    .join('\n');
  const verdict = verification.ok
    ? `<p class="ok">哈希链校验通过：${verification.checked} 条记录完整、未被篡改。 / The hash chain verifies: ${verification.checked} entries, unaltered.</p>`
    : `<p class="broken">哈希链校验失败：第 ${verification.firstBroken?.seq} 条（${escapeHtml(verification.firstBroken?.reason ?? '')}）。 / The hash chain is broken at entry ${verification.firstBroken?.seq}.</p>`;
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
<table><thead><tr><th>序号</th><th>时间</th><th>发送方</th><th>内容</th><th>前一哈希 / 本条哈希</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>`;
}
