import type { Db } from '@hub/db';
import type { RoomEntryView, RoomPresence } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../test/client.ts';
import { signInStaff } from '../../test/factories.ts';
import { buildRoom, clientKey as key } from '../../test/room-factory.ts';
import { collect, dropTransport, liveSocket, onceConnected, onceDisconnected, request, sleep, waitFor, type HubClientSocket } from '../../test/room-client.ts';
import { startServerPair, type ServerProcess } from '../../test/server-process.ts';

/**
 * Two server processes — `node server/src/main.ts`, as deployed — on different ports, on the same
 * Postgres, Redis prefix and Meilisearch: one party on each, and they behave as one hub.
 */
let pair: Awaited<ReturnType<typeof startServerPair>>;
let db: Db;
let one: ServerProcess;
let two: ServerProcess;
const sockets: HubClientSocket[] = [];

beforeAll(async () => {
  pair = await startServerPair({ MESSAGE_LIMIT_PER_MINUTE: '1000' });
  ({ db, one, two } = pair);
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await pair?.close();
});

const ids = (event: RoomPresence | undefined) => (event?.online ?? []).map((u) => u.id).sort().join();

/** A room whose supplier is on server one and whose demander is on server two, both joined. */
async function partiesOnTwoServers() {
  const built = await buildRoom(db, one.baseUrl);
  // The demander's session (in Redis) is good on either server: its client talks to server two.
  const demanderOnTwo = new ApiClient(two.baseUrl, built.demander.client.headers);
  demanderOnTwo.cookie = built.demander.client.cookie;
  const a = liveSocket(built.supplier.client);
  const b = liveSocket(demanderOnTwo);
  sockets.push(a, b);
  await Promise.all([onceConnected(a), onceConnected(b)]);
  const presenceToA = collect(a, 'room:presence');
  const presenceToB = collect(b, 'room:presence');
  expect(await request(a, 'room:join', { roomId: built.room.id })).toMatchObject({ ok: true });
  expect(await request(b, 'room:join', { roomId: built.room.id })).toMatchObject({ ok: true });
  return { ...built, demanderOnTwo, a, b, presenceToA, presenceToB };
}

describe('two server processes behave as one hub', () => {
  it('messages cross both ways, once each, and presence, typing and read receipts cross too', async () => {
    const { room, supplier, demander, a, b, presenceToA, presenceToB } = await partiesOnTwoServers();
    const both = [supplier.userId, demander.userId].sort().join();
    // Presence is gathered from the sockets of both processes.
    await waitFor('both parties online, seen from server one', () => ids(presenceToA.at(-1)) === both);
    await waitFor('both parties online, seen from server two', () => ids(presenceToB.at(-1)) === both);

    const entriesToA = collect(a, 'room:entry');
    const entriesToB = collect(b, 'room:entry');
    const typingToA = collect(a, 'room:typing');
    const typingToB = collect(b, 'room:typing');
    const readsToA = collect(a, 'room:read');

    const fromA = await request<RoomEntryView>(a, 'room:send', { roomId: room.id, clientKey: key(), body: '服务器一发出' });
    await waitFor('A→B across processes', () => entriesToB.length === 1);
    expect(entriesToB[0]).toEqual(fromA.ok && fromA.data);
    const fromB = await request<RoomEntryView>(b, 'room:send', { roomId: room.id, clientKey: key(), body: '服务器二回复' });
    await waitFor('B→A across processes', () => entriesToA.length === 2);
    expect(entriesToA[1]).toEqual(fromB.ok && fromB.data);
    for (let n = 3; n <= 6; n++) await request(n % 2 ? a : b, 'room:send', { roomId: room.id, clientKey: key(), body: `来回 ${n}` });
    await waitFor('every entry at both', () => entriesToA.length === 6 && entriesToB.length === 6);
    await sleep(300);
    // Once each, in order, on both processes.
    expect(entriesToA.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(entriesToB.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    expect(await request(b, 'room:typing', { roomId: room.id, typing: true })).toMatchObject({ ok: true });
    await waitFor('typing crosses', () => typingToA.length === 1);
    expect(typingToA[0]).toMatchObject({ roomId: room.id, user: { id: demander.userId }, typing: true });

    expect(await request(b, 'room:read', { roomId: room.id, seq: 6 })).toMatchObject({ ok: true });
    await waitFor('the read receipt crosses', () => readsToA.length === 1);
    expect(readsToA[0]).toEqual({ roomId: room.id, userId: demander.userId, organizationId: demander.organizationId, seq: 6 });
    await sleep(200);
    expect(typingToB).toEqual([]);

    b.close();
    await waitFor('presence drops the party that left server two', () => ids(presenceToA.at(-1)) === supplier.userId);
  });

  it('a stage move made through server one reaches the party on server two', async () => {
    const { room, supplier, b } = await partiesOnTwoServers();
    const entriesToB = collect(b, 'room:entry');
    const moved = await supplier.client.post(`/api/rooms/${room.id}/stage`, { stage: 'formal_negotiation' });
    expect(moved.status).toBe(200);
    await waitFor('the stage entry on server two', () => entriesToB.length === 1);
    expect(entriesToB[0]).toMatchObject({ seq: 1, kind: 'stage', data: { from: 'first_contact', to: 'formal_negotiation' } });
  });

  it('a moderator hiding a message through server one reaches the party on server two', async () => {
    const { room, a, b } = await partiesOnTwoServers();
    const sent = await request<RoomEntryView>(a, 'room:send', { roomId: room.id, clientKey: key(), body: '加我微信私聊报价' });
    expect(sent.ok).toBe(true);
    const hiddenToB = collect(b, 'room:entry-hidden');
    const moderator = await signInStaff(db, one.baseUrl, 'moderator');
    const res = await moderator.client.post(`/api/staff/rooms/${room.id}/entries/1/hide`, { reason: '引导线下交易，违反平台规则' });
    expect(res.status).toBe(200);
    await waitFor('entry-hidden on server two', () => hiddenToB.length === 1);
    expect(hiddenToB[0]).toMatchObject({ roomId: room.id, seq: 1, reason: '引导线下交易，违反平台规则' });
  });

  it('a client dropped from server one reconnects to server two and recovers what it missed, without joining again', async () => {
    const { room, a, b } = await partiesOnTwoServers();
    const before = collect(a, 'room:entry');
    await request(b, 'room:send', { roomId: room.id, clientKey: key(), body: '之前' });
    // The client remembers the stream offset of the last broadcast it got: it recovers from there.
    await waitFor('A saw seq 1', () => before.length === 1);
    const entriesToA = collect(a, 'room:entry');
    const joinsByA: unknown[] = [];
    a.onAnyOutgoing((event, payload) => event === 'room:join' && joinsByA.push(payload));
    a.io.reconnection(false);
    dropTransport(a);
    await onceDisconnected(a);
    for (let n = 1; n <= 3; n++) await request(b, 'room:send', { roomId: room.id, clientKey: key(), body: `掉线期间 ${n}` });
    // As a load balancer would: the reconnection lands on the other process.
    (a.io as unknown as { uri: string }).uri = two.baseUrl;
    a.connect();
    await onceConnected(a);
    expect(a.recovered).toBe(true);
    await waitFor('the missed entries replayed on server two', () => entriesToA.length >= 3);
    await sleep(300);
    expect(entriesToA.map((e) => [e.seq, e.body])).toEqual([[2, '掉线期间 1'], [3, '掉线期间 2'], [4, '掉线期间 3']]);
    expect(joinsByA).toEqual([]);
    // Recovered into the room on server two: live from here on.
    await request(b, 'room:send', { roomId: room.id, clientKey: key(), body: '之后' });
    await waitFor('live on server two', () => entriesToA.length === 4);
    expect(entriesToA[3]).toMatchObject({ seq: 5, body: '之后' });
  });
});
