import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, nextEvent } from '../../test/client.ts';
import { buildRegistration, registerMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;
let ip = 0;
/** Each registration comes from its own IP so the per-IP limit does not interfere with other tests. */
const client = () => new ApiClient(t.baseUrl, { 'x-forwarded-for': `10.9.${Math.floor(ip / 250)}.${ip++ % 250}` });

beforeAll(async () => {
  t = await startTestHub({ REGISTER_LIMIT_PER_IP: '3' });
});
afterAll(() => t.close());

async function counts() {
  const [organizations, users, reviews, evidence] = await Promise.all([
    t.ctx.db.organization.count(),
    t.ctx.db.user.count(),
    t.ctx.db.organizationReview.count(),
    t.ctx.db.evidenceEntry.count(),
  ]);
  return { organizations, users, reviews, evidence };
}

/** Sends a bad registration and checks it is refused with that code and that nothing was written. */
async function expectRefused(send: (c: ApiClient) => ReturnType<ApiClient['request']>, status: number, error: string) {
  const before = await counts();
  const res = await send(client());
  expect(res.status).toBe(status);
  expect(res.body.error).toBe(error);
  expect(res.body.message).toEqual(expect.any(String));
  expect(res.setCookie).toBeNull();
  expect(await counts()).toEqual(before);
  return res.body;
}

const fieldsOf = (body: { details: { fields: { path: string; message: string }[] } }) =>
  Object.fromEntries(body.details.fields.map((f) => [f.path, f.message]));

describe('registration refusals', () => {
  it('malformed JSON → 400 invalid_json', async () => {
    await expectRefused((c) => c.request('POST', '/api/auth/register', undefined, '{"organization": '), 400, 'invalid_json');
  });

  it('unknown fields → 400 naming them', async () => {
    const input = buildRegistration();
    const body = await expectRefused((c) => c.post('/api/auth/register', { ...input, isAdmin: true }), 400, 'validation_failed');
    expect(JSON.stringify(body.details.fields)).toContain('isAdmin');
  });

  it('wrong types → 400 with the field path', async () => {
    const input = buildRegistration();
    const body = await expectRefused(
      (c) => c.post('/api/auth/register', { ...input, organization: { ...input.organization, industries: 'new-energy' } }),
      400,
      'validation_failed',
    );
    expect(fieldsOf(body)).toHaveProperty('organization.industries');
  });

  it('over-long strings → 400', async () => {
    const body = await expectRefused(
      (c) => c.post('/api/auth/register', buildRegistration({ organization: { name: '很'.repeat(101) } })),
      400,
      'validation_failed',
    );
    expect(fieldsOf(body)).toHaveProperty('organization.name');
  });

  it('a NUL or a lone surrogate in a name → 400 naming the field (Postgres would refuse it: a 500 before)', async () => {
    const body = await expectRefused(
      (c) => c.post('/api/auth/register', buildRegistration({ organization: { name: '杭州\u0000科技有限公司' }, user: { name: '李\uD800明' } })),
      400,
      'validation_failed',
    );
    expect(fieldsOf(body)).toEqual({ 'organization.name': 'control_characters', 'user.name': 'invalid_text' });
  });

  it('an invalid credit code check character → 400 on organization.creditCode', async () => {
    const good = buildRegistration().organization.creditCode;
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const body = await expectRefused(
      (c) => c.post('/api/auth/register', buildRegistration({ organization: { creditCode: bad } })),
      400,
      'validation_failed',
    );
    expect(fieldsOf(body)['organization.creditCode']).toBe('credit_code_check_character');
  });

  it('enterprise without size, unknown region and short password → one 400 listing every field', async () => {
    const input = buildRegistration({
      organization: { enterpriseSize: undefined, cityCode: '110100' },
      user: { password: 'short' },
    });
    const body = await expectRefused((c) => c.post('/api/auth/register', input), 400, 'validation_failed');
    expect(fieldsOf(body)).toMatchObject({
      'organization.enterpriseSize': 'required_for_enterprise',
      'organization.cityCode': 'unknown_region',
      'user.password': 'password_too_short',
    });
  });

  it('a body over the limit → 413', async () => {
    const input = buildRegistration({ organization: { name: 'x'.repeat(70_000) } });
    await expectRefused((c) => c.post('/api/auth/register', input), 413, 'payload_too_large');
  });

  it('a duplicate credit code (public data) → 409 on that field', async () => {
    const { input } = await registerMember(t.baseUrl, {});
    const sameCode = await expectRefused(
      (c) => c.post('/api/auth/register', buildRegistration({ organization: { creditCode: input.organization.creditCode.toLowerCase() } })),
      409,
      'credit_code_taken',
    );
    expect(fieldsOf(sameCode)).toHaveProperty('organization.creditCode');
  });

  it('a registered email gets the answer a new one gets (status, body, headers, no session) and nothing is written', async () => {
    const owner = await registerMember(t.baseUrl);
    /** What an outsider can observe of a registration's answer. */
    const observe = async (c: ApiClient, input: ReturnType<typeof buildRegistration>) => {
      const res = await c.post('/api/auth/register', input);
      const headers = [...res.headers.keys()].filter((h) => !['date', 'x-request-id'].includes(h)).sort();
      return { status: res.status, body: res.body, headers, cookies: res.headers.getSetCookie() };
    };
    const fresh = await observe(client(), buildRegistration());
    const before = await counts();
    const prober = client();
    const taken = await observe(prober, buildRegistration({ user: { email: owner.input.user.email.toUpperCase(), password: 'prober-password-1' } }));
    expect(taken).toEqual(fresh);
    expect(taken).toMatchObject({ status: 202, body: { next: 'sign_in' }, cookies: [] });
    expect(await counts()).toEqual(before);
    // No session for anyone: not the owner's, not a new one; the owner's password still stands.
    expect((await prober.get('/api/auth/session')).status).toBe(401);
    expect((await client().post('/api/auth/login', { email: owner.input.user.email, password: 'prober-password-1' })).status).toBe(401);
    expect((await client().post('/api/auth/login', { email: owner.input.user.email, password: owner.input.user.password })).status).toBe(200);
  });

  it('too many registrations from one IP → 429', async () => {
    const sameIp = () => new ApiClient(t.baseUrl, { 'x-forwarded-for': '10.250.0.1' });
    for (let i = 0; i < 3; i++) expect((await sameIp().post('/api/auth/register', buildRegistration())).status).toBe(202);
    await expectRefused(() => sameIp().post('/api/auth/register', buildRegistration()), 429, 'rate_limited');
  });
});

describe('registration and review', () => {
  it('registers a pending organisation that its member then signs in to, queues it live for reviewers, and records the submission as evidence', async () => {
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    const socket = reviewer.client.socket();
    await connected(socket);
    const queued = nextEvent(socket, 'console:organization-queued');
    const c = client();
    const input = buildRegistration({ organization: { creditCode: buildRegistration().organization.creditCode.toLowerCase() } });
    const registered = await c.post('/api/auth/register', input);
    expect(registered).toMatchObject({ status: 202, body: { next: 'sign_in' }, setCookie: null });
    const res = await c.post('/api/auth/login', { email: input.user.email, password: input.user.password });
    expect(res.status).toBe(200);
    expect(res.body.organization).toMatchObject({ status: 'pending', submission: 1, creditCode: input.organization.creditCode.toUpperCase() });
    expect(res.body.user).toMatchObject({ email: input.user.email, staffRole: null });
    expect(res.body.user).not.toHaveProperty('passwordHash');
    expect((await queued).id).toBe(res.body.organization.id);
    socket.close();

    const stored = await t.ctx.db.user.findUniqueOrThrow({ where: { email: input.user.email } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    const evidence = await t.ctx.db.evidenceEntry.findMany({ where: { subjectId: res.body.organization.id } });
    expect(evidence.map((e) => e.kind)).toEqual(['organization.submitted']);

    const queue = await reviewer.client.get('/api/review/organizations?status=pending');
    expect(queue.body.organizations.map((o: { id: string }) => o.id)).toContain(res.body.organization.id);
  });

  it('refuses staff routes to members (403) and to anonymous callers (401), changing nothing', async () => {
    const member = await registerMember(t.baseUrl);
    expect((await member.client.get('/api/review/organizations')).status).toBe(403);
    const decision = await member.client.post(`/api/review/organizations/${member.organizationId}/decision`, { decision: 'approve' });
    expect(decision.status).toBe(403);
    expect(decision.body.error).toBe('forbidden');
    expect((await new ApiClient(t.baseUrl).get('/api/review/organizations')).status).toBe(401);
    expect((await t.ctx.db.organization.findUniqueOrThrow({ where: { id: member.organizationId } })).status).toBe('pending');
  });

  it('a moderator is not a reviewer', async () => {
    const moderator = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    expect((await moderator.client.get('/api/review/organizations')).status).toBe(403);
  });

  it('approval reaches the applicant live and as a notification, and a second decision is a conflict', async () => {
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    const member = await registerMember(t.baseUrl);
    const socket = member.client.socket();
    await connected(socket);
    const reviewed = nextEvent(socket, 'organization:reviewed');

    const res = await reviewer.client.post(`/api/review/organizations/${member.organizationId}/decision`, { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('approved');
    expect(await reviewed).toMatchObject({ organizationId: member.organizationId, status: 'approved' });
    socket.close();

    const notifications = await member.client.get('/api/notifications');
    expect(notifications.body.unread).toBe(1);
    expect(notifications.body.notifications[0]).toMatchObject({ kind: 'organization.approved', readAt: null });

    const again = await reviewer.client.post(`/api/review/organizations/${member.organizationId}/decision`, { decision: 'reject', reason: '重复审核' });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('review_conflict');
    expect((await t.ctx.db.organization.findUniqueOrThrow({ where: { id: member.organizationId } })).status).toBe('approved');
  });

  it('rejection needs a reason; the applicant corrects and resubmits, and the history keeps both submissions', async () => {
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    const member = await registerMember(t.baseUrl);
    const path = `/api/review/organizations/${member.organizationId}/decision`;

    const noReason = await reviewer.client.post(path, { decision: 'reject' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.details.fields[0].path).toBe('reason');

    const early = await member.client.post('/api/organizations/mine/resubmit', member.input.organization);
    expect(early.status).toBe(409);

    expect((await reviewer.client.post(path, { decision: 'reject', reason: '联系人电话无法接通' })).status).toBe(200);
    const mine = await member.client.get('/api/organizations/mine');
    expect(mine.body).toMatchObject({ status: 'rejected', rejectionReason: '联系人电话无法接通' });

    const reviewerSocket = reviewer.client.socket();
    await connected(reviewerSocket);
    const requeued = nextEvent(reviewerSocket, 'console:organization-queued');
    const corrected = { ...member.input.organization, contactPhone: '13900000000' };
    const resubmitted = await member.client.post('/api/organizations/mine/resubmit', corrected);
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.body).toMatchObject({ status: 'pending', submission: 2, contactPhone: '13900000000', rejectionReason: null });
    expect((await requeued).id).toBe(member.organizationId);
    reviewerSocket.close();

    const detail = await reviewer.client.get(`/api/review/organizations/${member.organizationId}`);
    expect(detail.body.reviews).toHaveLength(2);
    expect(detail.body.reviews[0]).toMatchObject({ submission: 1, decision: 'rejected', reason: '联系人电话无法接通' });
    expect(detail.body.reviews[1]).toMatchObject({ submission: 2, decision: null });
    const kinds = (await t.ctx.db.evidenceEntry.findMany({ where: { subjectId: member.organizationId }, orderBy: { seq: 'asc' } })).map((e) => e.kind);
    expect(kinds).toEqual(['organization.submitted', 'organization.reviewed', 'organization.submitted']);
  });

  it('answers 404 for an unknown organisation and 400 for a malformed id', async () => {
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    const missing = await reviewer.client.get('/api/review/organizations/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('organization_not_found');
    expect((await reviewer.client.get('/api/review/organizations/not-a-uuid')).status).toBe(400);
  });
});

describe('the approved-member guard', () => {
  it('lets only members of approved organisations through', async () => {
    const { authorize } = await import('../auth/guards.ts');
    const member = { userId: 'u', name: 'n', email: 'e', staffRole: null, organizationId: 'o' } as const;
    expect(() => authorize('approved_member', { ...member, organizationStatus: 'pending' })).toThrow(
      expect.objectContaining({ code: 'organization_not_approved' }),
    );
    expect(() => authorize('approved_member', { ...member, organizationStatus: 'rejected' })).toThrow(
      expect.objectContaining({ code: 'organization_not_approved' }),
    );
    expect(() => authorize('approved_member', { ...member, organizationId: null, organizationStatus: null })).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(() => authorize('approved_member', null)).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
    expect(() => authorize('approved_member', { ...member, organizationStatus: 'approved' })).not.toThrow();
  });
});
