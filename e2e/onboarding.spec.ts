// The onboarding journey in real Chromium: an organisation registers on a phone-sized screen, a
// reviewer sees it arrive live and decides, and the applicant sees the decision live.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { CREDIT_CODE_ALPHABET } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCreditCode, registerMember, TEST_PASSWORD } from '../server/test/factories.ts';
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

let e: E2E;

beforeAll(async () => {
  e = await startE2E();
});
afterAll(async () => {
  await e?.close();
});

const queueRow = (page: Page, organizationId: string) => page.locator(`[data-testid="queue-row"][data-org-id="${organizationId}"]`);
const status = (page: Page) => page.getByTestId('org-status').getAttribute('data-status');
const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe('organisation onboarding (browser)', () => {
  it('registers on a 360 px screen, appears live in the review queue, and sees the approval and its notification live', async () => {
    // Another application already waiting: the reviewer's queue is not empty when they open it.
    const earlier = await registerMember(e.t.baseUrl);
    const staff = await createStaff(e.t.ctx.db, 'reviewer');
    const reviewerContext = await e.newContext();
    const applicantContext = await e.newContext({ viewport: PHONE });
    try {
      // 1. The reviewer signs in through the UI and lands on the pending queue.
      const reviewer = await reviewerContext.newPage();
      const reviewerErrors = collectPageErrors(reviewer);
      const reviewerLive = trackLiveSocket(reviewer);
      await loginThroughUi(reviewer, staff.email, staff.password, '/review');
      await queueRow(reviewer, earlier.organizationId).waitFor();
      expect(await reviewer.getByTestId('tab-pending').getAttribute('aria-current')).toBe('page');
      await reviewerLive.connected();
      const reviewerDocument = await markDocument(reviewer);

      // 2. The applicant registers, on a phone-sized screen.
      const applicant = await applicantContext.newPage();
      const applicantErrors = collectPageErrors(applicant);
      const applicantLive = trackLiveSocket(applicant);
      await applicant.goto('/register');
      const form = applicant.getByTestId('register-form');
      await form.waitFor();
      expect(await scrollWidth(applicant)).toBeLessThanOrEqual(PHONE.width);

      const tag = randomBytes(3).toString('hex');
      const orgName = `杭州浏览器测试科技有限公司${tag}`;
      const creditCode = buildCreditCode();
      const wrongCheck = CREDIT_CODE_ALPHABET.split('').find((c) => c !== creditCode[17])!;
      const email = `applicant-${tag}@example.cn`;

      await applicant.getByLabel('机构类型', { exact: true }).selectOption({ label: '企业' });
      await applicant.getByLabel('企业规模', { exact: true }).selectOption({ label: '小型企业' });
      await applicant.getByLabel('机构名称', { exact: true }).fill(orgName);
      const creditCodeInput = applicant.getByLabel('统一社会信用代码', { exact: true });
      // Typed in lower case: the field upper-cases as the user types.
      await creditCodeInput.fill((creditCode.slice(0, 17) + wrongCheck).toLowerCase());
      expect(await creditCodeInput.inputValue()).toBe(creditCode.slice(0, 17) + wrongCheck);
      await applicant.getByLabel('所在省份', { exact: true }).selectOption({ label: '浙江省' });
      await applicant.getByLabel('所在城市', { exact: true }).selectOption({ label: '杭州市' });
      await applicant.getByRole('checkbox', { name: '新能源', exact: true }).check();
      await applicant.getByLabel('联系人', { exact: true }).fill('王芳');
      await applicant.getByLabel('联系电话', { exact: true }).fill('13912345678');
      await applicant.getByLabel('姓名', { exact: true }).fill('王芳');
      await applicant.getByLabel('电子邮箱', { exact: true }).fill(email);
      await applicant.getByLabel('密码', { exact: true }).fill(TEST_PASSWORD);
      expect(await scrollWidth(applicant)).toBeLessThanOrEqual(PHONE.width);

      // A wrong check character: the error shows next to the credit-code field, and only there.
      await applicant.getByTestId('register-submit').click();
      const creditCodeError = applicant.getByTestId('error-organization.creditCode');
      await creditCodeError.waitFor();
      expect(await creditCodeError.textContent()).toContain('校验位不正确');
      expect(await creditCodeInput.getAttribute('aria-invalid')).toBe('true');
      expect((await creditCodeInput.getAttribute('aria-describedby'))?.split(' ')).toContain(await creditCodeError.getAttribute('id'));
      expect(await form.locator('.field-error').count()).toBe(1);
      expect(await applicant.getByTestId('error-summary').textContent()).toContain('统一社会信用代码');
      expect(new URL(applicant.url()).pathname).toBe('/register');
      expect(await scrollWidth(applicant)).toBeLessThanOrEqual(PHONE.width);

      // Corrected: registered, signed in, on the organisation page as pending.
      await creditCodeInput.fill(creditCode);
      await applicant.getByTestId('register-submit').click();
      await applicant.waitForURL((url) => url.pathname === '/organization');
      await expect.poll(() => status(applicant)).toBe('pending');
      expect(await applicant.getByTestId('detail-credit-code').textContent()).toBe(creditCode);
      await applicantLive.connected();
      const applicantDocument = await markDocument(applicant);
      const organization = await e.t.ctx.db.organization.findFirstOrThrow({ where: { creditCode } });
      expect(organization).toMatchObject({ name: orgName, status: 'pending', enterpriseSize: 'small', provinceCode: '330000', cityCode: '330100' });

      // 3. Without reloading, the reviewer's queue shows the new application; they open and approve it.
      const row = queueRow(reviewer, organization.id);
      await row.waitFor();
      expect(await row.getAttribute('data-new')).toBe('true');
      expect(await queueRow(reviewer, earlier.organizationId).count()).toBe(1);
      expect(await documentMarker(reviewer)).toBe(reviewerDocument);
      await row.getByRole('link', { name: orgName }).click();
      await reviewer.waitForURL((url) => url.pathname === `/review/${organization.id}`);
      await expect.poll(() => status(reviewer)).toBe('pending');
      await reviewer.getByTestId('approve').click();
      await expect.poll(() => status(reviewer), { timeout: LIVE_TIMEOUT }).toBe('approved');
      expect(await reviewer.getByTestId('approve').count()).toBe(0);

      // 4. Without reloading, the applicant sees the approval, and the worker's notification arrives.
      await expect.poll(() => status(applicant), { timeout: LIVE_TIMEOUT }).toBe('approved');
      expect(await applicant.getByTestId('status-explanation').textContent()).toContain('已通过审核');
      const notification = applicant.getByTestId('notification').filter({ hasText: '您的机构已通过审核' });
      await notification.waitFor();
      expect(await notification.getAttribute('data-read')).toBe('false');
      await expect.poll(() => applicant.getByTestId('notifications-unread').textContent(), { timeout: LIVE_TIMEOUT }).toBe('1');
      expect(await documentMarker(applicant)).toBe(applicantDocument);
      expect(await scrollWidth(applicant)).toBeLessThanOrEqual(PHONE.width);

      expect(reviewerErrors).toEqual([]);
      expect(applicantErrors).toEqual([]);
    } finally {
      await reviewerContext.close();
      await applicantContext.close();
    }
  }, 40_000);

  it('shows a rejection and its reason live, and a corrected resubmission goes back to the queue', async () => {
    const member = await registerMember(e.t.baseUrl);
    const staff = await createStaff(e.t.ctx.db, 'reviewer');
    const reason = '营业执照上的机构名称与填写的不一致';
    const reviewerContext = await e.newContext();
    const applicantContext = await e.newContext({ viewport: PHONE });
    try {
      const applicant = await applicantContext.newPage();
      const applicantErrors = collectPageErrors(applicant);
      const applicantLive = trackLiveSocket(applicant);
      await loginThroughUi(applicant, member.input.user.email, TEST_PASSWORD, '/organization');
      await expect.poll(() => status(applicant)).toBe('pending');
      await applicantLive.connected();
      const applicantDocument = await markDocument(applicant);

      const reviewer = await reviewerContext.newPage();
      const reviewerErrors = collectPageErrors(reviewer);
      const reviewerLive = trackLiveSocket(reviewer);
      await loginThroughUi(reviewer, staff.email, staff.password, '/review');
      await reviewerLive.connected();
      await queueRow(reviewer, member.organizationId).getByRole('link').click();
      await reviewer.waitForURL((url) => url.pathname === `/review/${member.organizationId}`);

      // Rejecting needs a reason; then reject with one.
      await reviewer.getByTestId('reject').click();
      await reviewer.getByTestId('error-reason').waitFor();
      await reviewer.getByLabel('审核意见', { exact: true }).fill(reason);
      await reviewer.getByTestId('reject').click();
      await expect.poll(() => status(reviewer), { timeout: LIVE_TIMEOUT }).toBe('rejected');

      // The applicant sees the rejection and the reason live, and the notification carrying it.
      await expect.poll(() => status(applicant), { timeout: LIVE_TIMEOUT }).toBe('rejected');
      await expect.poll(() => applicant.getByTestId('rejection-reason').textContent(), { timeout: LIVE_TIMEOUT }).toContain(reason);
      await applicant.getByTestId('notification').filter({ hasText: reason }).waitFor();

      // The reviewer goes back to the (client-side) queue, where the resubmission will arrive live.
      await reviewer.getByRole('link', { name: '返回审核列表' }).click();
      await reviewer.waitForURL((url) => url.pathname === '/review');
      await reviewer.getByRole('heading', { name: '机构审核', exact: true }).waitFor();
      expect(await queueRow(reviewer, member.organizationId).count()).toBe(0);

      // The applicant corrects the name in the prefilled form and resubmits.
      const resubmit = applicant.getByTestId('resubmit-form');
      await resubmit.waitFor();
      const nameInput = resubmit.getByLabel('机构名称', { exact: true });
      expect(await nameInput.inputValue()).toBe(member.input.organization.name);
      const correctedName = `${member.input.organization.name}（更正）`;
      await nameInput.fill(correctedName);
      await resubmit.getByTestId('resubmit-submit').click();

      await expect.poll(() => status(applicant), { timeout: LIVE_TIMEOUT }).toBe('pending');
      await applicant.getByRole('heading', { name: correctedName }).waitFor();
      expect(await applicant.getByTestId('resubmit-form').count()).toBe(0);
      expect(await applicant.getByTestId('rejection-reason').count()).toBe(0);
      const history = applicant.getByTestId('review-history').locator('li');
      await expect.poll(() => history.count(), { timeout: LIVE_TIMEOUT }).toBe(2);
      // Newest first: the new submission waiting, then the rejected one with its reason.
      expect(await history.nth(0).textContent()).toContain('第 2 次提交');
      expect(await history.nth(0).getByTestId('history-decision').getAttribute('data-status')).toBe('pending');
      expect(await history.nth(1).textContent()).toContain('第 1 次提交');
      expect(await history.nth(1).getByTestId('history-decision').getAttribute('data-status')).toBe('rejected');
      expect(await history.nth(1).textContent()).toContain(reason);
      expect(await documentMarker(applicant)).toBe(applicantDocument);
      expect(await scrollWidth(applicant)).toBeLessThanOrEqual(PHONE.width);

      // Back in the reviewer's queue without a reload, marked new.
      const row = queueRow(reviewer, member.organizationId);
      await row.waitFor();
      expect(await row.getAttribute('data-new')).toBe('true');
      expect(await row.textContent()).toContain(correctedName);
      expect(await row.textContent()).toContain('第 2 次提交');

      const stored = await e.t.ctx.db.organization.findUniqueOrThrow({ where: { id: member.organizationId } });
      expect(stored).toMatchObject({ status: 'pending', submission: 2, name: correctedName });

      expect(reviewerErrors).toEqual([]);
      expect(applicantErrors).toEqual([]);
    } finally {
      await reviewerContext.close();
      await applicantContext.close();
    }
  }, 40_000);
});
