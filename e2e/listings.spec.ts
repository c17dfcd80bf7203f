// The listing journey in real Chromium: a member of an approved organisation writes a supply
// listing on a phone-sized screen, a reviewer sees it arrive live and approves it, the member sees
// the decision live, and an anonymous visitor finds it in instant search without ever seeing its
// confidential details.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildListingContent, dayFromNow, registerApprovedMember, signInStaff, TEST_PASSWORD } from '../server/test/factories.ts';
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
const FULL_CHECKLIST = { no_classified_content: true, true_and_accurate: true, current_and_valid: true };
const DESKTOP = { width: 1280, height: 900 };
/** How long the worker may take to put an approved listing into the search index (well under a second when idle; CI machines are busy). */
const SEARCH_SYNC_TIMEOUT = 30_000;

let e: E2E;

beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

const queueRow = (page: Page, listingId: string) => page.locator(`[data-testid="queue-row"][data-listing-id="${listingId}"]`);
const myRow = (page: Page, listingId: string) => page.locator(`[data-testid="listing-row"][data-listing-id="${listingId}"]`);
/** The status badge of a listing page (owner or reviewer): the first one, next to the title. */
const pageStatus = (page: Page) => page.getByTestId('listing-status').first().getAttribute('data-status');
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('listing publication (browser)', () => {
  it('a member submits a listing on a 360 px screen, a reviewer approves it live, and anyone finds it without its secret', async () => {
    const member = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const staff = await createStaff(e.t.ctx.db, 'reviewer');

    // Another organisation's listing, already published through the API: search has something else
    // to show, so finding ours means the query narrowed the results.
    const other = await registerApprovedMember(e.t.ctx.db, e.t.baseUrl);
    const otherReviewer = await signInStaff(e.t.ctx.db, e.t.baseUrl, 'reviewer');
    const otherCreated = await other.client.post('/api/listings', { side: 'supply', content: buildListingContent(), submit: true });
    expect(otherCreated.status).toBe(201);
    const otherId = otherCreated.body.id as string;
    const otherDecided = await otherReviewer.client.post(`/api/review/listings/${otherId}/decision`, { decision: 'approve', checklist: FULL_CHECKLIST });
    expect(otherDecided.status).toBe(200);

    // A made-up Latin word marks the title: searching a prefix of it can only find this listing.
    const tag = randomBytes(4).toString('hex');
    const marker = `qzv${tag}`;
    const title = `锂电池热失控多参数预警技术 ${marker}`;
    const secret = `SECRET-${randomBytes(6).toString('hex')}`;
    const summary = '基于温度、电压与气体多参数融合的锂电池热失控早期预警方法，可在热失控发生前数分钟给出告警，适用于储能电站与电动汽车电池包。';
    const details = `【保密】电解液配方与传感器布置参数 ${secret}`;
    const validUntil = dayFromNow(200);

    const reviewerContext = await e.newContext({ viewport: DESKTOP });
    const memberContext = await e.newContext({ viewport: PHONE });
    const visitorContext = await e.newContext({ viewport: PHONE });
    try {
      // 0. Meanwhile (alongside step 1), the reviewer signs in through the UI and opens the (empty)
      // listing queue; it is open and connected before the member submits.
      const reviewerReady = (async () => {
        const page = await reviewerContext.newPage();
        const errors = collectPageErrors(page);
        const live = trackLiveSocket(page);
        await loginThroughUi(page, staff.email, staff.password, '/review');
        await page.getByTestId('nav-review-listings').click();
        await page.waitForURL((url) => url.pathname === '/review/listings');
        await page.getByTestId('queue-empty').waitFor();
        expect(await page.getByTestId('tab-pending').getAttribute('aria-current')).toBe('page');
        await live.connected();
        return { page, errors, document: await markDocument(page) };
      })();
      // Awaited below; if the member's part fails first, this must not surface as an unhandled rejection.
      reviewerReady.catch(() => {});

      // 1. The member signs in through the UI, opens 我的发布 → 发布供给 and fills the form.
      const memberPage = await memberContext.newPage();
      const memberErrors = collectPageErrors(memberPage);
      const memberLive = trackLiveSocket(memberPage);
      await loginThroughUi(memberPage, member.input.user.email, TEST_PASSWORD, '/organization');
      await memberPage.getByTestId('nav-listings').click();
      await memberPage.waitForURL((url) => url.pathname === '/listings');
      await memberPage.getByTestId('listings-empty').waitFor();
      await memberPage.getByTestId('new-supply').click();
      await memberPage.waitForURL((url) => url.pathname === '/listings/new' && url.searchParams.get('side') === 'supply');
      const form = memberPage.getByTestId('listing-form');
      await form.waitFor();
      expect(await scrollWidth(memberPage)).toBeLessThanOrEqual(PHONE.width);

      await memberPage.getByLabel('类别', { exact: true }).selectOption({ label: '科技成果' });
      await memberPage.locator('#lf-title').fill(title);
      await memberPage.locator('#lf-summary').fill(summary);
      await memberPage.locator('#lf-details').fill(details);
      await memberPage.getByLabel('领域', { exact: true }).selectOption({ label: '新能源' });
      await memberPage.getByTestId('industry-options').getByRole('checkbox', { name: '锂电池', exact: true }).check();
      expect(await memberPage.getByTestId('industry-chosen').textContent()).toContain('新能源 / 锂电池');
      // A comma adds the words typed so far; the last one is added when the field loses focus.
      const keywordInput = memberPage.getByTestId('keyword-input');
      await keywordInput.fill('锂电池，热失控，');
      await keywordInput.fill('储能');
      await keywordInput.blur();
      await expect.poll(() => memberPage.getByTestId('keyword-chips').locator('li span').allTextContents()).toEqual(['锂电池', '热失控', '储能']);
      await memberPage.getByLabel('所在省份', { exact: true }).selectOption({ label: '浙江省' });
      await memberPage.getByLabel('所在城市', { exact: true }).selectOption({ label: '杭州市' });
      await memberPage.getByLabel('成熟度', { exact: true }).selectOption({ label: '中试' });
      await memberPage.getByRole('checkbox', { name: '技术转让', exact: true }).check();
      await memberPage.getByRole('checkbox', { name: '技术许可', exact: true }).check();
      await memberPage.getByRole('radio', { name: '填写区间', exact: true }).check();
      const priceMin = memberPage.getByLabel('最低（万元）', { exact: true });
      const priceMax = memberPage.getByLabel('最高（万元）', { exact: true });
      await priceMin.fill('200');
      await priceMax.fill('50');
      await memberPage.getByLabel('有效期至', { exact: true }).fill(validUntil);
      expect(await scrollWidth(memberPage)).toBeLessThanOrEqual(PHONE.width);

      // Minimum above maximum: the error shows beside the price field, and only there; nothing is saved.
      await memberPage.getByTestId('listing-submit').click();
      const priceError = memberPage.getByTestId('price-field').getByTestId('error-content.price.max');
      await priceError.waitFor();
      expect(await priceError.textContent()).toContain('最低金额不能高于最高金额');
      expect(await priceMax.getAttribute('aria-invalid')).toBe('true');
      expect((await priceMax.getAttribute('aria-describedby'))?.split(' ')).toContain(await priceError.getAttribute('id'));
      expect(await form.locator('.field-error').count()).toBe(1);
      expect(await memberPage.getByTestId('error-summary').textContent()).toContain('价格');
      expect(new URL(memberPage.url()).pathname).toBe('/listings/new');
      expect(await e.t.ctx.db.listing.count({ where: { organizationId: member.organizationId } })).toBe(0);
      expect(await scrollWidth(memberPage)).toBeLessThanOrEqual(PHONE.width);

      // Corrected and submitted for review (the reviewer's queue is open by now): the owner page shows 待审核.
      const { page: reviewer, errors: reviewerErrors, document: reviewerDocument } = await reviewerReady;
      await priceMax.fill('500');
      await memberPage.getByTestId('listing-submit').click();
      await memberPage.waitForURL((url) => /^\/listings\/[0-9a-f-]{36}\/manage$/.test(url.pathname));
      const listingId = new URL(memberPage.url()).pathname.split('/')[2]!;
      await expect.poll(() => pageStatus(memberPage)).toBe('pending');
      expect(await memberPage.getByTestId('listing-status').first().textContent()).toBe('待审核');
      expect(await memberPage.getByTestId('listing-title').textContent()).toBe(title);
      expect(await memberPage.getByTestId('version-details').textContent()).toContain(secret);
      expect(await memberPage.getByTestId('live-status').textContent()).toContain('已提交审核');

      const stored = await e.t.ctx.db.listing.findUniqueOrThrow({ where: { id: listingId }, include: { versions: true } });
      expect(stored.status).toBe('pending');
      expect(stored.versions).toHaveLength(1);
      expect(stored.versions[0]).toMatchObject({
        status: 'pending',
        kind: 'achievement',
        title,
        details,
        industries: ['new-energy.lithium-battery'],
        keywords: ['锂电池', '热失控', '储能'],
        provinceCode: '330000',
        cityCode: '330100',
        maturity: 'pilot',
        modes: ['transfer', 'license'],
        priceNegotiable: false,
        priceMin: 2_000_000n,
        priceMax: 5_000_000n,
        validUntil,
      });

      // Back to 我的发布 (client-side): the row is waiting for review; the page stays open from here on.
      await memberPage.getByRole('link', { name: '← 返回我的发布' }).click();
      await memberPage.waitForURL((url) => url.pathname === '/listings');
      const row = myRow(memberPage, listingId);
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('pending');
      expect(await row.getByTestId('listing-status').textContent()).toBe('待审核');
      await memberLive.connected();
      const memberDocument = await markDocument(memberPage);

      // 2. Without reloading, the reviewer's queue shows the new listing; they open it and see the details.
      const queued = queueRow(reviewer, listingId);
      await queued.waitFor();
      expect(await queued.getAttribute('data-new')).toBe('true');
      expect(await queued.textContent()).toContain(member.input.organization.name);
      expect(await documentMarker(reviewer)).toBe(reviewerDocument);
      await queued.getByRole('link', { name: title }).click();
      await reviewer.waitForURL((url) => url.pathname === `/review/listings/${listingId}`);
      await expect.poll(() => pageStatus(reviewer)).toBe('pending');
      expect(await reviewer.getByTestId('review-content').getByTestId('version-details').textContent()).toContain(secret);

      // Approving with the checklist unticked is refused beside the checklist; nothing is decided.
      await reviewer.getByTestId('approve').click();
      const checklistError = reviewer.getByTestId('error-checklist');
      await checklistError.waitFor();
      expect(await reviewer.getByTestId('checklist-no_classified_content').getAttribute('aria-invalid')).toBe('true');
      expect((await e.t.ctx.db.listing.findUniqueOrThrow({ where: { id: listingId } })).status).toBe('pending');

      for (const item of Object.keys(FULL_CHECKLIST)) {
        await reviewer.getByTestId(`checklist-${item}`).check();
      }
      await reviewer.getByTestId('approve').click();
      await expect.poll(() => pageStatus(reviewer), { timeout: LIVE_TIMEOUT }).toBe('published');
      expect(await reviewer.getByTestId('approve').count()).toBe(0);
      expect(await reviewer.getByTestId('error-checklist').count()).toBe(0);

      // 3. Without reloading, the member's row turns 已发布.
      await expect.poll(() => row.getAttribute('data-status'), { timeout: LIVE_TIMEOUT }).toBe('published');
      expect(await row.getByTestId('listing-status').textContent()).toBe('已发布');
      await expect.poll(() => memberPage.getByTestId('live-status').textContent(), { timeout: LIVE_TIMEOUT }).toContain('已发布');
      expect(await documentMarker(memberPage)).toBe(memberDocument);
      expect(await scrollWidth(memberPage)).toBeLessThanOrEqual(PHONE.width);

      // 4. An anonymous visitor on a phone. The worker puts the listing into the index after the
      // approval: wait for both listings through the web origin's API, then search as a visitor does.
      const visitor = await visitorContext.newPage();
      const visitorErrors = collectPageErrors(visitor);
      const query = marker.slice(0, 7);
      const searchIds = async (q: string) => {
        const res = await visitor.request.get(`/api/listings/search?q=${encodeURIComponent(q)}`);
        expect(res.status()).toBe(200);
        return ((await res.json()) as { hits: { id: string }[] }).hits.map((h) => h.id).sort();
      };
      await expect.poll(() => searchIds(''), { timeout: SEARCH_SYNC_TIMEOUT, interval: 100 }).toEqual([listingId, otherId].sort());

      await visitor.goto('/search');
      await visitor.getByTestId('results-count').filter({ hasText: '找到 2 条结果' }).waitFor();
      expect(await scrollWidth(visitor)).toBeLessThanOrEqual(PHONE.width);
      const searchDocument = await markDocument(visitor);

      // Typed, not submitted: after a short pause the results follow the text (the URL too).
      await visitor.getByTestId('search-input').pressSequentially(query);
      const results = visitor.locator('section.results');
      const shownIds = () => visitor.getByTestId('search-hit').evaluateAll((hits) => hits.map((h) => h.getAttribute('data-listing-id')));
      await expect
        .poll(async () => ({ q: new URL(visitor.url()).searchParams.get('q'), busy: await results.getAttribute('aria-busy'), ids: await shownIds() }))
        .toEqual({ q: query, busy: 'false', ids: [listingId] });
      expect(await visitor.getByTestId('results-count').textContent()).toContain('找到 1 条结果');
      expect(await documentMarker(visitor)).toBe(searchDocument);
      const hit = visitor.locator(`[data-testid="search-hit"][data-listing-id="${listingId}"]`);
      const highlighted = hit.getByTestId('hit-link').locator('mark');
      expect(await highlighted.count()).toBeGreaterThan(0);
      expect((await highlighted.allTextContents()).join('').toLowerCase()).toContain(query);
      expect(await hit.getByTestId('hit-link').textContent()).toBe(title);
      expect(await hit.getByTestId('hit-price').textContent()).toContain('万元');
      expect(await visitor.content()).not.toContain(secret);
      expect(await scrollWidth(visitor)).toBeLessThanOrEqual(PHONE.width);

      // The public page (reached client-side, then loaded afresh) never carries the secret.
      await hit.getByTestId('hit-link').click();
      await visitor.waitForURL((url) => url.pathname === `/listings/${listingId}`);
      await visitor.getByTestId('public-listing').waitFor();
      expect(await visitor.getByTestId('listing-title').textContent()).toBe(title);
      expect(await visitor.getByTestId('listing-summary').textContent()).toBe(summary);
      expect(await visitor.getByTestId('listing-org').textContent()).toContain(member.input.organization.name);
      expect(await visitor.content()).not.toContain(secret);
      expect(await visitor.content()).not.toContain('【保密】');
      const fresh = await visitor.goto(`/listings/${listingId}`);
      expect(await fresh!.text()).not.toContain(secret);
      await visitor.getByTestId('public-listing').waitFor();
      expect(await visitor.content()).not.toContain(secret);
      expect(await scrollWidth(visitor)).toBeLessThanOrEqual(PHONE.width);

      expect(reviewerErrors).toEqual([]);
      expect(memberErrors).toEqual([]);
      expect(visitorErrors).toEqual([]);
    } finally {
      await reviewerContext.close();
      await memberContext.close();
      await visitorContext.close();
    }
    // About 20–25 s on a quiet machine, up to ~50 s on a saturated one: the limit only catches a hang.
  }, 90_000);
});
