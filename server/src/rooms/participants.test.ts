import type { Ack, RoomActivity, RoomEntryView, RoomJoined, RoomPresence, RoomView } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, nextEvent } from '../../test/client.ts';
import { registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { buildRoom, clientKey as key } from '../../test/room-factory.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  await t.close();
});


/** A member of an approved service agency that offers brokerage (技术经纪). */
const registerBroker = () =>
  registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'service_agency', enterpriseSize: undefined, specialities: ['brokerage', 'ip'] } });

const entriesOf = async (client: { get(path: string): Promise<{ body: { entries: RoomEntryView[] } }> }, roomId: string) =>
  (await client.get(`/api/rooms/${roomId}/entries`)).body.entries;

describe('technology brokers', () => {
  it('a party invites a broker: recorded, the broker is notified, finds the room, reads and writes, and is seen by both parties', async () => {
    const { room, supplier, demander } = await buildRoom(t.ctx.db, t.baseUrl);
    const broker = await registerBroker();
    const b = demander.client.socket();
    const brokerSocket = broker.client.socket();
    await Promise.all([connected(b), connected(brokerSocket)]);
    await b.emitWithAck('room:join', { roomId: room.id });

    const candidates = await demander.client.get(`/api/rooms/${room.id}/brokers`);
    expect(candidates.status).toBe(200);
    expect(candidates.body.brokers).toContainEqual({ id: broker.userId, name: broker.input.user.name, organization: { id: broker.organizationId, name: broker.input.organization.name } });

    const updated = nextEvent(b, 'room:updated');
    const opened = nextEvent(brokerSocket, 'room:opened');
    const invited = await demander.client.post(`/api/rooms/${room.id}/participants`, { userId: broker.userId, note: '请协助评估技术价值' });
    expect(invited.status).toBe(201);
    const participant = {
      user: { id: broker.userId, name: broker.input.user.name },
      organization: { id: broker.organizationId, name: broker.input.organization.name },
      role: 'broker',
      side: 'demand',
      invitedBy: { id: demander.userId, name: demander.input.user.name },
      joinedAt: expect.any(String),
    };
    expect(invited.body).toMatchObject({ myRole: 'party', mySide: 'demand', participants: [participant] });
    expect((await updated).participants).toEqual([participant]);
    expect(await opened).toMatchObject({ roomId: room.id, counterpart: { id: demander.organizationId } });
    const notification = await t.ctx.db.notification.findFirstOrThrow({ where: { userId: broker.userId } });
    expect(notification).toMatchObject({ kind: 'room.invited', data: { roomId: room.id, side: 'demand' } });
    const remaining = (await demander.client.get(`/api/rooms/${room.id}/brokers`)).body.brokers as { id: string }[];
    expect(remaining.map((x) => x.id)).not.toContain(broker.userId);

    // The broker's own view: in the list, a broker speaking for no party, and able to write.
    const list = (await broker.client.get('/api/rooms')).body.rooms as RoomView[];
    expect(list.map((r) => r.id)).toEqual([room.id]);
    expect(list[0]).toMatchObject({ myRole: 'broker', mySide: null });
    const presence = nextEvent(b, 'room:presence');
    expect(await brokerSocket.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true, data: { room: { myRole: 'broker' } } });
    expect(((await presence) as RoomPresence).online).toContainEqual({ id: broker.userId, name: broker.input.user.name, organizationId: broker.organizationId, role: 'broker' });
    const seen = nextEvent(b, 'room:entry');
    const sent = (await brokerSocket.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '建议先安排一次技术考察。' })) as Ack<RoomEntryView>;
    expect(sent).toMatchObject({ ok: true, data: { kind: 'message', author: { id: broker.userId, organizationId: broker.organizationId } } });
    expect(await seen).toMatchObject({ seq: (sent as { data: RoomEntryView }).data.seq });

    // The broker's room list (a tab without the room open) follows the room live, like the parties'.
    const listTab = broker.client.socket();
    await connected(listTab);
    const listed: RoomActivity[] = [];
    listTab.on('room:activity', (activity) => listed.push(activity));
    const reply = (await b.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '同意，下周安排。' })) as Ack<RoomEntryView>;
    const seq = (reply as { data: RoomEntryView }).data.seq;
    await expect.poll(() => listed.find((a) => a.lastSeq === seq)).toMatchObject({ roomId: room.id, kind: 'message', authorId: demander.userId });
    listTab.close();

    // Brokers advise: offers and stage moves bind a party, so they are the parties' alone.
    expect((await broker.client.post(`/api/rooms/${room.id}/stage`, { stage: 'formal_negotiation' })).body.error).toBe('forbidden');
    expect((await broker.client.get(`/api/rooms/${room.id}/brokers`)).body.error).toBe('forbidden');

    const entries = await entriesOf(supplier.client, room.id);
    expect(entries[0]).toMatchObject({
      kind: 'participant',
      author: { id: demander.userId },
      data: {
        action: 'joined',
        userId: broker.userId,
        name: broker.input.user.name,
        organizationName: broker.input.organization.name,
        role: 'broker',
        side: 'demand',
        note: '请协助评估技术价值',
      },
    });
    expect((await supplier.client.get(`/api/rooms/${room.id}/evidence`)).body.verification.ok).toBe(true);
    const page = (await supplier.client.get(`/api/rooms/${room.id}/evidence?format=html`)).text;
    expect(page).toContain(`技术经纪人 ${broker.input.user.name}（${broker.input.organization.name}） 加入洽谈（需方邀请）：请协助评估技术价值`);
    b.close();
    brokerSocket.close();
  });

  it('only the inviting side removes a broker; a broker may leave; afterwards the room is gone for them', async () => {
    const { room, supplier, demander } = await buildRoom(t.ctx.db, t.baseUrl);
    const [first, second] = [await registerBroker(), await registerBroker()];
    expect((await supplier.client.post(`/api/rooms/${room.id}/participants`, { userId: first.userId })).status).toBe(201);
    const firstSocket = first.client.socket();
    await connected(firstSocket);
    await firstSocket.emitWithAck('room:join', { roomId: room.id });
    const heard: RoomEntryView[] = [];
    firstSocket.on('room:entry', (entry) => heard.push(entry));
    expect((await demander.client.post(`/api/rooms/${room.id}/participants`, { userId: second.userId })).status).toBe(201);

    const forbidden = await demander.client.delete(`/api/rooms/${room.id}/participants/${first.userId}`);
    expect([forbidden.status, forbidden.body.error]).toEqual([403, 'forbidden']);
    expect((await second.client.delete(`/api/rooms/${room.id}/participants/${first.userId}`)).status).toBe(403);
    const removal = nextEvent(firstSocket, 'room:entry');
    expect((await supplier.client.delete(`/api/rooms/${room.id}/participants/${first.userId}`)).status).toBe(204);
    // The removed broker's open tab hears of it, then nothing more.
    expect(await removal).toMatchObject({ kind: 'participant', data: { action: 'removed', userId: first.userId, name: first.input.user.name } });
    expect((await supplier.client.get(`/api/rooms/${room.id}`)).body.participants.map((p: { user: { id: string } }) => p.user.id)).toEqual([second.userId]);
    expect((await second.client.delete(`/api/rooms/${room.id}/participants/${second.userId}`)).status).toBe(204);

    // The removed broker's open socket no longer hears the room (the removal itself was its last entry).
    const a = supplier.client.socket();
    await connected(a);
    await a.emitWithAck('room:join', { roomId: room.id });
    expect(await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '经纪人离开后的消息' })).toMatchObject({ ok: true, data: { seq: 5 } });
    await expect.poll(async () => (await entriesOf(supplier.client, room.id)).length).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(heard.map((e) => e.seq)).not.toContain(5);
    a.close();
    firstSocket.close();
    for (const broker of [first, second]) {
      expect((await broker.client.get(`/api/rooms/${room.id}`)).body.error).toBe('room_not_found');
      expect((await broker.client.get('/api/rooms')).body.rooms).toEqual([]);
    }
    const entries = await entriesOf(supplier.client, room.id);
    expect(entries.slice(0, 4).map((e) => [e.data.action, e.data.userId, e.author!.id])).toEqual([
      ['joined', first.userId, supplier.userId],
      ['joined', second.userId, demander.userId],
      ['removed', first.userId, supplier.userId],
      ['left', second.userId, second.userId],
    ]);
    expect((await supplier.client.delete(`/api/rooms/${room.id}/participants/${first.userId}`)).body.error).toBe('user_not_found');
  });

  it('refuses ineligible brokers, duplicates, outsiders, staff and bad input, writing nothing', async () => {
    const { room, supplier, demander } = await buildRoom(t.ctx.db, t.baseUrl);
    const broker = await registerBroker();
    const consultant = await registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'service_agency', enterpriseSize: undefined, specialities: ['consulting'] } });
    const outsider = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const pending = await registerBroker();
    await t.ctx.db.organization.update({ where: { id: pending.organizationId }, data: { status: 'pending' } });
    const staff = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    const invite = (client: typeof supplier.client, body: unknown) => client.post(`/api/rooms/${room.id}/participants`, body);

    for (const userId of [consultant.userId, outsider.userId, pending.userId, demander.userId]) {
      const res = await invite(supplier.client, { userId });
      expect([res.status, res.body.error]).toEqual([400, 'broker_not_eligible']);
    }
    expect((await invite(supplier.client, { userId: '00000000-0000-4000-8000-000000000000' })).body.error).toBe('user_not_found');
    expect((await invite(supplier.client, { userId: 'not-a-uuid' })).body.error).toBe('validation_failed');
    expect((await invite(supplier.client, { userId: broker.userId, extra: 1 })).body.error).toBe('validation_failed');
    expect((await invite(outsider.client, { userId: broker.userId })).body.error).toBe('room_not_found');
    expect((await invite(staff.client, { userId: broker.userId })).status).toBe(403);
    expect(await t.ctx.db.roomParticipant.count({ where: { roomId: room.id } })).toBe(0);
    expect((await t.ctx.db.negotiationRoom.findUniqueOrThrow({ where: { id: room.id } })).lastSeq).toBe(0);

    expect((await invite(supplier.client, { userId: broker.userId })).status).toBe(201);
    const again = await invite(demander.client, { userId: broker.userId });
    expect([again.status, again.body.error]).toEqual([409, 'participant_conflict']);
    await t.ctx.db.negotiationRoom.update({ where: { id: room.id }, data: { stage: 'closed' } });
    expect((await invite(supplier.client, { userId: (await registerBroker()).userId })).body.error).toBe('room_state_conflict');
    expect((await t.ctx.db.negotiationRoom.findUniqueOrThrow({ where: { id: room.id } })).lastSeq).toBe(1);
  });
});

describe('staff in a room', () => {
  it('observing staff read but cannot write or type; joining visibly is recorded with the reason, shown to the parties, and lets them write', async () => {
    const { room, supplier, demander } = await buildRoom(t.ctx.db, t.baseUrl);
    const staff = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    const a = supplier.client.socket();
    const s = staff.client.socket();
    await Promise.all([connected(a), connected(s)]);
    await a.emitWithAck('room:join', { roomId: room.id });
    const observing = (await s.emitWithAck('room:join', { roomId: room.id })) as Ack<RoomJoined>;
    expect(observing).toMatchObject({ ok: true, data: { room: { myRole: 'observer', participants: [] } } });
    expect(await s.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '旁观者发言' })).toMatchObject({ ok: false, error: 'forbidden' });
    expect(await s.emitWithAck('room:typing', { roomId: room.id, typing: true })).toMatchObject({ ok: false, error: 'forbidden' });

    const noReason = await staff.client.post(`/api/staff/rooms/${room.id}/join`, { reason: '' });
    expect([noReason.status, noReason.body.error]).toEqual([400, 'validation_failed']);
    expect((await supplier.client.post(`/api/staff/rooms/${room.id}/join`, { reason: '成员无权' })).status).toBe(403);

    const updated = nextEvent(a, 'room:updated');
    const presence: RoomPresence[] = [];
    a.on('room:presence', (event) => presence.push(event));
    const onlineNow = () => presence.at(-1)?.online.map((u) => `${u.id}:${u.role}`).sort();
    const joined = await staff.client.post(`/api/staff/rooms/${room.id}/join`, { reason: '双方申请平台协调报价' });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ myRole: 'staff', participants: [{ user: { id: staff.userId }, role: 'staff', side: null, organization: null }] });
    expect((await updated).participants).toMatchObject([{ user: { id: staff.userId }, role: 'staff' }]);
    expect((await staff.client.post(`/api/staff/rooms/${room.id}/join`, { reason: '再加入一次' })).body.error).toBe('participant_conflict');

    // The staff member had the room open: shown at once, without opening it again.
    await expect.poll(onlineNow).toEqual([`${staff.userId}:staff`, `${supplier.userId}:party`].sort());
    const sent = (await s.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '平台建议双方先确认付款节点。' })) as Ack<RoomEntryView>;
    expect(sent).toMatchObject({ ok: true, data: { seq: 2, author: { id: staff.userId, organizationId: null } } });
    // Staff still cannot speak for a party.
    expect((await staff.client.post(`/api/rooms/${room.id}/stage`, { stage: 'formal_negotiation' })).status).toBe(403);

    const entries = await entriesOf(demander.client, room.id);
    expect(entries[0]).toMatchObject({ kind: 'participant', data: { action: 'joined', userId: staff.userId, role: 'staff', reason: '双方申请平台协调报价' } });
    // Leaving: recorded, and an observer again.
    const left = nextEvent(a, 'room:updated');
    expect((await staff.client.delete(`/api/rooms/${room.id}/participants/${staff.userId}`)).status).toBe(204);
    expect((await left).participants).toEqual([]);
    // Observing again, with the tab still open: no longer shown.
    await expect.poll(onlineNow).toEqual([`${supplier.userId}:party`]);
    expect((await staff.client.get(`/api/rooms/${room.id}`)).body).toMatchObject({ myRole: 'observer', participants: [] });
    expect(await s.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '离开后发言' })).toMatchObject({ ok: false, error: 'forbidden' });
    a.close();
    s.close();
  });

  it('staff open a room for two approved organisations: both are told live and notified, the reason opens the record and the evidence chain', async () => {
    const supplier = await registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'research_institute', enterpriseSize: undefined } });
    const demander = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const pending = await registerApprovedMember(t.ctx.db, t.baseUrl);
    await t.ctx.db.organization.update({ where: { id: pending.organizationId }, data: { status: 'pending' } });
    const staff = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    const a = supplier.client.socket();
    await connected(a);
    const body = { supplyOrganizationId: supplier.organizationId, demandOrganizationId: demander.organizationId, title: '路演现场对接：固态电池电解质', reason: '路演现场双方当面提出对接意向' };

    // Staff find both organisations by part of the name or the credit code; pending ones are not offered, members may not search.
    const found = await staff.client.get(`/api/staff/organizations?q=${encodeURIComponent(supplier.input.organization.name.slice(-8))}`);
    expect(found.body.organizations).toEqual([{ id: supplier.organizationId, name: supplier.input.organization.name, type: 'research_institute', cityCode: '330100' }]);
    expect((await staff.client.get(`/api/staff/organizations?q=${demander.input.organization.creditCode.toLowerCase()}`)).body.organizations.map((o: { id: string }) => o.id)).toEqual([demander.organizationId]);
    expect((await staff.client.get(`/api/staff/organizations?q=${encodeURIComponent(pending.input.organization.name)}`)).body.organizations).toEqual([]);
    expect((await staff.client.get('/api/staff/organizations?q=')).body.error).toBe('validation_failed');
    expect((await supplier.client.get('/api/staff/organizations?q=测试')).status).toBe(403);

    const rooms = await t.ctx.db.negotiationRoom.count();
    for (const [client, input, status, error] of [
      [supplier.client, body, 403, 'forbidden'],
      [staff.client, { ...body, reason: '' }, 400, 'validation_failed'],
      [staff.client, { ...body, demandOrganizationId: supplier.organizationId }, 400, 'validation_failed'],
      [staff.client, { ...body, demandOrganizationId: pending.organizationId }, 404, 'organization_not_found'],
    ] as const) {
      const res = await client.post('/api/staff/rooms', input);
      expect([res.status, res.body.error]).toEqual([status, error]);
    }
    expect(await t.ctx.db.negotiationRoom.count()).toBe(rooms);

    const opened = nextEvent(a, 'room:opened');
    const res = await staff.client.post('/api/staff/rooms', body);
    expect(res.status).toBe(201);
    const room = res.body as RoomView;
    expect(room).toMatchObject({ title: body.title, matchId: null, stage: 'first_contact', supply: { id: supplier.organizationId }, demand: { id: demander.organizationId } });
    expect(await opened).toEqual({ roomId: room.id, matchId: null, title: body.title, counterpart: { id: demander.organizationId, name: demander.input.organization.name } });
    expect(await t.ctx.db.notification.count({ where: { userId: { in: [supplier.userId, demander.userId] }, kind: 'room.opened' } })).toBe(2);
    expect((await demander.client.get('/api/rooms')).body.rooms.map((r: RoomView) => r.id)).toContain(room.id);
    const [first] = await entriesOf(demander.client, room.id);
    expect(first).toMatchObject({ seq: 1, kind: 'opened', author: { id: staff.userId }, data: { byStaff: true, reason: body.reason } });
    const evidence = await t.ctx.db.evidenceEntry.findFirstOrThrow({ where: { subjectId: room.id } });
    expect(evidence).toMatchObject({ kind: 'room.opened', actorId: staff.userId, payload: { byStaff: true, reason: body.reason } });
    a.close();
  });
});
