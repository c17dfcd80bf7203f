// The matching journey in real Chromium (供需匹配 → 匹配推送 → 匹配确认): a supplier's listing is
// published; a demander with the inbox open (on a phone-sized screen) sees the platform's match arrive
// live, with its reasons; both sides say 感兴趣 in their own browsers; each sees the match confirmed
// live, with its negotiation room, and the supplier sees the demand's confidential details appear only
// once it is confirmed.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildListingContent, registerApprovedMember, signInStaff, TEST_PASSWORD } from '../server/test/factories.ts';
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
/** Indexing, candidate search and scoring in the worker, then the push: generous on a loaded machine. */
const MATCH_TIMEOUT = 30_000;

let e: E2E;

beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

const matchCard = (page: Page, matchId: string) => page.locator(`[data-testid="match-card"][data-match-id="${matchId}"]`);
const detailStatus = (page: Page) => page.getByTestId('match-detail').getAttribute('data-status');
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
const countOf = async (page: Page, testid: string) => Number(await page.getByTestId(testid).getAttribute('data-count'));

/** Creates a listing through the API and has a reviewer approve it; returns its id. */
async function publish(
  member: Awaited<ReturnType<typeof registerApprovedMember>>,
  reviewer: Awaited<ReturnType<typeof signInStaff>>,
  side: 'supply' | 'demand',
  content: Parameters<typeof buildListingContent>[0],
): Promise<string> {
  const created = await member.client.post('/api/listings', { side, content: buildListingContent(content), submit: true });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await reviewer.client.post(`/api/review/listings/${id}/decision`, APPROVE)).status).toBe(200);
  return id;
}

describe('matching (browser)', () => {
  it('a match is pushed live to the open inbox, both sides confirm it in their browsers, and details open only then', async () => {
    const supplier = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const demander = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const reviewer = await signInStaff(e.t.ctx.db, e.t.baseUrl, 'reviewer');
    const tag = randomBytes(4).toString('hex');
    const supplySecret = `SUPPLY-SECRET-${tag}`;
    const demandSecret = `DEMAND-SECRET-${tag}`;

    // The supplier's offer is published first (through the API, as staff would approve it); the
    // matcher has finished with it before anyone opens a page.
    const supplyCreated = await supplier.client.post('/api/listings', {
      side: 'supply',
      content: buildListingContent({
        kind: 'achievement',
        title: `锂电池热失控早期预警技术 ${tag}`,
        summary: '基于温度、电压与气体多传感器融合的锂电池热失控早期预警方法，可在热失控发生前数分钟发出告警，适用于储能电站与电动汽车电池包。',
        keywords: ['锂电池', '热失控', '预警'],
        industries: ['new-energy.lithium-battery'],
        details: `【保密】传感器布置与告警阈值参数 ${supplySecret}`,
      }),
      submit: true,
    });
    expect(supplyCreated.status).toBe(201);
    const supplyId = supplyCreated.body.id as string;
    expect((await reviewer.client.post(`/api/review/listings/${supplyId}/decision`, APPROVE)).status).toBe(200);
    await expect
      .poll(async () => {
        const row = await e.t.ctx.db.listing.findUniqueOrThrow({ where: { id: supplyId }, select: { revision: true, matchedRevision: true } });
        return row.matchedRevision === row.revision;
      }, { timeout: MATCH_TIMEOUT, interval: 200 })
      .toBe(true);
    expect(await e.t.ctx.db.match.count()).toBe(0);

    const demanderContext = await e.newContext({ viewport: PHONE });
    const supplierContext = await e.newContext({ viewport: DESKTOP });
    try {
      // 1. Both sign in through the UI and open 我的匹配 (empty so far); their sockets are connected.
      const demanderPage = await demanderContext.newPage();
      const demanderErrors = collectPageErrors(demanderPage);
      const demanderLive = trackLiveSocket(demanderPage);
      await loginThroughUi(demanderPage, demander.input.user.email, TEST_PASSWORD, '/organization');
      await demanderPage.getByTestId('nav-matches').click();
      await demanderPage.waitForURL((url) => url.pathname === '/matches');
      await demanderPage.getByTestId('matches-empty').waitFor();
      expect(await demanderPage.getByTestId('tab-active').getAttribute('aria-current')).toBe('page');
      await demanderLive.connected();
      const demanderDocument = await markDocument(demanderPage);

      const supplierPage = await supplierContext.newPage();
      const supplierErrors = collectPageErrors(supplierPage);
      const supplierLive = trackLiveSocket(supplierPage);
      await loginThroughUi(supplierPage, supplier.input.user.email, TEST_PASSWORD, '/organization');
      await supplierPage.getByTestId('nav-matches').click();
      await supplierPage.waitForURL((url) => url.pathname === '/matches');
      await supplierPage.getByTestId('matches-empty').waitFor();
      await supplierLive.connected();
      const supplierDocument = await markDocument(supplierPage);

      // 2. The demander's need about the same technology is published: the worker matches it and
      // pushes the match; it appears in the open inbox without a reload, with its reasons.
      const demandTitle = `储能电池包热失控监测预警方案 ${tag}`;
      const demandCreated = await demander.client.post('/api/listings', {
        side: 'demand',
        content: buildListingContent({
          kind: 'tech_need',
          title: demandTitle,
          summary: '我公司生产储能电池包，需要一套能提前发现锂电池热失控的监测预警方案，要求误报率低，可集成到电池管理系统。',
          keywords: ['电池包', '热失控', '监测预警'],
          industries: ['new-energy.lithium-battery'],
          ip: [],
          details: `【保密】电池包结构与现有 BMS 接口说明 ${demandSecret}`,
        }),
        submit: true,
      });
      expect(demandCreated.status).toBe(201);
      const demandId = demandCreated.body.id as string;
      expect((await reviewer.client.post(`/api/review/listings/${demandId}/decision`, APPROVE)).status).toBe(200);

      const demanderCard = demanderPage.getByTestId('match-card');
      await demanderCard.first().waitFor({ timeout: MATCH_TIMEOUT });
      expect(await demanderCard.count()).toBe(1);
      const matchId = (await demanderCard.getAttribute('data-match-id'))!;
      const stored = await e.t.ctx.db.match.findUniqueOrThrow({ where: { id: matchId } });
      expect(stored).toMatchObject({ supplyListingId: supplyId, demandListingId: demandId, status: 'open', source: 'auto' });
      expect(await demanderCard.getAttribute('data-status')).toBe('open');
      expect(await demanderCard.getByTestId('match-link').textContent()).toContain(`锂电池热失控早期预警技术 ${tag}`);
      expect(await demanderCard.getByTestId('match-org').textContent()).toContain(supplier.input.organization.name);
      expect(await demanderCard.getByTestId('match-source').textContent()).toBe('系统推荐');
      expect(await demanderCard.getByTestId('match-score').getAttribute('data-score')).toBe(String(Math.round(stored.score)));
      const reasons = demanderCard.getByTestId('match-reasons').locator('li');
      expect(await reasons.count()).toBeGreaterThan(0);
      expect((await reasons.allTextContents()).join(' ')).toMatch(/热失控|锂电池|新能源/);
      expect(await demanderPage.getByTestId('matches-count').textContent()).toContain('共 1 条匹配');
      expect(await documentMarker(demanderPage)).toBe(demanderDocument);
      expect(await scrollWidth(demanderPage)).toBeLessThanOrEqual(PHONE.width);

      // The supplier's inbox got it too (as their side sees it: the demand is the counterpart).
      const supplierCard = matchCard(supplierPage, matchId);
      await supplierCard.waitFor({ timeout: MATCH_TIMEOUT });
      expect(await supplierCard.getByTestId('match-link').textContent()).toBe(demandTitle);
      expect(await documentMarker(supplierPage)).toBe(supplierDocument);

      // 3. The supplier opens the match: its own details show, the demand's do not (not confirmed yet).
      await supplierCard.getByTestId('match-link').click();
      await supplierPage.waitForURL((url) => url.pathname === `/matches/${matchId}`);
      await expect.poll(() => detailStatus(supplierPage)).toBe('open');
      expect(await supplierPage.getByTestId('party-supply').getByTestId('party-details').textContent()).toContain(supplySecret);
      await supplierPage.getByTestId('party-demand').getByTestId('party-details-hidden').waitFor();
      expect(await supplierPage.getByTestId('party-demand').getByTestId('party-details').count()).toBe(0);
      expect(await supplierPage.content()).not.toContain(demandSecret);
      expect(await supplierPage.getByTestId('breakdown-row').count()).toBe(8);
      expect(await supplierPage.getByTestId('match-reasons').locator('li').count()).toBeGreaterThan(0);
      const supplierDetailDocument = await markDocument(supplierPage);

      // The supplier says 感兴趣: the match stays open, waiting for the demander.
      await supplierPage.getByTestId('answer-interested').click();
      await expect.poll(() => supplierPage.getByTestId('response-supply').getAttribute('data-response')).toBe('interested');
      await supplierPage.getByTestId('waiting-other').waitFor();
      expect(await detailStatus(supplierPage)).toBe('open');
      expect(await supplierPage.getByTestId('answer-interested').isDisabled()).toBe(true);
      expect(await supplierPage.content()).not.toContain(demandSecret);

      // 4. The demander opens the match from the inbox (client-side) on the phone: the supplier's
      // answer shows, its details do not yet.
      await demanderCard.getByTestId('match-link').click();
      await demanderPage.waitForURL((url) => url.pathname === `/matches/${matchId}`);
      await expect.poll(() => demanderPage.getByTestId('response-supply').getAttribute('data-response')).toBe('interested');
      expect(await demanderPage.getByTestId('response-demand').getAttribute('data-response')).toBe('pending');
      expect(await demanderPage.getByTestId('party-demand').getByTestId('party-details').textContent()).toContain(demandSecret);
      expect(await demanderPage.content()).not.toContain(supplySecret);
      expect(await scrollWidth(demanderPage)).toBeLessThanOrEqual(PHONE.width);

      // The demander says 感兴趣: confirmed at once, with the negotiation room, and the supply's details open.
      await demanderPage.getByTestId('answer-interested').click();
      await expect.poll(() => detailStatus(demanderPage), { timeout: LIVE_TIMEOUT }).toBe('confirmed');
      const demanderConfirmed = demanderPage.getByTestId('match-confirmed');
      await demanderConfirmed.waitFor();
      expect(await demanderConfirmed.textContent()).toContain('匹配已确认 — 洽谈室已开启');
      const room = await e.t.ctx.db.negotiationRoom.findFirstOrThrow({ where: { matchId } });
      expect(await demanderPage.getByTestId('room-id').textContent()).toBe(room.id);
      expect(await demanderPage.getByTestId('room-title').textContent()).toBe(demandTitle);
      expect(await demanderPage.getByTestId('party-supply').getByTestId('party-details').textContent()).toContain(supplySecret);
      expect(await demanderPage.getByTestId('answer-interested').count()).toBe(0);
      expect(await documentMarker(demanderPage)).toBe(demanderDocument);
      expect(await scrollWidth(demanderPage)).toBeLessThanOrEqual(PHONE.width);

      // 5. Without a reload, the supplier's page turns confirmed, shows the room, and now the demand's details.
      await expect.poll(() => detailStatus(supplierPage), { timeout: LIVE_TIMEOUT }).toBe('confirmed');
      await supplierPage.getByTestId('match-confirmed').waitFor();
      expect(await supplierPage.getByTestId('room-id').textContent()).toBe(room.id);
      const demandDetails = supplierPage.getByTestId('party-demand').getByTestId('party-details');
      await demandDetails.waitFor();
      expect(await demandDetails.textContent()).toContain(demandSecret);
      expect(await supplierPage.getByTestId('response-demand').getAttribute('data-response')).toBe('interested');
      expect(await documentMarker(supplierPage)).toBe(supplierDetailDocument);

      // Both heard that the room opened (a toast anywhere in the member area).
      for (const page of [supplierPage, demanderPage]) {
        const toast = page.locator(`[data-testid="room-opened-toast"][data-room-id="${room.id}"]`);
        await toast.waitFor();
        expect(await toast.getAttribute('data-match-id')).toBe(matchId);
      }
      expect((await e.t.ctx.db.match.findUniqueOrThrow({ where: { id: matchId } })).status).toBe('confirmed');

      expect(demanderErrors).toEqual([]);
      expect(supplierErrors).toEqual([]);
    } finally {
      await demanderContext.close();
      await supplierContext.close();
    }
    // About 15–25 s on a quiet machine; the limit only catches a hang.
  }, 120_000);

  it('a supplier raises its hand on an open demand and staff recommend a pair by hand, both seen live on the match console', async () => {
    const agency = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const demander = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const other = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const reviewer = await signInStaff(e.t.ctx.db, e.t.baseUrl, 'reviewer');
    const moderator = await createStaff(e.t.ctx.db, 'moderator');
    const tag = randomBytes(4).toString('hex');
    const marker = `qzv${tag}`;

    // Topics far enough apart that the matcher pairs none of them by itself.
    const demandTitle = `水产养殖尾水生态处理技术需求 ${marker}`;
    const demandId = await publish(demander, reviewer, 'demand', {
      kind: 'tech_need',
      title: demandTitle,
      summary: '我单位有淡水养殖基地约两千亩，需要一套低成本的养殖尾水生态处理与循环利用技术，出水须达到地方排放标准，便于日常运维。',
      keywords: ['养殖尾水', '生态处理', '循环水'],
      industries: ['modern-agriculture'],
      ip: [],
    });
    const offerTitle = `专利价值评估与技术交易咨询服务 ${tag}`;
    const offerId = await publish(agency, reviewer, 'supply', {
      kind: 'tech_service',
      title: offerTitle,
      summary: '面向高校院所与企业提供专利价值评估、技术交易方案设计与谈判支持服务，出具评估报告，协助完成技术合同登记。',
      keywords: ['专利评估', '技术交易', '咨询'],
      industries: ['modern-services'],
      ip: [],
    });
    const recommendedTitle = `数字展陈互动内容制作服务 ${marker}`;
    const recommendedId = await publish(other, reviewer, 'supply', {
      kind: 'tech_service',
      title: recommendedTitle,
      summary: '为展馆与文旅项目提供数字展陈、互动投影与沉浸式内容的策划制作，支持定制开发与后期运维。',
      keywords: ['数字展陈', '互动投影', '沉浸式'],
      industries: ['digital-creative'],
      ip: [],
    });
    // Wait until the worker indexed the three and the matcher was through with them.
    await expect
      .poll(async () => {
        const rows = await e.t.ctx.db.listing.findMany({ where: { id: { in: [demandId, offerId, recommendedId] } }, select: { revision: true, matchedRevision: true } });
        return rows.filter((r) => r.matchedRevision === r.revision).length;
      }, { timeout: MATCH_TIMEOUT, interval: 200 })
      .toBe(3);
    expect(await e.t.ctx.db.match.count({ where: { demandListingId: demandId } })).toBe(0);

    const staffContext = await e.newContext({ viewport: DESKTOP });
    const agencyContext = await e.newContext({ viewport: PHONE });
    try {
      // 1. A moderator (not a reviewer) signs in and lands on the match console, connected.
      const consolePage = await staffContext.newPage();
      const consoleErrors = collectPageErrors(consolePage);
      const consoleLive = trackLiveSocket(consolePage);
      await loginThroughUi(consolePage, moderator.email, moderator.password, '/staff/matches');
      await consolePage.getByTestId('console-totals').waitFor();
      expect(await consolePage.getByTestId('nav-review').count()).toBe(0);
      await consoleLive.connected();
      const consoleDocument = await markDocument(consolePage);
      const openBefore = await countOf(consolePage, 'total-open');
      const chartBefore = Number(await consolePage.getByTestId('minute-chart').getAttribute('data-total'));

      // 2. The agency, on a phone, finds the demand under 承接需求 and raises its hand with its service.
      const agencyPage = await agencyContext.newPage();
      const agencyErrors = collectPageErrors(agencyPage);
      await loginThroughUi(agencyPage, agency.input.user.email, TEST_PASSWORD, '/organization');
      await agencyPage.getByTestId('nav-demands').click();
      await agencyPage.waitForURL((url) => url.pathname === '/demands');
      await agencyPage.getByTestId('demands-input').pressSequentially(marker.slice(0, 7));
      const hit = agencyPage.locator(`[data-testid="demand-hit"][data-listing-id="${demandId}"]`);
      await hit.waitFor({ timeout: MATCH_TIMEOUT });
      await expect.poll(() => new URL(agencyPage.url()).searchParams.get('q')).toBe(marker.slice(0, 7));
      expect(await hit.getByTestId('demand-link').textContent()).toBe(demandTitle);
      expect(await scrollWidth(agencyPage)).toBeLessThanOrEqual(PHONE.width);

      await hit.getByTestId('raise-hand').click();
      const form = hit.getByTestId('raise-hand-form');
      await form.waitFor();
      const offer = hit.getByTestId('raise-hand-supply');
      await expect.poll(() => offer.inputValue()).toBe(offerId);
      expect(await offer.locator('option').count()).toBe(1);
      await hit.getByTestId('raise-hand-note').fill('我们可先做一次免费的技术方案评估。');
      expect(await scrollWidth(agencyPage)).toBeLessThanOrEqual(PHONE.width);
      await hit.getByTestId('raise-hand-submit').click();
      await hit.getByTestId('raise-hand-success').waitFor();
      const interest = await e.t.ctx.db.match.findFirstOrThrow({ where: { supplyListingId: offerId, demandListingId: demandId } });
      expect(interest).toMatchObject({ source: 'interest', status: 'open', supplyResponse: 'interested', note: '我们可先做一次免费的技术方案评估。' });

      // The match it made: 主动申请, with the message, the agency's side already interested.
      await hit.getByTestId('raise-hand-match-link').click();
      await agencyPage.waitForURL((url) => url.pathname === `/matches/${interest.id}`);
      await agencyPage.getByTestId('match-detail').waitFor();
      expect(await agencyPage.getByTestId('match-source').textContent()).toBe('主动申请');
      expect(await agencyPage.getByTestId('match-note').textContent()).toContain('我们可先做一次免费的技术方案评估。');
      expect(await agencyPage.getByTestId('response-supply').getAttribute('data-response')).toBe('interested');
      expect(await agencyPage.getByTestId('breakdown-row').count()).toBe(8);
      expect(await scrollWidth(agencyPage)).toBeLessThanOrEqual(PHONE.width);

      // The demand's only match is the one the agency made.
      expect(await e.t.ctx.db.match.count({ where: { demandListingId: demandId } })).toBe(1);

      // 3. Without a reload, the console shows the new match in its stream, its chart and its totals.
      const created = consolePage.locator(`[data-testid="console-activity"][data-match-id="${interest.id}"][data-event="created"]`);
      await created.waitFor();
      expect(await created.textContent()).toContain(demandTitle);
      expect(await created.getByTestId('match-source').textContent()).toBe('主动申请');
      await expect.poll(() => countOf(consolePage, 'total-open')).toBeGreaterThanOrEqual(openBefore + 1);
      await expect.poll(async () => Number(await consolePage.getByTestId('minute-chart').getAttribute('data-total'))).toBeGreaterThanOrEqual(chartBefore + 1);
      expect(await documentMarker(consolePage)).toBe(consoleDocument);

      // 4. Recommending by hand: an empty form is refused beside its fields, nothing sent.
      await consolePage.getByTestId('recommend-submit').click();
      await consolePage.getByTestId('error-supplyListingId').waitFor();
      await consolePage.getByTestId('error-demandListingId').waitFor();
      await consolePage.getByTestId('error-note').waitFor();
      expect(await consolePage.getByTestId('recommend-supply').getAttribute('aria-invalid')).toBe('true');

      // A demand's id where the supply goes: the server refuses it, and says so.
      await consolePage.getByTestId('recommend-supply').fill(demandId);
      await consolePage.getByTestId('recommend-demand').fill(demandId);
      await consolePage.getByTestId('recommend-note').fill('两家可就展馆项目合作。');
      await consolePage.getByTestId('recommend-submit').click();
      await expect.poll(() => consolePage.getByTestId('error-summary').textContent()).toContain('未找到该信息');
      expect(await consolePage.getByTestId('error-supplyListingId').count()).toBe(0);

      // The supply picked through search, the demand id pasted: recommended, and streamed live.
      await consolePage.getByTestId('picker-supply-q').fill(marker);
      await consolePage.getByTestId('picker-supply-search').click();
      await consolePage.locator(`[data-testid="picker-supply-pick"][data-id="${recommendedId}"]`).click({ timeout: MATCH_TIMEOUT });
      expect(await consolePage.getByTestId('recommend-supply').inputValue()).toBe(recommendedId);
      expect(await consolePage.getByTestId('recommend-picked-supply').textContent()).toContain(recommendedTitle);
      await consolePage.getByTestId('recommend-submit').click();
      await consolePage.getByTestId('recommend-done').waitFor();
      expect(await consolePage.getByTestId('recommend-done').textContent()).toContain(recommendedTitle);
      const recommended = await e.t.ctx.db.match.findFirstOrThrow({ where: { supplyListingId: recommendedId, demandListingId: demandId } });
      expect(recommended).toMatchObject({ source: 'staff', note: '两家可就展馆项目合作。' });
      const streamed = consolePage.locator(`[data-testid="console-activity"][data-match-id="${recommended.id}"]`);
      await streamed.first().waitFor();
      expect(await streamed.first().getByTestId('match-source').textContent()).toBe('平台推荐');
      expect(await consolePage.getByTestId('console-activity').first().getAttribute('data-match-id')).toBe(recommended.id);
      expect(await documentMarker(consolePage)).toBe(consoleDocument);

      // 5. In English, the agency's match page names the score's features in English.
      await agencyPage.getByTestId('locale-en').click();
      await agencyPage.getByText('Content relevance', { exact: true }).waitFor();
      expect(await agencyPage.getByTestId('match-source').textContent()).toBe('Raised hand');

      expect(consoleErrors).toEqual([]);
      expect(agencyErrors).toEqual([]);
    } finally {
      await staffContext.close();
      await agencyContext.close();
    }
  }, 120_000);
});
