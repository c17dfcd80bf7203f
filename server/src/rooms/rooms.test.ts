import type { Ack, RoomEntryView, RoomJoined } from '@hub/protocol';
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


describe('negotiation room messages', () => {
  it('stores a message with the next sequence number and its hash before acking, and the other party sees it live', async () => {
    const { room, supplier, demander } = await buildRoom(t.ctx.db, t.baseUrl);
    const a = supplier.client.socket();
    const b = demander.client.socket();
    await Promise.all([connected(a), connected(b)]);
    const joinedA = (await a.emitWithAck('room:join', { roomId: room.id })) as Ack<RoomJoined>;
    const joinedB = (await b.emitWithAck('room:join', { roomId: room.id })) as Ack<RoomJoined>;
    expect(joinedA).toMatchObject({ ok: true, data: { room: { id: room.id, mySide: 'supply', stage: 'first_contact' }, entries: [] } });
    expect(joinedB).toMatchObject({ ok: true, data: { room: { mySide: 'demand' } } });
    const staff = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    const staffSocket = staff.client.socket();
    await connected(staffSocket);
    // Another tab of the supplier's, on the room list: it gets the activity; the tabs with the room open get the entry instead.
    const listTab = supplier.client.socket();
    await connected(listTab);
    const listedForTab = nextEvent(listTab, 'room:activity');
    const activityInRoom: unknown[] = [];
    for (const s of [a, b]) s.on('room:activity', (activity) => activityInRoom.push(activity));
    const listed = nextEvent(staffSocket, 'room:activity');
    const seen = nextEvent(b, 'room:entry');
    const sent = (await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '您好，我们对贵方的需求很感兴趣。' })) as Ack<RoomEntryView>;
    expect(sent).toMatchObject({ ok: true, data: { seq: 1, kind: 'message', author: { id: supplier.userId }, body: '您好，我们对贵方的需求很感兴趣。' } });
    expect(await seen).toEqual((sent as { data: RoomEntryView }).data);
    // Staff room lists follow every room live.
    expect(await listed).toMatchObject({ roomId: room.id, lastSeq: 1, kind: 'message', authorId: supplier.userId });
    expect(await listedForTab).toMatchObject({ roomId: room.id, lastSeq: 1, preview: '您好，我们对贵方的需求很感兴趣。' });
    expect(activityInRoom).toEqual([]);
    staffSocket.close();
    listTab.close();
    // B reads it: A hears the receipt with B's organisation, and A's view of the room says so from then on.
    const receipt = nextEvent(a, 'room:read');
    expect(await b.emitWithAck('room:read', { roomId: room.id, seq: 1 })).toMatchObject({ ok: true });
    expect(await receipt).toEqual({ roomId: room.id, userId: demander.userId, organizationId: demander.organizationId, seq: 1 });
    expect((await supplier.client.get(`/api/rooms/${room.id}`)).body).toMatchObject({ counterpartReadSeq: 1, lastReadSeq: 0 });
    expect((await demander.client.get(`/api/rooms/${room.id}`)).body).toMatchObject({ counterpartReadSeq: 0, lastReadSeq: 1, unread: 0 });
    const stored = await t.ctx.db.roomEntry.findUniqueOrThrow({ where: { roomId_seq: { roomId: room.id, seq: 1 } } });
    expect(stored.hash).toBe((sent as { data: RoomEntryView }).data.hash);
    a.close();
    b.close();
  });

  it('a resend with the same client key returns the first entry; the same key with another body is 409', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const a = supplier.client.socket();
    await connected(a);
    await a.emitWithAck('room:join', { roomId: room.id });
    const clientKey = key();
    const first = (await a.emitWithAck('room:send', { roomId: room.id, clientKey, body: '报价可以再谈' })) as Ack<RoomEntryView>;
    const again = (await a.emitWithAck('room:send', { roomId: room.id, clientKey, body: '报价可以再谈' })) as Ack<RoomEntryView>;
    expect(again).toEqual(first);
    const other = (await a.emitWithAck('room:send', { roomId: room.id, clientKey, body: '换一句话' })) as Ack<RoomEntryView>;
    expect(other).toMatchObject({ ok: false, error: 'idempotency_conflict' });
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(1);
    a.close();
  });

  it('the same key sent on two sockets at once is stored once, and both get the same entry', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const [a1, a2] = [supplier.client.socket(), supplier.client.socket()];
    await Promise.all([connected(a1), connected(a2)]);
    await Promise.all([a1, a2].map((s) => s.emitWithAck('room:join', { roomId: room.id })));
    for (let round = 0; round < 5; round++) {
      const clientKey = key();
      const acks = (await Promise.all([a1, a2].map((s) => s.emitWithAck('room:send', { roomId: room.id, clientKey, body: `同时发送 ${round}` })))) as Ack<RoomEntryView>[];
      expect(acks.map((ack) => ack.ok)).toEqual([true, true]);
      expect(acks[0]).toEqual(acks[1]);
    }
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(5);
    a1.close();
    a2.close();
  });

  it('refuses outsiders, empty and over-long messages, and staff sending; staff may read', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const outsider = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const o = outsider.client.socket();
    const a = supplier.client.socket();
    await Promise.all([connected(o), connected(a)]);
    expect(await o.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: false, error: 'room_not_found' });
    // Events about a room come from a socket that has joined it; a refused join leaves the socket outside.
    expect(await o.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '插一句' })).toMatchObject({ ok: false, error: 'room_not_joined' });
    expect(await o.emitWithAck('room:read', { roomId: room.id, seq: 1 })).toMatchObject({ ok: false, error: 'room_not_joined' });
    expect(await o.emitWithAck('room:typing', { roomId: room.id, typing: true })).toMatchObject({ ok: false, error: 'room_not_joined' });
    expect(await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '还没打开洽谈室' })).toMatchObject({ ok: false, error: 'room_not_joined' });
    await a.emitWithAck('room:join', { roomId: room.id });
    expect(await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '   ' })).toMatchObject({ ok: false, error: 'validation_failed' });
    expect(await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '长'.repeat(4001) })).toMatchObject({ ok: false, error: 'validation_failed' });
    // The sender is the session's user: a forged author field is refused by the schema.
    expect(await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '冒名', authorId: outsider.userId } as never)).toMatchObject({ ok: false, error: 'validation_failed' });
    const staff = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    expect((await staff.client.get(`/api/rooms/${room.id}`)).status).toBe(200);
    expect((await outsider.client.get(`/api/rooms/${room.id}`)).status).toBe(404);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(0);
    o.close();
    a.close();
  });

  it('refuses a lone surrogate in a message (stored it would become U+FFFD and break the chain) and sequence numbers beyond a room', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const a = supplier.client.socket();
    await connected(a);
    await a.emitWithAck('room:join', { roomId: room.id });
    await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '报价单稍后发送' });
    const broken = await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '合作愉快 \uD83D' });
    expect(broken).toMatchObject({ ok: false, error: 'validation_failed', details: { fields: [{ path: 'body', message: 'invalid_text' }] } });
    expect(await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '空\u0000字符' })).toMatchObject({
      ok: false,
      error: 'validation_failed',
      details: { fields: [{ path: 'body', message: 'control_characters' }] },
    });
    await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '合作愉快 😀' });
    const evidence = await supplier.client.get(`/api/rooms/${room.id}/evidence`);
    expect(evidence.body.verification).toEqual({ ok: true, checked: 2, firstBroken: null });
    expect(await a.emitWithAck('room:join', { roomId: room.id, afterSeq: 2 ** 53 })).toMatchObject({ ok: false, error: 'validation_failed' });
    const history = await supplier.client.get(`/api/rooms/${room.id}/entries?beforeSeq=99999999999`);
    expect(history.status).toBe(400);
    expect(history.body.error).toBe('validation_failed');
    a.close();
  });

  it('a reconnecting client catches up on exactly the entries after the last sequence it saw', async () => {
    const { room, supplier, demander } = await buildRoom(t.ctx.db, t.baseUrl);
    const a = supplier.client.socket();
    await connected(a);
    await a.emitWithAck('room:join', { roomId: room.id });
    for (const body of ['第一条', '第二条', '第三条']) await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body });
    const b = demander.client.socket();
    await connected(b);
    const caughtUp = (await b.emitWithAck('room:join', { roomId: room.id, afterSeq: 1 })) as Ack<RoomJoined>;
    expect(caughtUp.ok && caughtUp.data.entries.map((e) => [e.seq, e.body])).toEqual([[2, '第二条'], [3, '第三条']]);
    a.close();
    b.close();
  });

  it('moves the stage forward only, records it in the room, and exports a record that verifies', async () => {
    const { room, supplier, demander } = await buildRoom(t.ctx.db, t.baseUrl);
    const a = supplier.client.socket();
    await connected(a);
    await a.emitWithAck('room:join', { roomId: room.id });
    await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '<script>alert(1)</script> 请看方案' });
    const moved = await demander.client.post(`/api/rooms/${room.id}/stage`, { stage: 'formal_negotiation' });
    expect(moved.body).toMatchObject({ stage: 'formal_negotiation', lastSeq: 2 });
    expect((await demander.client.post(`/api/rooms/${room.id}/stage`, { stage: 'first_contact' })).body.error).toBe('room_state_conflict');
    const evidence = await supplier.client.get(`/api/rooms/${room.id}/evidence`);
    expect(evidence.body.verification).toEqual({ ok: true, checked: 2, firstBroken: null });
    expect(evidence.body.entries.map((e: RoomEntryView) => e.kind)).toEqual(['message', 'stage']);
    const html = await supplier.client.get(`/api/rooms/${room.id}/evidence?format=html`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('&lt;script&gt;');
    expect(html.text).not.toContain('<script>alert');
    a.close();
  });
});
