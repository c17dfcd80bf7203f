import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected, nextEvent } from '../../test/client.ts';
import { buildListingContent, dayFromNow, registerApprovedMember, registerMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;
let owner: Awaited<ReturnType<typeof registerApprovedMember>>;
let reviewer: Awaited<ReturnType<typeof signInStaff>>;

beforeAll(async () => {
  t = await startTestHub();
  owner = await registerApprovedMember(t.ctx.db, t.baseUrl);
  reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
});
afterAll(() => t.close());

const counts = async () => ({
  listings: await t.ctx.db.listing.count(),
  versions: await t.ctx.db.listingVersion.count(),
  evidence: await t.ctx.db.evidenceEntry.count(),
});

const fieldsOf = (body: { details?: { fields?: { path: string; message: string }[] } }) =>
  Object.fromEntries((body.details?.fields ?? []).map((f) => [f.path, f.message]));

const approve = { decision: 'approve', checklist: { no_classified_content: true, true_and_accurate: true, current_and_valid: true } };

async function createListing(client: ApiClient, content = buildListingContent(), submit = true) {
  const res = await client.post('/api/listings', { side: 'supply', content, submit });
  expect(res.status).toBe(201);
  return res.body;
}

async function publish(content = buildListingContent()) {
  const created = await createListing(owner.client, content);
  const res = await reviewer.client.post(`/api/review/listings/${created.id}/decision`, approve);
  expect(res.status).toBe(200);
  return res.body;
}

describe('publishing refusals (nothing is written)', () => {
  async function refused(client: ApiClient, body: unknown, status: number, error: string) {
    const before = await counts();
    const res = await client.post('/api/listings', body);
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(await counts()).toEqual(before);
    return res.body;
  }

  it('401 without a session, 403 for a member of an organisation that is not approved', async () => {
    const body = { side: 'supply', content: buildListingContent() };
    await refused(new ApiClient(t.baseUrl), body, 401, 'unauthenticated');
    const pending = await registerMember(t.baseUrl);
    await refused(pending.client, body, 403, 'organization_not_approved');
  });

  it('refuses missing and over-long fields, min > max, unknown industries, a past date, a wrong kind and a bad patent number', async () => {
    const { title: _omitted, ...noTitle } = buildListingContent();
    expect(fieldsOf(await refused(owner.client, { side: 'supply', content: noTitle }, 400, 'validation_failed'))).toHaveProperty('content.title');
    const cases: [Record<string, unknown>, string, string][] = [
      [{ title: '长'.repeat(101) }, 'content.title', ''],
      [{ price: { mode: 'range', min: 2_000_000, max: 1_000 } }, 'content.price.max', 'price_min_above_max'],
      [{ industries: ['new-energy.perpetual-motion'] }, 'content.industries.0', 'unknown_industry'],
      [{ validUntil: dayFromNow(-1) }, 'content.validUntil', 'valid_until_past'],
      [{ kind: 'tech_need' }, 'content.kind', 'kind_not_for_side'],
      [{ ip: [{ type: 'invention', number: 'ZL200310102344.6' }] }, 'content.ip.0.number', 'patent_number_check_character'],
      [{ keywords: ['电池', '电池'] }, 'content.keywords', 'duplicate_keywords'],
    ];
    for (const [override, path, message] of cases) {
      const fields = fieldsOf(await refused(owner.client, { side: 'supply', content: buildListingContent(override) }, 400, 'validation_failed'));
      expect(fields, path).toHaveProperty([path]);
      if (message) expect(fields[path]).toBe(message);
    }
  });

  it('refuses unknown fields', async () => {
    const body = await refused(owner.client, { side: 'supply', content: buildListingContent(), status: 'published' }, 400, 'validation_failed');
    expect(JSON.stringify(body.details)).toContain('status');
  });
});

describe('life cycle', () => {
  it('stores HTML as text, exactly as typed', async () => {
    const title = '<script>alert("x")</script> 锂电池隔膜涂覆工艺';
    const created = await createListing(owner.client, buildListingContent({ title }), false);
    expect(created.latest.content.title).toBe(title);
    expect((await t.ctx.db.listingVersion.findFirstOrThrow({ where: { listingId: created.id } })).title).toBe(title);
  });

  it('draft → edited in place → submitted → queued live → approved: public without details, notified, indexed, evidenced', async () => {
    const content = buildListingContent();
    const draft = await createListing(owner.client, content, false);
    expect(draft).toMatchObject({ status: 'draft', latest: { version: 1, status: 'draft' }, published: null });

    const edited = await owner.client.put(`/api/listings/${draft.id}`, { content: { ...content, summary: `${content.summary}（修订）` } });
    expect(edited.status).toBe(200);
    expect(edited.body.latest).toMatchObject({ version: 1, status: 'draft' });

    const staffSocket = reviewer.client.socket();
    const ownerSocket = owner.client.socket();
    await Promise.all([connected(staffSocket), connected(ownerSocket)]);
    const queued = nextEvent(staffSocket, 'console:listing-queued');
    const submitted = await owner.client.post(`/api/listings/${draft.id}/submit`);
    expect(submitted.body).toMatchObject({ status: 'pending', latest: { status: 'pending' } });
    const queuedEvent = await queued;
    expect(queuedEvent.id).toBe(draft.id);
    expect(JSON.stringify(queuedEvent)).not.toContain('SECRET-');

    const queue = await reviewer.client.get('/api/review/listings?status=pending');
    expect(queue.body.listings.map((l: { id: string }) => l.id)).toContain(draft.id);

    const reviewed = nextEvent(ownerSocket, 'listing:reviewed');
    const decided = await reviewer.client.post(`/api/review/listings/${draft.id}/decision`, approve);
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'published', published: { version: 1 } });
    const event = await reviewed;
    expect(event).toMatchObject({ listingId: draft.id, status: 'published', versionStatus: 'published' });
    expect(JSON.stringify(event)).not.toContain('SECRET-');
    staffSocket.close();
    ownerSocket.close();

    const publicView = await new ApiClient(t.baseUrl).get(`/api/listings/${draft.id}`);
    expect(publicView.status).toBe(200);
    expect(publicView.body.summary).toContain('（修订）');
    expect(JSON.stringify(publicView.body)).not.toContain('SECRET-');
    expect(publicView.body).not.toHaveProperty('details');

    const listing = await t.ctx.db.listing.findUniqueOrThrow({ where: { id: draft.id } });
    expect(await t.ctx.queue.getJob(`index-listing-${draft.id}-${listing.revision}`)).toBeTruthy();
    expect(await t.ctx.db.notification.count({ where: { userId: owner.userId, kind: 'listing.approved' } })).toBeGreaterThan(0);
    const kinds = (await t.ctx.db.evidenceEntry.findMany({ where: { subjectId: draft.id }, orderBy: { seq: 'asc' } })).map((e) => e.kind);
    expect(kinds).toEqual(['listing.saved', 'listing.saved', 'listing.submitted', 'listing.reviewed']);
    const evidence = JSON.stringify((await t.ctx.db.evidenceEntry.findMany({ where: { subjectId: draft.id } })).map((e) => e.payload));
    expect(evidence).not.toContain('SECRET-');
  });

  it('editing a published listing makes a new version that waits for review while the old one stays public', async () => {
    const published = await publish();
    const v2 = await owner.client.put(`/api/listings/${published.id}`, { content: buildListingContent({ title: '锂电池热失控预警技术（第二版）' }), submit: true });
    expect(v2.body).toMatchObject({ status: 'published', published: { version: 1 }, latest: { version: 2, status: 'pending' } });
    const again = await owner.client.put(`/api/listings/${published.id}`, { content: buildListingContent() });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('listing_state_conflict');
    expect((await new ApiClient(t.baseUrl).get(`/api/listings/${published.id}`)).body.version).toBe(1);

    await reviewer.client.post(`/api/review/listings/${published.id}/decision`, approve);
    const publicView = await new ApiClient(t.baseUrl).get(`/api/listings/${published.id}`);
    expect(publicView.body).toMatchObject({ version: 2, title: '锂电池热失控预警技术（第二版）' });
    const manage = await owner.client.get(`/api/listings/${published.id}/manage`);
    expect(manage.body.versions.map((v: { status: string }) => v.status)).toEqual(['published', 'superseded']);
  });

  it('rejection needs a reason and a complete checklist to approve; the owner corrects and resubmits', async () => {
    const created = await createListing(owner.client);
    const path = `/api/review/listings/${created.id}/decision`;
    expect((await reviewer.client.post(path, { ...approve, checklist: { ...approve.checklist, true_and_accurate: false } })).body.details.fields[0].message).toBe(
      'checklist_incomplete',
    );
    expect((await reviewer.client.post(path, { decision: 'reject', checklist: approve.checklist })).status).toBe(400);
    const rejected = await reviewer.client.post(path, { decision: 'reject', checklist: { ...approve.checklist, no_classified_content: false }, reason: '摘要含未公开的工艺参数' });
    expect(rejected.body).toMatchObject({ status: 'rejected', statusReason: '摘要含未公开的工艺参数', latest: { status: 'rejected' } });
    expect((await reviewer.client.post(path, approve)).status).toBe(409);

    const corrected = await owner.client.put(`/api/listings/${created.id}`, { content: buildListingContent(), submit: true });
    expect(corrected.body).toMatchObject({ status: 'pending', latest: { version: 2, status: 'pending' } });
    expect(corrected.body.versions.map((v: { status: string }) => v.status)).toEqual(['pending', 'rejected']);
  });

  it('withdrawal and take-down remove a listing from public view', async () => {
    const a = await publish();
    expect((await owner.client.post(`/api/listings/${a.id}/withdraw`)).body.status).toBe('withdrawn');
    expect((await new ApiClient(t.baseUrl).get(`/api/listings/${a.id}`)).status).toBe(404);
    expect((await owner.client.post(`/api/listings/${a.id}/withdraw`)).status).toBe(409);

    const b = await publish();
    const moderator = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    expect((await moderator.client.post(`/api/review/listings/${b.id}/take-down`, {})).status).toBe(400);
    const down = await moderator.client.post(`/api/review/listings/${b.id}/take-down`, { reason: '涉嫌夸大宣传' });
    expect(down.body).toMatchObject({ status: 'taken_down', statusReason: '涉嫌夸大宣传' });
    expect((await new ApiClient(t.baseUrl).get(`/api/listings/${b.id}`)).status).toBe(404);
    expect(await t.ctx.db.notification.count({ where: { userId: owner.userId, kind: 'listing.taken_down' } })).toBe(1);
  });
});

describe('who sees what', () => {
  it('confidential details reach only the owner organisation and staff', async () => {
    const published = await publish();
    const other = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const mine = await owner.client.get(`/api/listings/${published.id}/manage`);
    expect(mine.body.latest.content.details).toContain('SECRET-');
    expect((await reviewer.client.get(`/api/listings/${published.id}/manage`)).body.latest.content.details).toContain('SECRET-');
    const theirs = await other.client.get(`/api/listings/${published.id}/manage`);
    expect(theirs.status).toBe(404);
    expect(JSON.stringify(theirs.body)).not.toContain('SECRET-');
    expect((await other.client.put(`/api/listings/${published.id}`, { content: buildListingContent() })).status).toBe(404);
    expect((await other.client.post(`/api/listings/${published.id}/withdraw`)).status).toBe(404);
    expect(JSON.stringify((await other.client.get('/api/listings/mine')).body)).not.toContain(published.id);
  });

  it('staff reading another organisation’s confidential details is recorded, once per read; the owner’s own reads are not', async () => {
    const published = await publish();
    const moderator = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    const views = () => t.ctx.db.evidenceEntry.findMany({ where: { kind: 'listing.details_viewed', subjectId: published.id }, orderBy: { seq: 'asc' } });
    expect((await owner.client.get(`/api/listings/${published.id}/manage`)).status).toBe(200);
    expect(await views()).toEqual([]);
    expect((await moderator.client.get(`/api/listings/${published.id}/manage`)).status).toBe(200);
    expect((await reviewer.client.get(`/api/listings/${published.id}/manage`)).status).toBe(200);
    expect((await views()).map((e) => [e.subjectType, e.actorId, e.payload])).toEqual([
      ['listing', moderator.userId, { version: 1, staffRole: 'moderator' }],
      ['listing', reviewer.userId, { version: 1, staffRole: 'reviewer' }],
    ]);
    // A staff member of the owner organisation reads it as a member.
    await t.ctx.db.user.update({ where: { id: owner.userId }, data: { staffRole: 'reviewer' } });
    const own = await owner.client.get(`/api/listings/${published.id}/manage`);
    await t.ctx.db.user.update({ where: { id: owner.userId }, data: { staffRole: null } });
    expect(own.status).toBe(200);
    expect(await views()).toHaveLength(2);
  });

  it('members cannot review; reviewers cannot review their own organisation', async () => {
    const created = await createListing(owner.client);
    expect((await owner.client.post(`/api/review/listings/${created.id}/decision`, approve)).status).toBe(403);
    await t.ctx.db.user.update({ where: { id: owner.userId }, data: { staffRole: 'reviewer' } });
    const own = await owner.client.post(`/api/review/listings/${created.id}/decision`, approve);
    await t.ctx.db.user.update({ where: { id: owner.userId }, data: { staffRole: null } });
    expect(own.status).toBe(403);
  });

  it('an unpublished listing does not exist for the public', async () => {
    const draft = await createListing(owner.client, buildListingContent(), false);
    expect((await new ApiClient(t.baseUrl).get(`/api/listings/${draft.id}`)).status).toBe(404);
  });
});
