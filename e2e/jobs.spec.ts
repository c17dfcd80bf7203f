// The background jobs page in real Chromium (后台任务): a moderator on a phone-sized screen opens it
// from the staff nav; a malformed job put straight on the hub's queue (as a buggy or older producer
// might) fails in the worker and shows up by itself, within one auto-refresh, with the schema problem
// as its reason; a job with markup in its name, reason and payload is shown as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, createStaff, type E2E, LIVE_TIMEOUT, loginThroughUi, startE2E } from './support.ts';

const PHONE = { width: 360, height: 740 };
/** One auto-refresh period (10 s) plus the worker failing the job, on a loaded machine. */
const REFRESH_TIMEOUT = 25_000;

let e: E2E;

beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

describe('background jobs (browser)', () => {
  it('staff see a malformed job fail, with its reason and payload as text, without reloading', { timeout: 90_000 }, async () => {
    const moderator = await createStaff(e.t.ctx.db, 'moderator');
    const context = await e.newContext({ viewport: PHONE });
    try {
      const page = await context.newPage();
      const errors = collectPageErrors(page);
      await loginThroughUi(page, moderator.email, moderator.password, '/staff/matches');

      await page.getByTestId('nav-jobs').click();
      await page.waitForURL((url) => url.pathname === '/staff/jobs');
      await expect.poll(() => page.title()).toContain('后台任务');
      await page.getByTestId('jobs-counts').waitFor();
      expect(await page.getByTestId('nav-jobs').getAttribute('aria-current')).toBe('page');
      for (const label of ['等待', '进行中', '延迟', '已完成', '失败']) {
        expect(await page.getByTestId('jobs-counts').innerText()).toContain(label);
      }
      const failedBefore = Number(await page.getByTestId('jobs-count-failed').getAttribute('data-count'));

      // Straight onto the queue, past `enqueue` (which validates): the worker fails it at once.
      await e.t.ctx.queue.add('match-listing', { listingId: 'not-a-uuid', revision: 0 }, { jobId: 'malformed-e2e', attempts: 5 });
      const markup = '<img src=x onerror="window.__jobsXss=1">';
      await e.t.ctx.queue.add(`rebuild-<b>all</b>`, { note: markup }, { jobId: 'unknown-e2e' });

      // No click: the page asks again by itself while it is visible.
      const row = page.locator('[data-testid="failed-job"][data-job-id="malformed-e2e"]');
      await row.waitFor({ timeout: REFRESH_TIMEOUT });
      expect(await row.getAttribute('data-job-name')).toBe('match-listing');
      expect(await row.locator('h3').innerText()).toContain('匹配计算');
      expect(await row.getByTestId('failed-job-reason').innerText()).toContain('Invalid match-listing payload');
      expect(await row.getByTestId('failed-job-reason').innerText()).toContain('listingId');
      expect(await row.getByTestId('failed-job-attempts').innerText()).toBe('1');
      expect(await row.getByTestId('failed-job-payload').innerText()).toContain('"listingId": "not-a-uuid"');
      expect(await row.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      const reasonFont = await row.getByTestId('failed-job-reason').evaluate((el) => getComputedStyle(el).fontFamily);
      expect(reasonFont).toMatch(/mono|Menlo|Consolas/i);
      await expect.poll(async () => Number(await page.getByTestId('jobs-count-failed').getAttribute('data-count'))).toBeGreaterThanOrEqual(
        failedBefore + 1,
      );

      // Markup in a job's name, reason and payload is text, never HTML.
      await page.getByTestId('jobs-refresh').click();
      const unknown = page.locator('[data-testid="failed-job"][data-job-id="unknown-e2e"]');
      await unknown.waitFor({ timeout: LIVE_TIMEOUT });
      expect(await unknown.locator('h3').innerText()).toBe('rebuild-<b>all</b>');
      expect(await unknown.getByTestId('failed-job-reason').innerText()).toContain('Unknown job rebuild-<b>all</b>');
      expect(await unknown.getByTestId('failed-job-payload').innerText()).toContain('<img src=x');
      expect(await unknown.locator('img, b').count()).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { __jobsXss?: number }).__jobsXss)).toBeUndefined();

      // Fits a 360 px screen: no sideways scrolling of the page.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

      // The API is down for a moment: the page says so, keeps what it showed, and recovers on retry.
      await page.route('**/api/staff/jobs', (route) =>
        route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'service_unavailable', message: 'down' }) }),
      );
      await page.getByTestId('jobs-refresh').click();
      await page.getByTestId('jobs-error').waitFor();
      expect(await row.isVisible()).toBe(true);
      await page.unroute('**/api/staff/jobs');
      await page.getByTestId('jobs-retry').click();
      await page.getByTestId('jobs-error').waitFor({ state: 'detached' });
      expect(await row.isVisible()).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
