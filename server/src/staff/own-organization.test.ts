import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApprovedMember } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { buildListingRows } from '../../test/listing-factory.ts';
import { appendRoomEntry } from '../rooms/record.ts';

/**
 * A staff member who also belongs to an organisation acts for the platform, never in that
 * organisation's cause: every staff action on a listing, match or room it is part of is refused
 * (403) and changes nothing; the same actions elsewhere go through.
 */
type Member = Awaited<ReturnType<typeof registerApprovedMember>>;

let t: TestHub;
/** An admin (every staff action is open to them) who is a member of organisation A. */
let insider: Member;
let memberB: Member;
let memberC: Member;

beforeAll(async () => {
  t = await startTestHub();
  [insider, memberB, memberC] = await Promise.all([
    registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'university', enterpriseSize: undefined } }),
    registerApprovedMember(t.ctx.db, t.baseUrl),
    registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'research_institute', enterpriseSize: undefined } }),
  ]);
  await t.ctx.db.user.update({ where: { id: insider.userId }, data: { staffRole: 'admin' } });
});
afterAll(() => t.close());

const refused = (res: { status: number; body: { error: string } }) => expect([res.status, res.body.error]).toEqual([403, 'forbidden']);

/** A room between two organisations with one message in it (from the demand side). */
async function roomBetween(supply: Member, demand: Member) {
  const room = await t.ctx.db.negotiationRoom.create({ data: { supplyOrganizationId: supply.organizationId, demandOrganizationId: demand.organizationId, title: '联合开发洽谈' } });
  await t.ctx.db.$transaction((tx) => appendRoomEntry(tx, room.id, { kind: 'message', authorId: demand.userId, body: '请报价' }));
  return room;
}

/** Everything the staff acts below could have changed in a room. */
async function roomState(roomId: string) {
  const room = await t.ctx.db.negotiationRoom.findUniqueOrThrow({ where: { id: roomId } });
  return {
    lastSeq: room.lastSeq,
    frozenAt: room.frozenAt,
    hides: await t.ctx.db.roomEntryHide.count({ where: { roomId } }),
    mutes: await t.ctx.db.roomMute.count({ where: { roomId } }),
    participants: await t.ctx.db.roomParticipant.count({ where: { roomId } }),
  };
}

const moderate = (roomId: string) => ({
  hide: () => insider.client.post(`/api/staff/rooms/${roomId}/entries/1/hide`, { reason: '含不当言论' }),
  mute: () => insider.client.post(`/api/staff/rooms/${roomId}/mute`, { userId: memberB.userId, minutes: 5, reason: '刷屏' }),
  freeze: () => insider.client.post(`/api/staff/rooms/${roomId}/freeze`, { frozen: true, reason: '存在争议' }),
  join: () => insider.client.post(`/api/staff/rooms/${roomId}/join`, { reason: '协助沟通' }),
});

describe('staff acting where their own organisation is involved', () => {
  it('take-down: refused for their organisation’s listing, which stays published; another organisation’s goes down', async () => {
    const own = await buildListingRows(t.ctx.db, { organizationId: insider.organizationId });
    const other = await buildListingRows(t.ctx.db, { organizationId: memberC.organizationId });
    refused(await insider.client.post(`/api/review/listings/${own.listing.id}/take-down`, { reason: '信息不实' }));
    expect((await t.ctx.db.listing.findUniqueOrThrow({ where: { id: own.listing.id } })).status).toBe('published');
    expect((await insider.client.post(`/api/review/listings/${other.listing.id}/take-down`, { reason: '信息不实' })).status).toBe(200);
  });

  it('recommendation: refused when either listing is their organisation’s; no match is made', async () => {
    const tag = randomBytes(3).toString('hex');
    const need = await buildListingRows(t.ctx.db, { organizationId: memberB.organizationId, kind: 'tech_need', trl: null, title: `储能热管理需求 ${tag}` });
    const own = await buildListingRows(t.ctx.db, { organizationId: insider.organizationId });
    const other = await buildListingRows(t.ctx.db, { organizationId: memberC.organizationId });
    const recommend = (supplyListingId: string) => insider.client.post('/api/staff/matches', { supplyListingId, demandListingId: need.listing.id, note: '建议对接' });
    refused(await recommend(own.listing.id));
    expect(await t.ctx.db.match.count({ where: { demandListingId: need.listing.id } })).toBe(0);
    expect((await recommend(other.listing.id)).status).toBe(201);
  });

  it('room acts (hide, mute, freeze, join): refused in a room their organisation is a party to; nothing changes', async () => {
    const room = await roomBetween(insider, memberB);
    const before = await roomState(room.id);
    for (const act of Object.values(moderate(room.id))) refused(await act());
    expect(await roomState(room.id)).toEqual(before);
  });

  it('room acts: refused where a colleague is a broker; allowed in a room their organisation has no part in', async () => {
    const brokered = await roomBetween(memberC, memberB);
    const colleague = await t.ctx.db.user.create({
      data: { email: `broker-${randomBytes(4).toString('hex')}@example.cn`, name: '经纪人', passwordHash: 'x', organizationId: insider.organizationId },
    });
    await t.ctx.db.roomParticipant.create({ data: { roomId: brokered.id, userId: colleague.id, role: 'broker', side: 'demand', invitedById: memberB.userId } });
    const before = await roomState(brokered.id);
    refused(await moderate(brokered.id).freeze());
    refused(await moderate(brokered.id).join());
    expect(await roomState(brokered.id)).toEqual(before);

    const elsewhere = await roomBetween(memberC, memberB);
    expect((await moderate(elsewhere.id).freeze()).status).toBe(200);
  });

  it('opening a room: refused when their organisation would be one side; no room is opened', async () => {
    const rooms = await t.ctx.db.negotiationRoom.count();
    const res = await insider.client.post('/api/staff/rooms', {
      supplyOrganizationId: insider.organizationId,
      demandOrganizationId: memberB.organizationId,
      title: '平台撮合洽谈',
      reason: '线下活动对接',
    });
    refused(res);
    expect(await t.ctx.db.negotiationRoom.count()).toBe(rooms);
  });
});
