import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { buildListingRows } from '../../test/listing-factory.ts';

/**
 * A match follows its listings' current state, not the state they had when it was made. No worker
 * runs here: the background retraction after a take-down or withdrawal never comes, which is the
 * window these tests look at.
 */
let t: TestHub;
let staff: Awaited<ReturnType<typeof signInStaff>>;

beforeAll(async () => {
  t = await startTestHub();
  staff = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
});
afterAll(() => t.close());

/** A published achievement and a published need of two organisations, paired by staff; each listing's details carry a marker. */
async function recommendedPair() {
  const [supplier, demander] = await Promise.all([
    registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'university', enterpriseSize: undefined } }),
    registerApprovedMember(t.ctx.db, t.baseUrl),
  ]);
  const tag = randomBytes(4).toString('hex');
  const details = { supply: `【保密】工艺参数 SECRET-S-${tag}`, demand: `【保密】预算底线 SECRET-D-${tag}` };
  const supply = await buildListingRows(t.ctx.db, { organizationId: supplier.organizationId, details: details.supply });
  const demand = await buildListingRows(t.ctx.db, { organizationId: demander.organizationId, kind: 'tech_need', trl: null, details: details.demand });
  const made = await staff.client.post('/api/staff/matches', { supplyListingId: supply.listing.id, demandListingId: demand.listing.id, note: '建议双方对接' });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return { supplier, demander, supplyId: supply.listing.id, demandId: demand.listing.id, matchId: made.body.id as string, details };
}

describe('answering after a listing left the platform', () => {
  it('a take-down before the retraction ran: the confirming answer is 409 and nothing is confirmed, recorded or opened', async () => {
    const p = await recommendedPair();
    expect((await p.supplier.client.post(`/api/matches/${p.matchId}/response`, { response: 'interested' })).status).toBe(200);
    expect((await staff.client.post(`/api/review/listings/${p.supplyId}/take-down`, { reason: '成果权属存在争议' })).status).toBe(200);
    const before = await t.ctx.db.match.findUniqueOrThrow({ where: { id: p.matchId } });
    const evidence = await t.ctx.db.evidenceEntry.count();

    const res = await p.demander.client.post(`/api/matches/${p.matchId}/response`, { response: 'interested' });
    expect([res.status, res.body.error]).toEqual([409, 'match_state_conflict']);
    expect(await t.ctx.db.match.findUniqueOrThrow({ where: { id: p.matchId } })).toEqual(before);
    expect(await t.ctx.db.negotiationRoom.count({ where: { matchId: p.matchId } })).toBe(0);
    expect(await t.ctx.db.evidenceEntry.count()).toBe(evidence);
  });

  it('a withdrawn need: neither side can answer any more (409), and nothing is recorded', async () => {
    const p = await recommendedPair();
    expect((await p.demander.client.post(`/api/listings/${p.demandId}/withdraw`)).status).toBe(200);
    const evidence = await t.ctx.db.evidenceEntry.count();
    for (const [member, response] of [[p.supplier, 'interested'], [p.demander, 'declined']] as const) {
      const res = await member.client.post(`/api/matches/${p.matchId}/response`, { response });
      expect([res.status, res.body.error]).toEqual([409, 'match_state_conflict']);
    }
    expect(await t.ctx.db.match.findUniqueOrThrow({ where: { id: p.matchId } })).toMatchObject({ status: 'open', supplyResponse: 'pending', demandResponse: 'pending' });
    expect(await t.ctx.db.evidenceEntry.count()).toBe(evidence);
  });
});

describe('confidential details of a confirmed match', () => {
  it('close for the counterparty once that listing is taken down or withdrawn; each party keeps its own, staff see both', async () => {
    const p = await recommendedPair();
    for (const member of [p.supplier, p.demander]) {
      expect((await member.client.post(`/api/matches/${p.matchId}/response`, { response: 'interested' })).status).toBe(200);
    }
    const view = async (client: typeof staff.client) => {
      const res = await client.get(`/api/matches/${p.matchId}`);
      expect(res.status).toBe(200);
      return [res.body.supply.details, res.body.demand.details];
    };
    expect((await t.ctx.db.match.findUniqueOrThrow({ where: { id: p.matchId } })).status).toBe('confirmed');
    expect(await view(p.demander.client)).toEqual([p.details.supply, p.details.demand]);

    expect((await staff.client.post(`/api/review/listings/${p.supplyId}/take-down`, { reason: '成果权属存在争议' })).status).toBe(200);
    expect(await view(p.demander.client)).toEqual([null, p.details.demand]);
    expect(await view(p.supplier.client)).toEqual([p.details.supply, p.details.demand]);
    const inbox = await p.demander.client.get('/api/matches?status=all');
    expect(JSON.stringify(inbox.body)).not.toContain(p.details.supply);

    expect((await p.demander.client.post(`/api/listings/${p.demandId}/withdraw`)).status).toBe(200);
    expect(await view(p.supplier.client)).toEqual([p.details.supply, null]);
    expect(await view(staff.client)).toEqual([p.details.supply, p.details.demand]);
  });
});
