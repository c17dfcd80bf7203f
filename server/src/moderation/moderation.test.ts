import { randomBytes } from 'node:crypto';
import type { Ack, RoomEntryView, RoomEvidence, RoomJoined, RoomView } from '@hub/protocol';
import { roomContentHash, verifyRoomExport } from '@hub/protocol/evidence-hash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, nextEvent } from '../../test/client.ts';
import type { ApiClient } from '../../test/client.ts';

type Socket = ReturnType<ApiClient['socket']>;
import { registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { buildRoom, clientKey as key, openRoom, uploadRoomFile } from '../../test/room-factory.ts';
import { appendRoomEntry } from '../rooms/record.ts';

let t: TestHub;
type Staff = Awaited<ReturnType<typeof signInStaff>>;
let admin: Staff;
let moderator: Staff;

beforeAll(async () => {
  t = await startTestHub();
  admin = await signInStaff(t.ctx.db, t.baseUrl, 'admin');
  moderator = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
});
afterAll(async () => {
  await t.close();
});

/** Banned words are global: each test uses its own so they do not trip each other's messages. */
const word = (stem: string) => `${stem}${randomBytes(3).toString('hex')}`;

/** Resolves with the `room:entry` of that sequence number (earlier ones may still be on their way). */
function entryWithSeq(socket: Socket, seq: number, timeoutMs = 5000): Promise<RoomEntryView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no room:entry ${seq} within ${timeoutMs} ms`)), timeoutMs);
    const listener = (entry: RoomEntryView) => {
      if (entry.seq !== seq) return;
      clearTimeout(timer);
      socket.off('room:entry', listener);
      resolve(entry);
    };
    socket.on('room:entry', listener);
  });
}

async function joinedRoom() {
  const opened = await openRoom(t.ctx.db, t.baseUrl);
  const send = (s: typeof opened.a, body: string) => s.emitWithAck('room:send', { roomId: opened.room.id, clientKey: key(), body }) as Promise<Ack<RoomEntryView>>;
  return { ...opened, send };
}

describe('banned words', () => {
  it('a block rule refuses the message and stores nothing', async () => {
    const blocked = word('代开发票');
    const added = await admin.client.post('/api/admin/banned-words', { word: blocked, action: 'block', reason: '涉嫌违法交易' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: expect.any(String), word: blocked, action: 'block' });
    const r = await joinedRoom();
    expect(await r.send(r.a, `可以帮你${blocked}，价格好商量`)).toMatchObject({ ok: false, error: 'message_blocked' });
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: r.room.id } })).toBe(0);
    // Upper case and full-width forms are the same word.
    expect(await r.send(r.a, `请${blocked.toUpperCase()}`)).toMatchObject({ ok: false, error: 'message_blocked' });
    expect(await r.send(r.a, '正常的技术讨论')).toMatchObject({ ok: true, data: { seq: 1 } });
    r.close();
  });

  it('a flag rule stores and delivers the message, alerts staff, and shows the words to staff only', async () => {
    const flagged = word('私下交易');
    expect((await admin.client.post('/api/admin/banned-words', { word: flagged, action: 'flag', reason: '绕开平台交易的风险' })).status).toBe(201);
    const r = await joinedRoom();
    const desk = moderator.client.socket();
    await connected(desk);
    const alert = nextEvent(desk, 'console:room-flagged');
    const delivered = nextEvent(r.b, 'room:entry');
    const sent = await r.send(r.a, `我们可以${flagged}吗`);
    expect(sent).toMatchObject({ ok: true, data: { seq: 1, body: `我们可以${flagged}吗`, flagged: [] } });
    expect(await delivered).toMatchObject({ seq: 1, flagged: [] });
    expect(await alert).toEqual({ roomId: r.room.id, seq: 1, words: [flagged], title: r.room.title });
    const partyView = await r.demander.client.get(`/api/rooms/${r.room.id}/entries`);
    expect(partyView.body.entries[0]).toMatchObject({ seq: 1, flagged: [] });
    const staffView = await moderator.client.get(`/api/rooms/${r.room.id}/entries`);
    expect(staffView.body.entries[0]).toMatchObject({ seq: 1, flagged: [flagged] });
    desk.close();
    r.close();
  });

  it('admins add and remove rules with reasons recorded as evidence; moderators only list; duplicates conflict', async () => {
    const w = word('刷单');
    const added = await admin.client.post('/api/admin/banned-words', { word: w, action: 'flag', reason: '虚假交易' });
    expect(added.status).toBe(201);
    expect((await admin.client.post('/api/admin/banned-words', { word: w, action: 'block', reason: '重复添加' })).body.error).toBe('banned_word_conflict');
    expect((await admin.client.post('/api/admin/banned-words', { word: w.toUpperCase(), action: 'block', reason: '大小写不同' })).status).toBe(409);
    const listed = await moderator.client.get('/api/admin/banned-words');
    expect(listed.status).toBe(200);
    expect(listed.body.words).toContainEqual(added.body);
    expect((await moderator.client.post('/api/admin/banned-words', { word: word('x'), action: 'flag', reason: '版主无权' })).status).toBe(403);
    expect((await moderator.client.request('DELETE', `/api/admin/banned-words/${added.body.id}`, { reason: '版主无权' })).status).toBe(403);
    expect((await admin.client.request('DELETE', `/api/admin/banned-words/${added.body.id}`, {})).status).toBe(400);
    const removed = await admin.client.request('DELETE', `/api/admin/banned-words/${added.body.id}`, { reason: '误判较多，撤销' });
    expect(removed.status).toBe(204);
    const again = await admin.client.request('DELETE', `/api/admin/banned-words/${added.body.id}`, { reason: '再删一次' });
    expect([again.status, again.body.error]).toEqual([404, 'banned_word_not_found']);
    expect((await moderator.client.get('/api/admin/banned-words')).body.words.map((x: { id: string }) => x.id)).not.toContain(added.body.id);

    const evidence = await t.ctx.db.evidenceEntry.findMany({ where: { subjectType: 'banned_word', subjectId: added.body.id }, orderBy: { seq: 'asc' } });
    expect(evidence.map((e) => [e.kind, e.actorId, e.payload])).toEqual([
      ['moderation.banned_word_added', admin.userId, { word: w, action: 'flag', reason: '虚假交易' }],
      ['moderation.banned_word_removed', admin.userId, { word: w, action: 'flag', reason: '误判较多，撤销' }],
    ]);
    expect((await admin.client.get('/api/admin/evidence/verify')).body).toMatchObject({ ok: true });

    // Removing the rule takes effect at once on this process.
    const r = await joinedRoom();
    expect(await r.send(r.a, `关于${w}的讨论`)).toMatchObject({ ok: true });
    const staffView = await moderator.client.get(`/api/rooms/${r.room.id}/entries`);
    expect(staffView.body.entries[0].flagged).toEqual([]);
    r.close();
  });
});

describe('hiding a message', () => {
  it('parties see it hidden live and without text; staff and staff’s evidence export keep the text', async () => {
    const r = await joinedRoom();
    const text = '这条消息包含不当内容，请联系我的私人微信';
    const delivered = entryWithSeq(r.b, 2);
    await r.send(r.a, '第一条');
    await r.send(r.a, text);
    await delivered;
    const hiddenLive = nextEvent(r.b, 'room:entry-hidden');
    const entryLive = entryWithSeq(r.b, 3);
    const res = await moderator.client.post(`/api/staff/rooms/${r.room.id}/entries/2/hide`, { reason: '引导场外联系' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ seq: 2, kind: 'message', body: text, hidden: { reason: '引导场外联系', at: expect.any(String) } });
    expect(await hiddenLive).toEqual({ roomId: r.room.id, seq: 2, at: res.body.hidden.at, reason: '引导场外联系' });
    expect(await entryLive).toMatchObject({ seq: 3, kind: 'moderation', author: { id: moderator.userId }, data: { action: 'hide', seq: 2, reason: '引导场外联系' } });

    const party = await r.demander.client.get(`/api/rooms/${r.room.id}/entries`);
    expect(party.body.entries[1]).toMatchObject({ seq: 2, body: '', hidden: { reason: '引导场外联系' } });
    expect(party.body.entries[0]).toMatchObject({ seq: 1, body: '第一条', hidden: null });
    const joined = (await r.b.emitWithAck('room:join', { roomId: r.room.id, afterSeq: 0 })) as Ack<RoomJoined>;
    expect(joined.ok && joined.data.entries[1]).toMatchObject({ seq: 2, body: '' });
    const staff = await moderator.client.get(`/api/rooms/${r.room.id}/entries`);
    expect(staff.body.entries[1]).toMatchObject({ seq: 2, body: text, hidden: { reason: '引导场外联系' } });

    // The stored row is untouched: the record still verifies and staff's export carries the text.
    const stored = await t.ctx.db.roomEntry.findUniqueOrThrow({ where: { roomId_seq: { roomId: r.room.id, seq: 2 } } });
    expect(stored.body).toBe(text);
    const evidence = (await moderator.client.get(`/api/rooms/${r.room.id}/evidence`)).body as RoomEvidence;
    expect(evidence.verification).toMatchObject({ ok: true, checked: 3, firstBroken: null });
    expect(evidence.entries[1]).toMatchObject({ seq: 2, body: text, hidden: { reason: '引导场外联系' }, withheld: false });
    // The printable page says what staff did, and why.
    const page = (await moderator.client.get(`/api/rooms/${r.room.id}/evidence?format=html`)).text;
    expect(page).toContain(`${text}\n〔已被平台隐藏：引导场外联系〕`);
    expect(page).toContain('隐藏消息 #2：引导场外联系');

    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/entries/2/hide`, { reason: '再隐藏一次' })).body.error).toBe('room_state_conflict');
    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/entries/3/hide`, { reason: '不是消息' })).body.error).toBe('not_found');
    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/entries/99/hide`, { reason: '不存在' })).body.error).toBe('not_found');
    expect(await t.ctx.db.roomEntryHide.count({ where: { roomId: r.room.id } })).toBe(1);
    r.close();
  });
});

describe('the evidence export of hidden entries', () => {
  it('a party’s JSON and HTML export withhold a hidden message, a hidden file’s name and the flagged words, say hidden by staff, and still verify on their own; staff’s export has them', async () => {
    const hiddenWord = word('私下交易');
    const visibleWord = word('返点');
    for (const w of [hiddenWord, visibleWord]) {
      expect((await admin.client.post('/api/admin/banned-words', { word: w, action: 'flag', reason: '绕开平台交易的风险' })).status).toBe(201);
    }
    const r = await joinedRoom();
    const secret = `加我私人微信详谈，${hiddenWord}更便宜`;
    const fileName = `${hiddenWord}-底价单.pdf`;
    expect(await r.send(r.a, '第一条')).toMatchObject({ ok: true, data: { seq: 1 } });
    expect(await r.send(r.a, secret)).toMatchObject({ ok: true, data: { seq: 2 } });
    const pdf = Buffer.from(`%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\n%%EOF\n`);
    expect(await uploadRoomFile(r.supplier.client, r.room.id, { name: fileName, type: 'application/pdf', bytes: pdf })).toMatchObject({ status: 201, body: { seq: 3 } });
    expect(await r.send(r.b, `可以谈${visibleWord}`)).toMatchObject({ ok: true, data: { seq: 4 } });
    for (const seq of [2, 3]) expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/entries/${seq}/hide`, { reason: '引导场外交易' })).status).toBe(200);

    const party = await r.demander.client.get(`/api/rooms/${r.room.id}/evidence`);
    const evidence = party.body as RoomEvidence;
    for (const leak of [secret, fileName, hiddenWord]) expect(party.text).not.toContain(leak);
    for (const seq of [2, 3]) {
      expect(evidence.entries[seq - 1]).toEqual(expect.objectContaining({
        seq, body: '', data: {}, flagged: [], withheld: true, hidden: { at: expect.any(String), reason: '引导场外交易' }, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }));
    }
    // A message left visible keeps its text, but the words it was flagged for are staff's alone.
    expect(evidence.entries[3]).toMatchObject({ seq: 4, body: `可以谈${visibleWord}`, data: {}, flagged: [], withheld: false });
    expect(evidence.verification).toMatchObject({ ok: true, checked: 6, firstBroken: null });
    // The party can check the chain itself, without the withheld text; a changed content hash breaks it.
    expect(verifyRoomExport(evidence)).toEqual({ ok: true, checked: 6, firstBroken: null });
    const forged = { ...evidence, entries: evidence.entries.map((e) => (e.seq === 2 ? { ...e, contentHash: roomContentHash({ body: '别的内容', replyToSeq: null, data: {} }) } : e)) };
    expect(verifyRoomExport(forged)).toEqual({ ok: false, checked: 1, firstBroken: { seq: 2, reason: 'hash_mismatch' } });

    const page = (await r.demander.client.get(`/api/rooms/${r.room.id}/evidence?format=html`)).text;
    for (const leak of [secret, fileName, hiddenWord]) expect(page).not.toContain(leak);
    expect(page).toContain(`〔已被平台隐藏，内容不予导出 / hidden by staff：引导场外交易〕\n内容哈希 / content hash：${evidence.entries[1]!.contentHash}`);
    expect(page).toContain('哈希链校验通过：6 条记录');

    // Staff get everything, and the withheld content matches the hash the parties were given.
    const staff = (await moderator.client.get(`/api/rooms/${r.room.id}/evidence`)).body as RoomEvidence;
    expect(staff.entries[1]).toMatchObject({ seq: 2, body: secret, flagged: [hiddenWord], withheld: false });
    expect(staff.entries[2]).toMatchObject({ seq: 3, data: { file: { name: fileName } }, flagged: [hiddenWord], withheld: false });
    expect(staff.entries[3]).toMatchObject({ seq: 4, flagged: [visibleWord] });
    expect(roomContentHash(staff.entries[1]!)).toBe(evidence.entries[1]!.contentHash);
    expect(verifyRoomExport(staff)).toEqual({ ok: true, checked: 6, firstBroken: null });
    const staffPage = (await moderator.client.get(`/api/rooms/${r.room.id}/evidence?format=html`)).text;
    expect(staffPage).toContain(`${secret}\n〔已被平台隐藏：引导场外交易〕`);
    expect(staffPage).toContain(`附件：${fileName}`);
    r.close();
  });
});

describe('muting a participant', () => {
  it('refuses the muted party until the time passes; the other party still sends', async () => {
    const r = await joinedRoom();
    const updated = nextEvent(r.b, 'room:updated');
    const res = await moderator.client.post(`/api/staff/rooms/${r.room.id}/mute`, { userId: r.supplier.userId, minutes: 30, reason: '多次发布广告' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: r.room.id, mySide: null, myRole: 'observer', muted: null });
    expect(await updated).toMatchObject({ id: r.room.id, frozen: false });
    const mute = await t.ctx.db.roomMute.findUniqueOrThrow({ where: { roomId_userId: { roomId: r.room.id, userId: r.supplier.userId } } });
    expect(mute.until.getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);

    expect(await r.send(r.a, '我还能说话吗')).toMatchObject({ ok: false, error: 'participant_muted', message: expect.stringContaining('多次发布广告') });
    expect(await r.send(r.b, '对方被禁言了')).toMatchObject({ ok: true, data: { seq: 2 } });
    const mutedView = (await r.supplier.client.get(`/api/rooms/${r.room.id}`)).body as RoomView;
    expect(mutedView.muted).toEqual({ until: mute.until.toISOString(), reason: '多次发布广告' });
    expect(((await r.demander.client.get(`/api/rooms/${r.room.id}`)).body as RoomView).muted).toBeNull();
    const entries = (await r.demander.client.get(`/api/rooms/${r.room.id}/entries`)).body.entries as RoomEntryView[];
    expect(entries[0]).toMatchObject({
      seq: 1, kind: 'moderation', data: { action: 'mute', userId: r.supplier.userId, until: mute.until.toISOString(), reason: '多次发布广告' },
    });

    // The time passes.
    await t.ctx.db.roomMute.update({ where: { roomId_userId: { roomId: r.room.id, userId: r.supplier.userId } }, data: { until: new Date(Date.now() - 1000) } });
    expect(await r.send(r.a, '禁言结束了')).toMatchObject({ ok: true, data: { seq: 3 } });
    expect(((await r.supplier.client.get(`/api/rooms/${r.room.id}`)).body as RoomView).muted).toBeNull();

    const outsider = await registerApprovedMember(t.ctx.db, t.baseUrl);
    for (const userId of [outsider.userId, moderator.userId, '00000000-0000-4000-8000-000000000000']) {
      expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/mute`, { userId, minutes: 5, reason: '不是参与方' })).body.error).toBe('user_not_found');
    }
    r.close();
  });
});

describe('freezing a room', () => {
  it('refuses sends and stage moves while frozen; unfreezing restores them', async () => {
    const r = await joinedRoom();
    await r.send(r.a, '冻结之前');
    const updated = nextEvent(r.a, 'room:updated');
    const frozen = await admin.client.post(`/api/staff/rooms/${r.room.id}/freeze`, { frozen: true, reason: '存在争议，暂停洽谈' });
    expect(frozen.status).toBe(200);
    expect(frozen.body).toMatchObject({ frozen: true, frozenReason: '存在争议，暂停洽谈', lastSeq: 2 });
    expect(await updated).toMatchObject({ id: r.room.id, frozen: true, frozenReason: '存在争议，暂停洽谈', lastSeq: 2 });
    expect((await r.supplier.client.get(`/api/rooms/${r.room.id}`)).body).toMatchObject({ frozen: true, frozenReason: '存在争议，暂停洽谈' });
    expect(await r.send(r.a, '冻结中')).toMatchObject({ ok: false, error: 'room_state_conflict', message: expect.stringContaining('存在争议') });
    expect(await r.send(r.b, '冻结中')).toMatchObject({ ok: false, error: 'room_state_conflict' });
    const move = await r.demander.client.post(`/api/rooms/${r.room.id}/stage`, { stage: 'formal_negotiation' });
    expect([move.status, move.body.error]).toEqual([409, 'room_state_conflict']);
    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/freeze`, { frozen: true, reason: '再冻结一次' })).status).toBe(409);

    const thawed = await moderator.client.post(`/api/staff/rooms/${r.room.id}/freeze`, { frozen: false, reason: '争议已解决' });
    expect(thawed.body).toMatchObject({ frozen: false, frozenReason: null, lastSeq: 3 });
    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/freeze`, { frozen: false, reason: '再解冻一次' })).status).toBe(409);
    expect(await r.send(r.a, '恢复洽谈')).toMatchObject({ ok: true, data: { seq: 4 } });
    expect((await r.demander.client.post(`/api/rooms/${r.room.id}/stage`, { stage: 'formal_negotiation' })).body).toMatchObject({ stage: 'formal_negotiation' });
    const entries = (await r.supplier.client.get(`/api/rooms/${r.room.id}/entries`)).body.entries as RoomEntryView[];
    expect(entries.map((e) => [e.kind, e.data.action ?? null])).toEqual([
      ['message', null], ['moderation', 'freeze'], ['moderation', 'unfreeze'], ['message', null], ['stage', null],
    ]);
    expect((await r.supplier.client.get(`/api/rooms/${r.room.id}/evidence`)).body.verification).toMatchObject({ ok: true, checked: 5 });
    r.close();
  });
});

describe('who may moderate', () => {
  it('members get 403 on every moderation route; reasons are required; unknown rooms are 404', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    await t.ctx.db.$transaction((tx) => appendRoomEntry(tx, room.id, { kind: 'message', authorId: supplier.userId, body: '一条消息' }));
    const id = room.id;
    const calls: [string, string, unknown][] = [
      ['GET', '/api/admin/banned-words', undefined],
      ['POST', '/api/admin/banned-words', { word: word('词'), action: 'flag', reason: '成员无权' }],
      ['DELETE', `/api/admin/banned-words/${id}`, { reason: '成员无权' }],
      ['POST', `/api/staff/rooms/${id}/entries/1/hide`, { reason: '成员无权' }],
      ['POST', `/api/staff/rooms/${id}/mute`, { userId: supplier.userId, minutes: 5, reason: '成员无权' }],
      ['POST', `/api/staff/rooms/${id}/freeze`, { frozen: true, reason: '成员无权' }],
    ];
    for (const [method, path, body] of calls) {
      const res = await supplier.client.request(method, path, body);
      expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, 403]);
    }
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    expect((await reviewer.client.post(`/api/staff/rooms/${id}/freeze`, { frozen: true, reason: '审核员无权' })).status).toBe(403);

    const noReason: [string, unknown][] = [
      [`/api/staff/rooms/${id}/entries/1/hide`, {}],
      [`/api/staff/rooms/${id}/mute`, { userId: supplier.userId, minutes: 5, reason: ' ' }],
      [`/api/staff/rooms/${id}/freeze`, { frozen: true }],
      ['/api/admin/banned-words', { word: word('词'), action: 'flag' }],
    ];
    for (const [path, body] of noReason) {
      const res = await admin.client.post(path, body);
      expect([path, res.status, res.body.error]).toEqual([path, 400, 'validation_failed']);
      expect(res.body.details.fields.map((f: { path: string }) => f.path)).toContain('reason');
    }
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: id } })).toBe(1);
    expect((await t.ctx.db.negotiationRoom.findUniqueOrThrow({ where: { id } })).frozenAt).toBeNull();

    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await moderator.client.post(`/api/staff/rooms/${missing}/freeze`, { frozen: true, reason: '不存在' })).body.error).toBe('room_not_found');
    expect((await moderator.client.post(`/api/staff/rooms/${missing}/entries/1/hide`, { reason: '不存在' })).body.error).toBe('room_not_found');
  });
});

describe('tampering with the record', () => {
  it('a changed message body and a removed last entry are both detected by the evidence export', async () => {
    const r = await joinedRoom();
    for (const body of ['第一条', '第二条', '第三条']) expect(await r.send(r.a, body)).toMatchObject({ ok: true });
    const verification = async () => ((await r.demander.client.get(`/api/rooms/${r.room.id}/evidence`)).body as RoomEvidence).verification;
    expect(await verification()).toMatchObject({ ok: true, checked: 3, firstBroken: null });

    // The trigger refuses both changes while enabled.
    await expect(t.ctx.db.$executeRaw`UPDATE "RoomEntry" SET body = 'x' WHERE "roomId" = ${r.room.id}::uuid AND seq = 2`).rejects.toThrow();

    await t.ctx.db.$executeRawUnsafe('ALTER TABLE "RoomEntry" DISABLE TRIGGER "RoomEntry_append_only"');
    try {
      await t.ctx.db.$executeRaw`UPDATE "RoomEntry" SET body = '第二条（已篡改）' WHERE "roomId" = ${r.room.id}::uuid AND seq = 2`;
      expect(await verification()).toMatchObject({ ok: false, checked: 1, firstBroken: { seq: 2, reason: 'hash_mismatch' } });

      await t.ctx.db.$executeRaw`UPDATE "RoomEntry" SET body = '第二条' WHERE "roomId" = ${r.room.id}::uuid AND seq = 2`;
      expect(await verification()).toMatchObject({ ok: true });

      await t.ctx.db.$executeRaw`DELETE FROM "RoomEntry" WHERE "roomId" = ${r.room.id}::uuid AND seq = 3`;
      expect(await verification()).toMatchObject({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'sequence_gap' } });
    } finally {
      await t.ctx.db.$executeRawUnsafe('ALTER TABLE "RoomEntry" ENABLE TRIGGER "RoomEntry_append_only"');
    }
    r.close();
  });
});
