// The negotiation journey in real Chromium (对接洽谈 → 意向条款 → 达成意向): a match confirmed by both
// sides opens a room; the supplier (desktop) and the demander (a 360 px phone) negotiate in it live:
// messages with typing, presence, unread counts and read receipts; the demander proposes terms, the
// supplier counters, the demander counters back, the supplier accepts; both see 已达成意向 with the
// exact terms and the stage 达成意向 without a reload; a dropped connection loses and repeats nothing.
// A long record opens at the first unread message and loads backwards. Staff observe a room:
// read-only, a message hidden and the room frozen, each seen live by the parties. A party invites a
// technology broker, whom the other party sees join live and who writes in the room.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildListingContent, registerApprovedMember, signInStaff, TEST_PASSWORD } from '../server/test/factories.ts';
import { appendRoomEntry } from '../server/src/rooms/record.ts';
import { buildRoom } from '../server/test/room-factory.ts';
import {
  collectPageErrors,
  createStaff,
  documentMarker,
  type E2E,
  LIVE_TIMEOUT,
  loginThroughUi,
  markDocument,
  startE2E,
  trackLiveSocket,
} from './support.ts';

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
const APPROVE = { decision: 'approve', checklist: { no_classified_content: true, true_and_accurate: true, current_and_valid: true } };
/** expect.poll's own default (1 s) is too short for a push on a loaded machine. */
const LIVE = { timeout: LIVE_TIMEOUT, interval: 100 };
/** Indexing and matching in the worker before a listing is settled: generous on a loaded machine. */
const MATCH_TIMEOUT = 30_000;

let e: E2E;
/** Room files of this spec, apart from everything else on the disk. */
let filesDir: string;

beforeAll(async () => {
  filesDir = await mkdtemp(path.join(tmpdir(), 'hub-e2e-files-'));
  e = await startE2E({ FILES_DIR: filesDir });
});
afterAll(async () => {
  await e?.close();
  if (filesDir) await rm(filesDir, { recursive: true, force: true });
});

type Member = Awaited<ReturnType<typeof registerApprovedMember>>;

const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
const roomPage = (page: Page) => page.getByTestId('room-page');
const messageEntry = (page: Page, text: string) => page.locator('[data-testid="entry"][data-kind="message"]').filter({ hasText: text });
const attr = (locator: Locator, name: string) => locator.getAttribute(name);

/** Publishes a listing through the API, approved by a reviewer; returns its id. */
async function publish(member: Member, reviewer: Awaited<ReturnType<typeof signInStaff>>, side: 'supply' | 'demand', content: Parameters<typeof buildListingContent>[0]) {
  const created = await member.client.post('/api/listings', { side, content: buildListingContent(content), submit: true });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.id as string;
  expect((await reviewer.client.post(`/api/review/listings/${id}/decision`, APPROVE)).status).toBe(200);
  return id;
}

/**
 * The way to a room: both listings published and a match between them (the matcher's own, or else
 * one staff recommend by hand). The room opens once both sides answer 感兴趣 (`confirmMatch`).
 */
async function prepareMatch(supplier: Member, demander: Member, tag: string): Promise<string> {
  const reviewer = await signInStaff(e.t.ctx.db, e.t.baseUrl, 'reviewer');
  const supplyId = await publish(supplier, reviewer, 'supply', {
    kind: 'achievement',
    title: `高通量细胞筛选微流控芯片 ${tag}`,
    summary: '一种用于高通量单细胞筛选的微流控芯片及其制备方法，通量高、试剂消耗少，适用于抗体发现与细胞治疗研发。',
    keywords: ['微流控', '单细胞', '高通量筛选'],
    industries: ['biomedicine'],
  });
  const demandId = await publish(demander, reviewer, 'demand', {
    kind: 'tech_need',
    title: `抗体药物早期发现单细胞筛选平台需求 ${tag}`,
    summary: '我公司从事抗体药物研发，需要一套高通量单细胞筛选方案，用于缩短先导抗体发现周期，可采用技术许可或合作开发。',
    keywords: ['单细胞筛选', '抗体发现', '微流控'],
    industries: ['biomedicine'],
    ip: [],
  });
  // Let the matcher finish with both first, so a hand-made match cannot race an automatic one.
  await expect
    .poll(async () => {
      const rows = await e.t.ctx.db.listing.findMany({ where: { id: { in: [supplyId, demandId] } }, select: { revision: true, matchedRevision: true } });
      return rows.filter((r) => r.matchedRevision === r.revision).length;
    }, { timeout: MATCH_TIMEOUT, interval: 200 })
    .toBe(2);
  let match = await e.t.ctx.db.match.findFirst({ where: { supplyListingId: supplyId, demandListingId: demandId } });
  if (!match) {
    const recommended = await reviewer.client.post('/api/staff/matches', { supplyListingId: supplyId, demandListingId: demandId, note: '双方技术方向一致，建议对接。' });
    expect(recommended.status, JSON.stringify(recommended.body)).toBe(201);
    match = await e.t.ctx.db.match.findUniqueOrThrow({ where: { id: recommended.body.id } });
  }
  return match.id;
}

/** Both sides say 感兴趣 (through the API): the match is confirmed and its room opens. */
async function confirmMatch(matchId: string, supplier: Member, demander: Member) {
  for (const member of [supplier, demander]) {
    const answered = await member.client.post(`/api/matches/${matchId}/response`, { response: 'interested' });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
  }
  return e.t.ctx.db.negotiationRoom.findFirstOrThrow({ where: { matchId } });
}

/** Drops a user's socket connections at the server, as a network failure would (the client reconnects by itself). */
function dropConnections(userId: string) {
  for (const socket of e.t.hub.io.of('/').sockets.values()) {
    if (socket.data.actor?.userId === userId) socket.conn.close();
  }
}

/** Fills the offer form that is open on the page. */
async function fillOffer(page: Page, terms: { mode: string; price: string; paymentTerms: string; scope: string; ipOwnership: string; milestones: [string, string, string][] }) {
  const form = page.getByTestId('offer-form');
  await form.waitFor();
  await form.getByTestId('of-mode').selectOption(terms.mode);
  await form.getByTestId('of-price').fill(terms.price);
  await form.getByTestId('of-payment-terms').fill(terms.paymentTerms);
  for (const [i, [title, due, percent]] of terms.milestones.entries()) {
    await form.getByTestId('milestone-add').click();
    await page.locator(`#of-milestones-${i}-title`).fill(title);
    await page.locator(`#of-milestones-${i}-due`).fill(due);
    await page.locator(`#of-milestones-${i}-paymentPercent`).fill(percent);
  }
  await form.getByTestId('of-scope').fill(terms.scope);
  await form.getByTestId('of-ip-ownership').selectOption(terms.ipOwnership);
}

/** A China-time day `days` from now (YYYY-MM-DD). */
const chinaDay = (days: number) => new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

describe('negotiation rooms (browser)', () => {
  it('two parties message live, counter each other’s terms and both see the agreement and 达成意向 without a reload', async () => {
    const tag = randomBytes(4).toString('hex');
    const supplier = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl, { organization: { type: 'university', enterpriseSize: undefined } });
    const demander = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const matchId = await prepareMatch(supplier, demander, tag);

    const supplierContext = await e.newContext({ viewport: DESKTOP });
    const demanderContext = await e.newContext({ viewport: PHONE });
    try {
      // 1. The demander, on a phone, has 洽谈室 open (no room yet); the match is confirmed and the
      // room appears in the list live.
      const b = await demanderContext.newPage();
      const bErrors = collectPageErrors(b);
      const bLive = trackLiveSocket(b);
      await loginThroughUi(b, demander.input.user.email, TEST_PASSWORD, '/organization');
      await b.getByTestId('nav-rooms').click();
      await b.waitForURL((url) => url.pathname === '/rooms');
      await b.getByTestId('rooms-empty').waitFor();
      await bLive.connected();
      const bListDocument = await markDocument(b);
      const room = await confirmMatch(matchId, supplier, demander);
      expect(room.stage).toBe('first_contact');
      const bRow = b.locator(`[data-testid="room-row"][data-room-id="${room.id}"]`);
      await bRow.waitFor();
      expect(await bRow.getByTestId('room-counterpart').textContent()).toContain(supplier.input.organization.name);
      expect(await bRow.getByTestId('room-stage').textContent()).toBe('初次对接');
      expect(await attr(bRow, 'data-unread')).toBe('0');
      expect(await documentMarker(b)).toBe(bListDocument);
      expect(await scrollWidth(b)).toBeLessThanOrEqual(PHONE.width);

      // 2. The supplier signs in, finds the room under 洽谈室 and opens it (joined over the socket).
      const a = await supplierContext.newPage();
      const aErrors = collectPageErrors(a);
      const aLive = trackLiveSocket(a);
      await loginThroughUi(a, supplier.input.user.email, TEST_PASSWORD, '/organization');
      await a.getByTestId('nav-rooms').click();
      await a.waitForURL((url) => url.pathname === '/rooms');
      const aRow = a.locator(`[data-testid="room-row"][data-room-id="${room.id}"]`);
      await aRow.waitFor();
      expect(await aRow.getByTestId('room-counterpart').textContent()).toContain(demander.input.organization.name);
      expect(await aRow.getByTestId('room-stage').textContent()).toBe('初次对接');
      await aLive.connected();
      await aRow.getByTestId('room-link').click();
      await a.waitForURL((url) => url.pathname === `/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(a), 'data-joined'), LIVE).toBe('true');
      expect(await a.getByTestId('room-title').textContent()).toBe(room.title);
      expect(await a.locator('[data-testid="entry"][data-kind="opened"]').count()).toBe(1);
      expect(await attr(a.locator('[data-testid="stage-step"][data-stage="first_contact"]'), 'data-state')).toBe('current');
      const aDocument = await markDocument(a);

      // 3. The supplier writes (Enter sends): the demander's list counts it as unread, live.
      const first = `您好，我们的微流控芯片可满足贵方的单细胞筛选需求 ${tag}`;
      await a.getByTestId('composer-input').fill(first);
      await a.getByTestId('composer-input').press('Enter');
      await messageEntry(a, first).waitFor();
      expect(await a.getByTestId('composer-input').inputValue()).toBe('');
      await expect.poll(() => attr(bRow, 'data-unread'), LIVE).toBe('1');
      expect(await documentMarker(b)).toBe(bListDocument);

      // 4. The demander opens the room: the message below the unread divider; the supplier sees them online.
      await bRow.getByTestId('room-link').click();
      await b.waitForURL((url) => url.pathname === `/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(b), 'data-joined'), LIVE).toBe('true');
      const bFirst = messageEntry(b, first);
      await bFirst.waitFor();
      await b.getByTestId('unread-divider').waitFor();
      expect(await attr(bFirst, 'data-mine')).toBe('false');
      await b.getByTestId('entry-list').scrollIntoViewIfNeeded();
      await expect.poll(() => attr(a.getByTestId('presence'), 'data-online'), LIVE).toBe('1');
      expect(await a.getByTestId('presence').textContent()).toContain(demander.input.user.name);
      // …and, once the demander's phone has shown it, the supplier's message reads 已读.
      await messageEntry(a, first).getByTestId('entry-read').waitFor();
      expect(await messageEntry(a, first).getByTestId('entry-read').textContent()).toBe('已读');
      const bDocument = await markDocument(b);
      expect(await scrollWidth(b)).toBeLessThanOrEqual(PHONE.width);

      // 5. The supplier types: the demander sees 对方正在输入…; the message then arrives live.
      const second = `可以先安排一次技术交流吗？\n我们下周二、周三都方便。${tag}`;
      await a.getByTestId('composer-input').pressSequentially('可以先');
      await expect.poll(() => b.getByTestId('typing-indicator').textContent(), LIVE).toContain('对方正在输入…');
      await a.getByTestId('composer-input').fill(second);
      await a.getByTestId('composer-send').click();
      const bSecond = messageEntry(b, '我们下周二、周三都方便');
      await bSecond.waitFor();
      expect(await bSecond.getByTestId('entry-body').textContent()).toBe(second);
      const seqs = await b.locator('[data-testid="entry"]').evaluateAll((nodes) => nodes.map((n) => Number((n as HTMLElement).dataset.seq)));
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
      await expect.poll(() => b.getByTestId('typing-indicator').textContent(), LIVE).toBe('');
      expect(await documentMarker(b)).toBe(bDocument);

      // The demander's connection drops (and stays down): the supplier writes meanwhile, and the
      // demander writes too (held as pending). Back online, the page catches up from the last entry
      // it held and resends the pending message with its key: each message exactly once, in order.
      await demanderContext.setOffline(true);
      dropConnections(demander.userId);
      await b.getByTestId('connection-lost').waitFor();
      const missed = `补充：芯片样品可先寄送试用 ${tag}`;
      await a.getByTestId('composer-input').fill(missed);
      await a.getByTestId('composer-input').press('Enter');
      await messageEntry(a, missed).waitFor();
      const offline = `好的，周二上午可以 ${tag}`;
      await b.getByTestId('composer-input').fill(offline);
      await b.getByTestId('composer-input').press('Enter');
      await expect.poll(() => attr(b.getByTestId('pending-message'), 'data-status'), LIVE).toBe('queued');
      expect(await messageEntry(b, missed).count()).toBe(0);
      await demanderContext.setOffline(false);
      await messageEntry(b, missed).waitFor({ timeout: 2 * LIVE_TIMEOUT });
      await messageEntry(b, offline).waitFor();
      await expect.poll(() => b.getByTestId('pending-message').count(), LIVE).toBe(0);
      await messageEntry(a, offline).waitFor();
      for (const page of [a, b]) {
        const all = await page.locator('[data-testid="entry"]').evaluateAll((nodes) => nodes.map((n) => Number((n as HTMLElement).dataset.seq)));
        expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
        expect(await messageEntry(page, missed).count()).toBe(1);
        expect(await messageEntry(page, offline).count()).toBe(1);
      }
      expect(await e.t.ctx.db.roomEntry.count({ where: { roomId: room.id, body: offline } })).toBe(1);
      expect(await documentMarker(b)).toBe(bDocument);

      // 6. The demander proposes terms (提出报价): first an empty form, refused beside its fields.
      await b.getByTestId('offer-propose').click();
      const bForm = b.getByTestId('offer-form');
      await bForm.waitFor();
      await bForm.getByTestId('offer-submit').click();
      await b.getByTestId('error-terms.mode').waitFor();
      await b.getByTestId('error-terms.scope').waitFor();
      expect(await attr(bForm.getByTestId('of-price'), 'aria-invalid')).toBe('true');
      await fillOffer(b, {
        mode: 'license',
        price: '1200000',
        paymentTerms: '合同签订后 15 日内支付首期款',
        scope: '微流控芯片技术在抗体发现领域的独占许可，许可地域为中国大陆',
        ipOwnership: 'supplier',
        milestones: [
          ['技术资料交付', chinaDay(60), '40'],
          ['中试验收', chinaDay(150), '60'],
        ],
      });
      expect(await scrollWidth(b)).toBeLessThanOrEqual(PHONE.width);
      await bForm.getByTestId('offer-submit').click();
      const bCurrent = b.getByTestId('offer-current');
      await expect.poll(() => attr(bCurrent, 'data-version'), LIVE).toBe('1');
      await b.getByTestId('offer-waiting').waitFor();

      // The supplier sees version 1 arrive live, with its terms, and counters with a lower price.
      const aCurrent = a.getByTestId('offer-current');
      await expect.poll(() => attr(aCurrent, 'data-version'), LIVE).toBe('1');
      expect(await aCurrent.locator('[data-field="priceCny"]').textContent()).toContain('¥1,200,000');
      expect(await aCurrent.getByTestId('offer-milestones').locator('tbody tr').count()).toBe(2);
      await a.locator('[data-testid="entry"][data-kind="offer"]').first().waitFor();
      await aCurrent.getByTestId('offer-counter').click();
      const aForm = a.getByTestId('offer-form');
      await aForm.waitFor();
      expect(await attr(aForm, 'data-counter')).toBe('true');
      expect(await aForm.getByTestId('of-price').inputValue()).toBe('1200000');
      await aForm.getByTestId('of-price').fill('1,000,000');
      await aForm.getByTestId('offer-submit').click();
      await expect.poll(() => attr(aCurrent, 'data-version'), LIVE).toBe('2');
      await a.getByTestId('offer-waiting').waitFor();

      // The demander sees the counter live, the changed price marked old → new, and counters back.
      await expect.poll(() => attr(bCurrent, 'data-version'), LIVE).toBe('2');
      const priceRow = bCurrent.locator('[data-testid="offer-diff-row"][data-field="priceCny"]');
      expect(await attr(priceRow, 'data-changed')).toBe('true');
      expect(await priceRow.getByTestId('offer-diff-old').textContent()).toContain('¥1,200,000');
      expect(await priceRow.getByTestId('offer-diff-new').textContent()).toContain('¥1,000,000');
      expect(await attr(bCurrent.locator('[data-testid="offer-diff-row"][data-field="scope"]'), 'data-changed')).toBe('false');
      await bCurrent.getByTestId('offer-counter').click();
      await bForm.waitFor();
      await bForm.getByTestId('of-payment-terms').fill('合同签订后 10 日内支付首期款，其余按节点支付');
      await bForm.getByTestId('offer-submit').click();
      await expect.poll(() => attr(bCurrent, 'data-version'), LIVE).toBe('3');

      // 7. The supplier sees version 3 live (only the payment terms changed) and accepts it.
      await expect.poll(() => attr(aCurrent, 'data-version'), LIVE).toBe('3');
      expect(await attr(aCurrent.locator('[data-testid="offer-diff-row"][data-field="paymentTerms"]'), 'data-changed')).toBe('true');
      expect(await attr(aCurrent.locator('[data-testid="offer-diff-row"][data-field="priceCny"]'), 'data-changed')).toBe('false');
      await aCurrent.getByTestId('offer-accept').click();
      await a.getByTestId('accept-dialog-confirm').click();

      // 8. Both see 已达成意向 with the exact terms, and the stage 达成意向, without a reload.
      for (const page of [a, b]) {
        const agreement = page.getByTestId('offer-agreement');
        await agreement.waitFor();
        expect(await agreement.textContent()).toContain('已达成意向');
        expect(await attr(agreement, 'data-version')).toBe('3');
        const terms = agreement.getByTestId('agreement-terms');
        expect(await terms.locator('[data-field="priceCny"]').textContent()).toContain('¥1,000,000');
        expect(await terms.locator('[data-field="paymentTerms"]').textContent()).toBe('合同签订后 10 日内支付首期款，其余按节点支付');
        await expect.poll(() => attr(roomPage(page), 'data-stage'), LIVE).toBe('intent');
        expect(await attr(page.locator('[data-testid="stage-step"][data-stage="intent"]'), 'data-state')).toBe('current');
        expect(await attr(page.locator('[data-testid="stage-step"][data-stage="evaluation"]'), 'data-state')).toBe('done');
        await page.locator('[data-testid="entry"][data-kind="agreement"]').waitFor();
        expect(await page.getByTestId('offer-accept').count()).toBe(0);
      }
      expect(await documentMarker(a)).toBe(aDocument);
      expect(await documentMarker(b)).toBe(bDocument);
      expect(await scrollWidth(b)).toBeLessThanOrEqual(PHONE.width);

      const stored = await e.t.ctx.db.roomOffer.findMany({ where: { roomId: room.id }, orderBy: { version: 'asc' } });
      expect(stored.map((o) => [o.version, o.side, o.status])).toEqual([
        [1, 'demand', 'countered'],
        [2, 'supply', 'countered'],
        [3, 'demand', 'accepted'],
      ]);
      expect((await e.t.ctx.db.negotiationRoom.findUniqueOrThrow({ where: { id: room.id } })).stage).toBe('intent');
      expect(await e.t.ctx.db.roomEntry.count({ where: { roomId: room.id, kind: 'message' } })).toBe(4);

      // 9. The export: the JSON record verifies and holds the agreement; the printable page opens.
      expect(await attr(a.getByTestId('export-html'), 'target')).toBe('_blank');
      const exported = await a.request.get((await attr(a.getByTestId('export-json'), 'href'))!);
      expect(exported.status()).toBe(200);
      const evidence = await exported.json();
      expect(evidence.verification.ok).toBe(true);
      expect(evidence.entries.map((x: { kind: string }) => x.kind)).toContain('agreement');
      const printable = await a.request.get((await attr(a.getByTestId('export-html'), 'href'))!);
      expect(printable.headers()['content-type']).toContain('text/html');

      // The match page links to the room.
      await a.goto(`/matches/${matchId}`);
      expect(await attr(a.getByTestId('room-id'), 'href')).toBe(`/rooms/${room.id}`);

      expect(aErrors).toEqual([]);
      expect(bErrors).toEqual([]);
    } finally {
      await supplierContext.close();
      await demanderContext.close();
    }
    // About 20–30 s on a quiet machine; the limit only catches a hang.
  }, 150_000);

  it('a party attaches a PDF; the other party (on a phone) sees the file live and downloads exactly its bytes', async () => {
    const { room, supplier, demander } = await buildRoom(e.t.ctx.db, e.t.baseUrl, `专利许可洽谈 ${randomBytes(3).toString('hex')}`);
    const supplierContext = await e.newContext({ viewport: DESKTOP });
    const demanderContext = await e.newContext({ viewport: PHONE });
    try {
      const a = await supplierContext.newPage();
      const b = await demanderContext.newPage();
      const aErrors = collectPageErrors(a);
      const bErrors = collectPageErrors(b);
      await loginThroughUi(a, supplier.input.user.email, TEST_PASSWORD, '/organization');
      await loginThroughUi(b, demander.input.user.email, TEST_PASSWORD, '/organization');
      for (const page of [a, b]) {
        await page.goto(`/rooms/${room.id}`);
        await expect.poll(() => attr(roomPage(page), 'data-joined'), LIVE).toBe('true');
      }

      // A renamed program is stopped before it leaves the browser.
      await a.getByTestId('attach-input').setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ\x90\x00') });
      expect(await a.getByTestId('attach-error').textContent()).toContain('不支持该文件类型');

      const bytes = Buffer.from(`%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n% ${randomBytes(16).toString('hex')}\n%%EOF\n`);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const name = '技术许可合同（草案）.pdf';
      await a.getByTestId('attach-button').focus();
      await a.getByTestId('attach-input').setInputFiles({ name, mimeType: 'application/pdf', buffer: bytes });

      // The demander's phone shows the file entry live, with its name, size and the start of its sha256.
      for (const page of [a, b]) {
        const entry = page.locator('[data-testid="entry"][data-kind="file"]');
        await entry.waitFor();
        expect(await attr(entry.getByTestId('entry-file'), 'data-sha256')).toBe(sha256);
        expect(await entry.getByTestId('file-link').textContent()).toBe(name);
        expect(await entry.getByTestId('file-sha').textContent()).toContain(sha256.slice(0, 12));
        expect(await attr(entry.getByTestId('file-sha'), 'title')).toContain(sha256);
      }
      expect(await attr(a.locator('[data-testid="entry"][data-kind="file"]'), 'data-mine')).toBe('true');
      expect(await attr(b.locator('[data-testid="entry"][data-kind="file"]'), 'data-mine')).toBe('false');
      await expect.poll(() => a.getByTestId('attachment').count(), LIVE).toBe(0);
      expect(await scrollWidth(b)).toBeLessThanOrEqual(PHONE.width);

      // Its link downloads exactly the bytes attached, as an attachment.
      const href = (await attr(b.getByTestId('file-link'), 'href'))!;
      const downloaded = await b.request.get(href);
      expect(downloaded.status()).toBe(200);
      expect(downloaded.headers()['content-disposition']).toContain("filename*=UTF-8''");
      expect(createHash('sha256').update(await downloaded.body()).digest('hex')).toBe(sha256);
      expect(await e.t.ctx.db.roomFile.count({ where: { roomId: room.id } })).toBe(1);

      expect(aErrors).toEqual([]);
      expect(bErrors).toEqual([]);
    } finally {
      await supplierContext.close();
      await demanderContext.close();
    }
  }, 60_000);

  it('a long record opens at the first unread message and loads backwards on scrolling up, keeping the reader’s place, with no gap or repeat', async () => {
    const { room, supplier, demander } = await buildRoom(e.t.ctx.db, e.t.baseUrl, `长记录洽谈 ${randomBytes(3).toString('hex')}`);
    // 70 messages from the supplier, written into the record the way the service writes them.
    for (let i = 1; i <= 70; i++) {
      await e.t.ctx.db.$transaction((tx) => appendRoomEntry(tx, room.id, { kind: 'message', authorId: supplier.userId, body: `第 ${i} 条：技术参数说明` }));
    }
    // The demander has read up to the 60th.
    await e.t.ctx.db.roomReadState.create({ data: { roomId: room.id, userId: demander.userId, lastReadSeq: 60 } });
    const context = await e.newContext({ viewport: PHONE });
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await loginThroughUi(page, demander.input.user.email, TEST_PASSWORD, '/organization');
      await page.goto(`/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(page), 'data-joined'), LIVE).toBe('true');
      const seqsShown = () => page.locator('[data-testid="entry"]').evaluateAll((nodes) => nodes.map((n) => Number((n as HTMLElement).dataset.seq)));
      // The latest page first, the view at the first unread message (61), below the divider.
      expect((await seqsShown()).at(-1)).toBe(70);
      expect((await seqsShown()).length).toBeLessThan(70);
      await page.getByTestId('load-earlier').waitFor();
      const dividerBefore = () => page.evaluate(() => (document.querySelector('[data-testid="unread-divider"]')?.nextElementSibling as HTMLElement | null)?.dataset.seq);
      expect(await dividerBefore()).toBe('61');
      const listBox = (await page.getByTestId('entry-list').boundingBox())!;
      const firstUnread = (await page.locator('[data-testid="entry"][data-seq="61"]').boundingBox())!;
      expect(firstUnread.y).toBeGreaterThanOrEqual(listBox.y);
      expect(firstUnread.y).toBeLessThan(listBox.y + listBox.height);

      // Scrolling to the top loads the older entries above, and the entry that was at the top stays in view.
      const list = page.getByTestId('entry-list');
      const oldest = (await seqsShown())[0]!;
      await list.evaluate((el) => {
        el.scrollTop = 0;
        el.dispatchEvent(new Event('scroll'));
      });
      await page.getByTestId('history-start').waitFor();
      expect(await seqsShown()).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
      const box = (await list.boundingBox())!;
      const kept = (await page.locator(`[data-testid="entry"][data-seq="${oldest}"]`).boundingBox())!;
      expect(kept.y + kept.height).toBeGreaterThan(box.y);
      expect(kept.y).toBeLessThan(box.y + box.height);
      // Still one divider, where it was.
      expect(await page.getByTestId('unread-divider').count()).toBe(1);
      expect(await dividerBefore()).toBe('61');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('staff observe a room read-only; a message they hide and the room they freeze change the parties’ pages live', async () => {
    const { room, supplier, demander } = await buildRoom(e.t.ctx.db, e.t.baseUrl, `储能电池包热失控监测预警方案 ${randomBytes(3).toString('hex')}`);
    const moderator = await createStaff(e.t.ctx.db, 'moderator');
    const moderatorApi = await signInStaff(e.t.ctx.db, e.t.baseUrl, 'moderator');

    const partyContext = await e.newContext({ viewport: PHONE });
    const staffContext = await e.newContext({ viewport: DESKTOP });
    try {
      const party = await partyContext.newPage();
      const partyErrors = collectPageErrors(party);
      await loginThroughUi(party, demander.input.user.email, TEST_PASSWORD, '/organization');
      await party.goto(`/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(party), 'data-joined'), LIVE).toBe('true');
      const text = `请加微信详谈 wx-${randomBytes(3).toString('hex')}`;
      await party.getByTestId('composer-input').fill(text);
      await party.getByTestId('composer-input').press('Enter');
      await messageEntry(party, text).waitFor();
      await expect.poll(() => party.getByTestId('pending-message').count(), LIVE).toBe(0);
      const seq = Number(await attr(messageEntry(party, text), 'data-seq'));

      // A moderator finds every room under 洽谈室巡查 and opens this one: observing, no composer.
      const staff = await staffContext.newPage();
      const staffErrors = collectPageErrors(staff);
      await loginThroughUi(staff, moderator.email, moderator.password, '/staff/matches');
      await staff.getByTestId('nav-rooms').click();
      await staff.waitForURL((url) => url.pathname === '/rooms');
      const row = staff.locator(`[data-testid="room-row"][data-room-id="${room.id}"]`);
      await row.waitFor();
      expect(await row.getByTestId('room-counterpart').textContent()).toContain(supplier.input.organization.name);
      await row.getByTestId('room-link').click();
      await staff.waitForURL((url) => url.pathname === `/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(staff), 'data-joined'), LIVE).toBe('true');
      await staff.getByTestId('observer-badge').waitFor();
      expect(await staff.getByTestId('composer-disabled').textContent()).toContain('旁听');
      expect(await staff.getByTestId('composer-input').count()).toBe(0);
      expect(await staff.getByTestId('stage-forward').count()).toBe(0);
      expect(await messageEntry(staff, text).getByTestId('entry-body').textContent()).toBe(text);

      // Hidden: the party's page says so live; staff keep the text, greyed, with the reason.
      const hidden = await moderatorApi.client.post(`/api/staff/rooms/${room.id}/entries/${seq}/hide`, { reason: '含站外联系方式' });
      expect(hidden.status, JSON.stringify(hidden.body)).toBe(200);
      const partyEntry = party.locator(`[data-testid="entry"][data-seq="${seq}"]`);
      await partyEntry.getByTestId('entry-hidden').waitFor();
      expect(await partyEntry.getByTestId('entry-hidden').textContent()).toBe('该消息已被平台隐藏');
      expect(await party.content()).not.toContain(text);
      const staffEntry = staff.locator(`[data-testid="entry"][data-seq="${seq}"]`);
      await staffEntry.getByTestId('entry-hidden-reason').waitFor();
      expect(await staffEntry.getByTestId('entry-hidden-reason').textContent()).toContain('含站外联系方式');
      expect(await staffEntry.getByTestId('entry-body').textContent()).toBe(text);

      // Frozen: the party's composer turns off with the reason, live.
      const frozen = await moderatorApi.client.post(`/api/staff/rooms/${room.id}/freeze`, { frozen: true, reason: '双方存在争议，暂停洽谈' });
      expect(frozen.status, JSON.stringify(frozen.body)).toBe(200);
      await party.getByTestId('composer-disabled').waitFor({ timeout: LIVE_TIMEOUT });
      await expect.poll(() => party.getByTestId('composer-disabled').textContent(), LIVE).toContain('双方存在争议，暂停洽谈');
      expect(await party.getByTestId('offer-propose').count()).toBe(0);
      expect(await scrollWidth(party)).toBeLessThanOrEqual(PHONE.width);

      // In English, the same page speaks English.
      await party.getByTestId('locale-en').click();
      await party.getByText('This message was hidden by the platform').waitFor();

      expect(partyErrors).toEqual([]);
      expect(staffErrors).toEqual([]);
    } finally {
      await partyContext.close();
      await staffContext.close();
    }
  }, 90_000);

  it('the demand party invites a technology broker: the supplier sees the broker join live, and the broker opens the room from their list and writes in it', async () => {
    const { room, supplier, demander } = await buildRoom(e.t.ctx.db, e.t.baseUrl, `微流控芯片技术许可洽谈 ${randomBytes(3).toString('hex')}`);
    // A member of an approved service agency offering brokerage (技术经纪), from neither party.
    const broker = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl, {
      organization: { type: 'service_agency', enterpriseSize: undefined, specialities: ['brokerage'], name: `杭州技术转移中心${randomBytes(3).toString('hex')}` },
      user: { name: '张经纪' },
    });
    const agency = broker.input.organization.name;
    const note = '请协助评估许可费用与付款节点';

    const supplierContext = await e.newContext({ viewport: DESKTOP });
    const demanderContext = await e.newContext({ viewport: PHONE });
    const brokerContext = await e.newContext({ viewport: DESKTOP });
    try {
      // The supplier has the room open, with nobody but the parties in it.
      const a = await supplierContext.newPage();
      const aErrors = collectPageErrors(a);
      await loginThroughUi(a, supplier.input.user.email, TEST_PASSWORD, '/organization');
      await a.goto(`/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(a), 'data-joined'), LIVE).toBe('true');
      await a.getByTestId('participants-empty').waitFor();
      const aDocument = await markDocument(a);

      // The demander, on a phone, picks the broker and invites them with a note.
      const b = await demanderContext.newPage();
      const bErrors = collectPageErrors(b);
      await loginThroughUi(b, demander.input.user.email, TEST_PASSWORD, '/organization');
      await b.goto(`/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(b), 'data-joined'), LIVE).toBe('true');
      await b.getByTestId('invite-broker-open').click();
      const candidate = b.locator(`[data-testid="invite-candidate"][data-user-id="${broker.userId}"]`);
      await candidate.waitFor();
      expect(await candidate.textContent()).toContain(agency);
      await candidate.locator('input[type="radio"]').check();
      await b.getByTestId('invite-note').fill(note);
      expect(await scrollWidth(b)).toBeLessThanOrEqual(PHONE.width);
      await b.getByTestId('invite-submit').click();
      const bListed = b.locator(`[data-testid="participant"][data-user-id="${broker.userId}"]`);
      await bListed.waitFor();
      expect(await attr(bListed, 'data-side')).toBe('demand');
      // The side that invited the broker may remove them; the other side may not.
      expect(await bListed.getByTestId('participant-remove').count()).toBe(1);
      // The form closes when the invitation's answer arrives, which may be after the list's live update.
      await expect.poll(() => b.getByTestId('invite-broker').count(), LIVE).toBe(0);
      expect(await scrollWidth(b)).toBeLessThanOrEqual(PHONE.width);

      // The supplier sees the broker in the participant list and the joining in the record, without a reload.
      const aListed = a.locator(`[data-testid="participant"][data-user-id="${broker.userId}"]`);
      await aListed.waitFor();
      const listedText = await aListed.textContent();
      expect(listedText).toContain('张经纪');
      expect(listedText).toContain(agency);
      expect(listedText).toContain('受需方邀请');
      expect(await aListed.getByTestId('participant-remove').count()).toBe(0);
      const joinedLine = a.locator('[data-testid="entry"][data-kind="participant"]');
      await joinedLine.waitFor();
      expect(await joinedLine.getByTestId('entry-system-text').textContent()).toBe(`张经纪（${agency}，技术经纪人）受需方邀请加入洽谈：${note}`);
      expect(await documentMarker(a)).toBe(aDocument);

      // The broker finds the room under 洽谈室, marked 技术经纪人, opens it and writes.
      const c = await brokerContext.newPage();
      const cErrors = collectPageErrors(c);
      await loginThroughUi(c, broker.input.user.email, TEST_PASSWORD, '/organization');
      await c.getByTestId('nav-rooms').click();
      await c.waitForURL((url) => url.pathname === '/rooms');
      const cRow = c.locator(`[data-testid="room-row"][data-room-id="${room.id}"]`);
      await cRow.waitFor();
      expect(await cRow.getByTestId('room-role').textContent()).toBe('技术经纪人');
      expect(await cRow.getByTestId('room-counterpart').textContent()).toContain(supplier.input.organization.name);
      await cRow.getByTestId('room-link').click();
      await c.waitForURL((url) => url.pathname === `/rooms/${room.id}`);
      await expect.poll(() => attr(roomPage(c), 'data-joined'), LIVE).toBe('true');
      expect(await attr(c.getByTestId('role-badge'), 'data-role')).toBe('broker');
      // A broker writes, but makes no offers and moves no stage.
      expect(await c.getByTestId('offer-propose').count()).toBe(0);
      expect(await c.getByTestId('stage-forward').count()).toBe(0);
      expect(await c.getByTestId('composer-disabled').count()).toBe(0);
      await c.locator(`[data-testid="participant"][data-user-id="${broker.userId}"]`).getByTestId('participant-leave').waitFor();
      const text = `各位好，我是需方邀请的技术经纪人，建议先对齐许可范围 ${randomBytes(3).toString('hex')}`;
      await c.getByTestId('composer-input').fill(text);
      await c.getByTestId('composer-input').press('Enter');
      await messageEntry(c, text).waitFor();

      // The supplier sees the broker online and the message live, marked as the broker's.
      const aMessage = messageEntry(a, text);
      await aMessage.waitFor();
      expect(await aMessage.textContent()).toContain(`技术经纪人 · ${agency}`);
      await expect.poll(() => a.getByTestId('presence').textContent(), LIVE).toContain('张经纪（技术经纪人）');
      expect(await documentMarker(a)).toBe(aDocument);
      expect(await e.t.ctx.db.roomEntry.count({ where: { roomId: room.id, kind: 'message', authorId: broker.userId } })).toBe(1);

      expect(aErrors).toEqual([]);
      expect(bErrors).toEqual([]);
      expect(cErrors).toEqual([]);
    } finally {
      await supplierContext.close();
      await demanderContext.close();
      await brokerContext.close();
    }
  }, 120_000);
});
