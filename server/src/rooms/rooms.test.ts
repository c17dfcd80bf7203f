import type { Ack, RoomEntryView, RoomJoined, RoomView } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, nextEvent } from '../../test/client.ts';
import { registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { buildRoom, clientKey as key, openRoom } from '../../test/room-factory.ts';

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
    expect(evidence.body.verification).toMatchObject({ ok: true, checked: 2, firstBroken: null });
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
    expect(evidence.body.verification).toMatchObject({ ok: true, checked: 2, firstBroken: null });
    expect(evidence.body.entries.map((e: RoomEntryView) => e.kind)).toEqual(['message', 'stage']);
    const html = await supplier.client.get(`/api/rooms/${room.id}/evidence?format=html`);
    expect(html.status).toBe(200);
    expect(html.text).toContain('&lt;script&gt;');
    expect(html.text).not.toContain('<script>alert');
    a.close();
  });
});

describe('stages that bind both sides (达成意向, 签约)', () => {
  it('one side alone cannot declare a deal: its request is a proposal the other side sees live, and the stage moves only when the other side confirms', async () => {
    const { room, supplier, demander, b, close } = await openRoom(t.ctx.db, t.baseUrl);
    const stage = (client: typeof supplier.client, to: string) => client.post(`/api/rooms/${room.id}/stage`, { stage: to });
    const seen = nextEvent(b, 'room:updated');
    const proposed = await stage(supplier.client, 'intent');
    expect(proposed.status).toBe(200);
    expect(proposed.body).toMatchObject({ stage: 'first_contact', stageProposal: { stage: 'intent', side: 'supply', seq: 1, at: expect.any(String) } });
    expect(await seen).toMatchObject({ stage: 'first_contact', stageProposal: { stage: 'intent', side: 'supply' } });
    expect(((await demander.client.get(`/api/rooms/${room.id}`)).body as RoomView).stageProposal).toMatchObject({ stage: 'intent', side: 'supply' });
    // The proposer cannot confirm its own proposal nor stack another; the other side cannot propose something else over it.
    for (const [client, to] of [[supplier.client, 'intent'], [supplier.client, 'signed'], [demander.client, 'signed']] as const) {
      const refused = await stage(client, to);
      expect([refused.status, refused.body.error]).toEqual([409, 'stage_proposal_conflict']);
    }
    // Meanwhile the other side still negotiates.
    expect(await b.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '我们再确认一下条款' })).toMatchObject({ ok: true, data: { seq: 2 } });
    const confirmed = await stage(demander.client, 'intent');
    expect(confirmed.body).toMatchObject({ stage: 'intent', stageProposal: null });

    // 签约 the same way, proposed this time by the demander.
    expect((await stage(demander.client, 'signed')).body).toMatchObject({ stage: 'intent', stageProposal: { stage: 'signed', side: 'demand' } });
    expect((await stage(supplier.client, 'signed')).body).toMatchObject({ stage: 'signed', stageProposal: null });
    const entries = (await supplier.client.get(`/api/rooms/${room.id}/entries`)).body.entries as RoomEntryView[];
    expect(entries.filter((e) => e.kind === 'stage').map((e) => e.data)).toEqual([
      { action: 'proposed', from: 'first_contact', to: 'intent', side: 'supply' },
      { from: 'first_contact', to: 'intent', side: 'demand', confirms: 1 },
      { action: 'proposed', from: 'intent', to: 'signed', side: 'demand' },
      { from: 'intent', to: 'signed', side: 'supply', confirms: 4 },
    ]);
    expect((await supplier.client.get(`/api/rooms/${room.id}/evidence`)).body.verification).toMatchObject({ ok: true, checked: 5 });
    const page = (await supplier.client.get(`/api/rooms/${room.id}/evidence?format=html`)).text;
    expect(page).toContain('供方提议进入“达成意向”，待对方确认');
    expect(page).toContain('阶段变更：初次对接 → 达成意向（需方确认 #1 的提议）');
    close();
  });

  it('the other side declines a proposal, the proposer withdraws one, and either side still closes alone (a pending proposal lapses)', async () => {
    const { room, supplier, demander, close } = await openRoom(t.ctx.db, t.baseUrl);
    const stage = (client: typeof supplier.client, to: string) => client.post(`/api/rooms/${room.id}/stage`, { stage: to });
    const withdraw = (client: typeof supplier.client) => client.delete(`/api/rooms/${room.id}/stage-proposal`);
    await stage(supplier.client, 'intent');
    expect((await withdraw(demander.client)).body).toMatchObject({ stage: 'first_contact', stageProposal: null });
    const none = await withdraw(demander.client);
    expect([none.status, none.body.error]).toEqual([404, 'stage_proposal_not_found']);
    await stage(demander.client, 'signed');
    expect((await withdraw(demander.client)).body).toMatchObject({ stageProposal: null });
    // Stages that bind nobody, and closing, need no confirmation.
    expect((await stage(supplier.client, 'evaluation')).body).toMatchObject({ stage: 'evaluation', stageProposal: null });
    await stage(supplier.client, 'signed');
    expect((await stage(demander.client, 'closed')).body).toMatchObject({ stage: 'closed', stageProposal: null });
    const late = await stage(demander.client, 'signed');
    expect([late.status, late.body.error]).toEqual([409, 'room_state_conflict']);
    const entries = (await supplier.client.get(`/api/rooms/${room.id}/entries`)).body.entries as RoomEntryView[];
    expect(entries.map((e) => [e.data.action ?? null, e.data.to, e.data.side])).toEqual([
      ['proposed', 'intent', 'supply'],
      ['declined', 'intent', 'demand'],
      ['proposed', 'signed', 'demand'],
      ['withdrawn', 'signed', 'demand'],
      [null, 'evaluation', 'supply'],
      ['proposed', 'signed', 'supply'],
      [null, 'closed', 'demand'],
    ]);
    expect(entries[1]!.data.proposalSeq).toBe(1);
    close();
  });
});

describe('access recorded in the platform evidence chain', () => {
  const recorded = (kind: string, roomId: string) => t.ctx.db.evidenceEntry.findMany({ where: { kind, subjectId: roomId }, orderBy: { seq: 'asc' } });

  it('staff opening a room unseen leave one entry per socket that opens it; parties and joined staff leave none', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const moderator = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    const [a, s] = [supplier.client.socket(), moderator.client.socket()];
    await Promise.all([connected(a), connected(s)]);
    expect(await a.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });
    expect(await s.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true, data: { room: { myRole: 'observer' } } });
    // The same socket catching up (or joining again) is the same observation.
    expect(await s.emitWithAck('room:join', { roomId: room.id, afterSeq: 0 })).toMatchObject({ ok: true });
    const observed = await recorded('room.observed', room.id);
    expect(observed).toHaveLength(1);
    expect(observed[0]).toMatchObject({ subjectType: 'room', actorId: moderator.userId, payload: { staffRole: 'moderator' } });
    // Another tab is another observation; after joining visibly the staff member is no longer unseen.
    const s2 = moderator.client.socket();
    await connected(s2);
    await s2.emitWithAck('room:join', { roomId: room.id });
    expect(await recorded('room.observed', room.id)).toHaveLength(2);
    expect((await moderator.client.post(`/api/staff/rooms/${room.id}/join`, { reason: '协调付款节点' })).status).toBe(200);
    const s3 = moderator.client.socket();
    await connected(s3);
    await s3.emitWithAck('room:join', { roomId: room.id });
    expect(await recorded('room.observed', room.id)).toHaveLength(2);
    for (const socket of [a, s, s2, s3]) socket.close();
  });

  it('every export, by a party or staff, as JSON or the printable page, is recorded with who, how and what it showed', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const a = supplier.client.socket();
    await connected(a);
    await a.emitWithAck('room:join', { roomId: room.id });
    const sent = (await a.emitWithAck('room:send', { roomId: room.id, clientKey: key(), body: '请导出记录' })) as Ack<RoomEntryView>;
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    expect((await supplier.client.get(`/api/rooms/${room.id}/evidence`)).status).toBe(200);
    expect((await reviewer.client.get(`/api/rooms/${room.id}/evidence?format=html`)).status).toBe(200);
    const exports = await recorded('room.exported', room.id);
    expect(exports.map((e) => [e.actorId, e.payload])).toEqual([
      [supplier.userId, { format: 'json', role: 'party', staffRole: null, entries: 1, lastHash: sent.ok && sent.data.hash, verified: true }],
      [reviewer.userId, { format: 'html', role: 'observer', staffRole: 'reviewer', entries: 1, lastHash: sent.ok && sent.data.hash, verified: true }],
    ]);
    a.close();
  });
});
