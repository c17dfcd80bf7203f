import { createDb, type Db } from '@hub/db';
import { freePort } from '@hub/platform/services';
import type { RoomEntryView, RoomJoined, RoomPresence, RoomRead, RoomTyping } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, createTestServices, type TestHub } from '../../test/harness.ts';
import { buildRoom, clientKey as key } from '../../test/room-factory.ts';
import {
  collect,
  dropTransport,
  liveSocket,
  onceConnected,
  onceDisconnected,
  request,
  RoomReader,
  sleep,
  waitFor,
  type HubClientSocket,
} from '../../test/room-client.ts';
import { killAllServers, serverEnv, spawnServer, type ServerProcess } from '../../test/server-process.ts';
import { verifyRoomRecord } from './record.ts';

/** Low enough to flood in a test; every other test here sends fewer messages per user and room. */
const MESSAGE_LIMIT = 12;

let t: TestHub;
const sockets: HubClientSocket[] = [];
beforeAll(async () => {
  t = await startTestHub({ MESSAGE_LIMIT_PER_MINUTE: String(MESSAGE_LIMIT) });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await killAllServers();
  await t?.close();
});

const seqsOf = (entries: RoomEntryView[]) => entries.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Opens the room on this socket (events about a room come from a socket that has joined it). */
async function join(socket: HubClientSocket, roomId: string) {
  const joined = await request<RoomJoined>(socket, 'room:join', { roomId });
  if (!joined.ok) throw new Error(`room:join refused: ${joined.error}`);
}

/** Both parties of a new room, each with a reconnecting socket (kept for afterAll to close); the supplier's (the sender's) has joined. */
async function openParties(hub: { db: Db; baseUrl: string } = { db: t.ctx.db, baseUrl: t.baseUrl }) {
  const built = await buildRoom(hub.db, hub.baseUrl);
  const a = liveSocket(built.supplier.client);
  const b = liveSocket(built.demander.client);
  sockets.push(a, b);
  await Promise.all([onceConnected(a), onceConnected(b)]);
  await join(a, built.room.id);
  return { ...built, a, b };
}

async function send(socket: HubClientSocket, roomId: string, body: string, clientKey = key()) {
  const ack = await request<RoomEntryView>(socket, 'room:send', { roomId, clientKey, body });
  if (!ack.ok) throw new Error(`room:send refused: ${ack.error}`);
  return ack.data;
}

describe('a dropped connection', () => {
  it('recovers the socket (connection state recovery): exactly the entries sent meanwhile, without joining again', async () => {
    const { room, a, b, demander } = await openParties();
    for (const n of [1, 2, 3]) await send(a, room.id, `掉线前 ${n}`);
    // What the room page keeps: the join's entries, then live ones in order, each once. The live copy
    // of seq 3 may reach B after its join brought it (the broadcast crosses the Redis stream on its
    // own time), before the drop or in the replay after it; either way it is not shown twice.
    const reader = new RoomReader(b, room.id);
    const presenceToB = collect(b, 'room:presence');
    await reader.open();
    expect(seqsOf(reader.shown)).toEqual([1, 2, 3]);
    // A client asks to recover from the offset of the last broadcast it got: here the presence its join announced.
    await waitFor('B hears the room', () => presenceToB.some((p) => p.online.some((u) => u.id === demander.userId)));
    const joinsByB: unknown[] = [];
    b.onAnyOutgoing((event, payload) => event === 'room:join' && joinsByB.push(payload));

    b.io.reconnection(false);
    dropTransport(b);
    await onceDisconnected(b);
    const K = 5;
    for (let n = 1; n <= K; n++) await send(a, room.id, `掉线期间 ${n}`);
    b.connect();
    await onceConnected(b);
    expect(b.recovered).toBe(true);
    await waitFor('the missed entries replayed', () => reader.shown.length >= 3 + K);
    await sleep(300); // Nothing more (no duplicate) arrives.
    expect(seqsOf(reader.shown)).toEqual(range(1, 3 + K));
    expect(reader.shown.slice(3).map((e) => e.body)).toEqual(range(1, K).map((n) => `掉线期间 ${n}`));
    // The replay brought each missed entry once; only entries the join brought may also have come live.
    expect(reader.live.filter((seq) => seq > 3)).toEqual(range(4, 3 + K));
    expect(reader.dropped.every((seq) => seq <= 3)).toBe(true);
    expect(reader.recoveries).toBe(1);
    expect(joinsByB).toEqual([]);

    // Still in the room, live: the next entry arrives once.
    await send(a, room.id, '恢复之后');
    await waitFor('the next entry live', () => reader.shown.length === 4 + K);
    expect(reader.shown.at(-1)).toMatchObject({ seq: 4 + K, body: '恢复之后' });
    expect(reader.live.filter((seq) => seq > 3)).toEqual(range(4, 4 + K));
  });

  it('a client that could not recover re-joins with afterSeq and gets exactly the entries after it, no gap, no duplicate', async () => {
    const { room, a, demander } = await openParties();
    for (const n of [1, 2]) await send(a, room.id, `之前 ${n}`);
    const first = liveSocket(demander.client);
    sockets.push(first);
    await onceConnected(first);
    const before = new RoomReader(first, room.id);
    await before.open();
    expect(seqsOf(before.shown)).toEqual([1, 2]);
    // The tab is closed (a clean disconnect discards the server-side session), messages go on…
    first.close();
    const K = 6;
    for (let n = 1; n <= K; n++) await send(a, room.id, `期间 ${n}`);
    // …and a new connection asks for everything after the last sequence it held.
    const next = liveSocket(demander.client);
    sockets.push(next);
    await onceConnected(next);
    expect(next.recovered).toBe(false);
    const reader = new RoomReader(next, room.id);
    const joined = await reader.open(before.lastSeq);
    expect(seqsOf(joined.entries)).toEqual(range(3, 2 + K));
    expect(joined.hasMore).toBe(false);
    await send(a, room.id, '之后');
    await waitFor('the next entry live', () => reader.lastSeq === 3 + K);
    expect(seqsOf(reader.shown)).toEqual(range(3, 3 + K));
    expect(reader.dropped).toEqual([]);
  });

  it('a send whose ack was lost is stored once: the resend with the same client key returns the first result', async () => {
    const { room, a, b } = await openParties();
    const presenceToA = collect(a, 'room:presence');
    expect((await request(b, 'room:join', { roomId: room.id })).ok).toBe(true);
    const toB = collect(b, 'room:entry');
    // A hears B arrive: a broadcast gives A the offset it recovers from.
    await waitFor('A hears the room', () => presenceToA.length > 0);
    const clientKey = key();
    const body = '这条的确认丢了';
    a.io.reconnection(false);
    const lost = request<RoomEntryView>(a, 'room:send', { roomId: room.id, clientKey, body });
    dropTransport(a); // Right after the emit: the message leaves, its ack cannot come back.
    await expect(lost).rejects.toThrow();
    // The server stored it all the same (written before it acks).
    await waitFor('the first attempt stored', async () => (await t.ctx.db.roomEntry.count({ where: { roomId: room.id, clientKey } })) === 1);
    a.connect();
    await onceConnected(a);
    // Recovered: still in the room, so the resend needs no new room:join.
    expect(a.recovered).toBe(true);
    const resent = await request<RoomEntryView>(a, 'room:send', { roomId: room.id, clientKey, body });
    expect(resent).toMatchObject({ ok: true, data: { seq: 1, body } });
    const rows = await t.ctx.db.roomEntry.findMany({ where: { roomId: room.id } });
    expect(rows.map((r) => [r.seq, r.clientKey])).toEqual([[1, clientKey]]);
    expect(resent.ok && resent.data.hash).toBe(rows[0]!.hash);
    // The other party saw it once: a resend is not broadcast again.
    await waitFor('the entry live', () => toB.length === 1);
    await sleep(300);
    expect(seqsOf(toB)).toEqual([1]);
  });
});

describe('read receipts, unread counts, typing and presence', () => {
  it('room:read lowers the unread count and reaches the other party', async () => {
    const { room, a, b, demander } = await openParties();
    for (const s of [a, b]) expect((await request(s, 'room:join', { roomId: room.id })).ok).toBe(true);
    for (const n of [1, 2, 3]) await send(a, room.id, `未读 ${n}`);
    const unread = async () => {
      const res = await demander.client.get('/api/rooms');
      return res.body.rooms.find((r: { id: string }) => r.id === room.id) as { unread: number; lastReadSeq: number; lastSeq: number };
    };
    expect(await unread()).toMatchObject({ unread: 3, lastReadSeq: 0, lastSeq: 3 });
    const readsToA = collect(a, 'room:read');
    expect(await request<RoomRead>(b, 'room:read', { roomId: room.id, seq: 2 })).toMatchObject({ ok: true, data: { seq: 2, userId: demander.userId } });
    expect(await unread()).toMatchObject({ unread: 1, lastReadSeq: 2 });
    await waitFor('the read receipt at the sender', () => readsToA.length > 0);
    expect(readsToA[0]).toEqual({ roomId: room.id, userId: demander.userId, organizationId: demander.organizationId, seq: 2 });
    // Reading further never moves back; reading past the end stops at the last entry.
    await request(b, 'room:read', { roomId: room.id, seq: 1 });
    expect(await unread()).toMatchObject({ unread: 1, lastReadSeq: 2 });
    await request(b, 'room:read', { roomId: room.id, seq: 99 });
    expect(await unread()).toMatchObject({ unread: 0, lastReadSeq: 3 });
  });

  it('typing reaches the other party, never the typist', async () => {
    const { room, a, b, supplier } = await openParties();
    for (const s of [a, b]) expect((await request(s, 'room:join', { roomId: room.id })).ok).toBe(true);
    const toA = collect(a, 'room:typing');
    const toB = collect(b, 'room:typing');
    expect(await request(a, 'room:typing', { roomId: room.id, typing: true })).toMatchObject({ ok: true });
    await waitFor('typing at the other party', () => toB.length === 1);
    expect(toB[0]).toEqual<RoomTyping>({ roomId: room.id, user: { id: supplier.userId, name: expect.any(String) }, typing: true });
    await request(a, 'room:typing', { roomId: room.id, typing: false });
    await waitFor('stopped typing', () => toB.length === 2);
    expect(toB[1]).toMatchObject({ typing: false });
    await sleep(300);
    expect(toA).toEqual([]);
  });

  it('presence lists both parties after they join and drops one when it disconnects', async () => {
    const { room, a, b, supplier, demander } = await openParties();
    const toA = collect(a, 'room:presence');
    const online = (events: RoomPresence[]) => (events.at(-1)?.online ?? []).map((u) => u.id).sort();
    expect((await request(a, 'room:join', { roomId: room.id })).ok).toBe(true);
    expect((await request(b, 'room:join', { roomId: room.id })).ok).toBe(true);
    const both = [supplier.userId, demander.userId].sort();
    await waitFor('both online', () => online(toA).join() === both.join());
    b.close();
    await waitFor('the demander gone', () => online(toA).join() === supplier.userId);
  });
});

describe('a flood', () => {
  it(`refuses sends beyond ${MESSAGE_LIMIT} a minute with rate_limited and stores none of them`, async () => {
    const { room, a } = await openParties();
    const keys = Array.from({ length: MESSAGE_LIMIT + 5 }, () => key());
    const acks = await Promise.all(keys.map((clientKey, i) => request<RoomEntryView>(a, 'room:send', { roomId: room.id, clientKey, body: `刷屏 ${i}` }, 15_000)));
    const stored = keys.filter((_, i) => acks[i]!.ok);
    const refused = acks.filter((ack) => !ack.ok);
    expect(stored).toHaveLength(MESSAGE_LIMIT);
    expect(refused).toHaveLength(5);
    for (const ack of refused) expect(ack).toMatchObject({ ok: false, error: 'rate_limited' });
    const rows = await t.ctx.db.roomEntry.findMany({ where: { roomId: room.id }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.seq)).toEqual(range(1, MESSAGE_LIMIT));
    expect(rows.map((r) => r.clientKey).sort()).toEqual([...stored].sort());
    // A refused message is not stored later either: its resend is refused too while the window lasts.
    const again = await request(a, 'room:send', { roomId: room.id, clientKey: keys.find((k) => !stored.includes(k))!, body: '再试一次' });
    expect(again).toMatchObject({ ok: false, error: 'rate_limited' });
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(MESSAGE_LIMIT);
  });
});

describe('a server restart', () => {
  const TOTAL = 30;
  const KILL_AT = 10;
  let services: Awaited<ReturnType<typeof createTestServices>>;
  let db: Db;
  let server: ServerProcess;

  beforeAll(async () => {
    services = await createTestServices({ MESSAGE_LIMIT_PER_MINUTE: '1000' });
    db = createDb(services.urls.databaseUrl, { max: 3 });
  });
  afterAll(async () => {
    await killAllServers();
    if (db) await db.$disconnect();
    if (services) {
      const keys = await t.ctx.redis.keys(`${services.config.REDIS_PREFIX}:*`);
      if (keys.length) await t.ctx.redis.del(...keys);
      await services.cleanup();
    }
  });

  it(
    'killed with SIGKILL mid-stream and started again: every acked message reaches the receiver exactly once, in order, stored once',
    async () => {
      const port = await freePort();
      const env = serverEnv(services.config, services.urls);
      server = spawnServer(port, env);
      await server.started;
      const { room, a, b } = await openParties({ db, baseUrl: server.baseUrl });
      const receiver = new RoomReader(b, room.id);
      await receiver.open(0);
      // The sender re-opens the room after a reconnect that did not recover, as the web client does.
      await new RoomReader(a, room.id).open(0);

      const bodies = range(1, TOTAL).map((n) => `第 ${n} 条`);
      const keys = bodies.map(() => key());
      const acked = new Map<string, RoomEntryView>();
      let resends = 0;
      let restarted: Promise<void> | undefined;
      let ackedBeforeKill = -1;
      const first = server;

      // The sender, as the web client does it: one message at a time, each resent with its own key until acked.
      for (let i = 0; i < TOTAL; i++) {
        const payload = { roomId: room.id, clientKey: keys[i]!, body: bodies[i]! };
        for (let attempt = 0; ; attempt++) {
          if (attempt > 0) resends += 1;
          if (attempt > 200) throw new Error(`message ${i + 1} never acked:\n${server.tail()}`);
          await onceConnected(a, 60_000);
          const pending = request<RoomEntryView>(a, 'room:send', payload, 1500);
          if (i === KILL_AT && attempt === 0) {
            // Killed while this message is in flight: stored or not, its ack is lost.
            ackedBeforeKill = acked.size;
            restarted = (async () => {
              await first.stop('SIGKILL');
              server = spawnServer(port, env);
              await server.started;
            })();
          }
          const ack = await pending.catch(() => null);
          if (ack?.ok) {
            acked.set(payload.clientKey, ack.data);
            break;
          }
          // Also retried: a send that overtook the re-join after a reconnect.
          if (ack && !ack.ok && !['internal_error', 'service_unavailable', 'room_not_joined'].includes(ack.error)) throw new Error(`refused: ${ack.error}`);
          await sleep(100);
        }
        await sleep(20);
      }
      await restarted;
      expect(ackedBeforeKill).toBe(KILL_AT);
      expect(await first.exited).toBe('signal SIGKILL');
      expect(server).not.toBe(first);
      expect(resends).toBeGreaterThan(0);

      // The receiver shows every acked message once, in sequence order, nothing else.
      await waitFor('the receiver caught up', () => receiver.lastSeq === TOTAL, 60_000);
      await sleep(300);
      expect(seqsOf(receiver.shown)).toEqual(range(1, TOTAL));
      expect(receiver.shown.map((e) => e.body)).toEqual(bodies);
      for (const [i, clientKey] of keys.entries()) {
        expect(receiver.shown[i]).toEqual(acked.get(clientKey));
      }
      // It had to catch up after the restart (the killed process could not save its session).
      expect(receiver.catchUps.length).toBeGreaterThan(0);

      // Postgres holds each client key once, in a record that verifies.
      const rows = await db.roomEntry.findMany({ where: { roomId: room.id }, orderBy: { seq: 'asc' } });
      expect(rows.map((r) => r.clientKey)).toEqual(keys);
      expect(rows.map((r) => r.seq)).toEqual(range(1, TOTAL));
      expect(await verifyRoomRecord(db, room.id, null)).toMatchObject({ ok: true, checked: TOTAL, firstBroken: null });
    },
    180_000,
  );
});
