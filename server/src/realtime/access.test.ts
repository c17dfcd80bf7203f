import { createHash } from 'node:crypto';
import type { Db } from '@hub/db';
import { SESSION_COOKIE, type RoomEntryView, type RoomRead } from '@hub/protocol';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../test/client.ts';
import { registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { buildRoom, clientKey as key } from '../../test/room-factory.ts';
import { collect, dropTransport, liveSocket, onceConnected, onceDisconnected, request, sleep, waitFor, type HubClientSocket } from '../../test/room-client.ts';
import { startServerPair, type ServerProcess } from '../../test/server-process.ts';

/**
 * Rights are checked against current state on every server process: two servers as deployed, the
 * changes made through server one, the sockets that must feel them on server two.
 */
let pair: Awaited<ReturnType<typeof startServerPair>>;
let db: Db;
let redis: Redis;
let one: ServerProcess;
let two: ServerProcess;
const sockets: HubClientSocket[] = [];

beforeAll(async () => {
  pair = await startServerPair();
  ({ db, one, two } = pair);
  redis = new Redis(pair.services.urls.redisUrl);
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  redis?.disconnect();
  await pair?.close();
});

/** The same signed-in session, talking to server two. */
function onTwo(client: ApiClient): ApiClient {
  const other = new ApiClient(two.baseUrl, client.headers);
  other.cookie = client.cookie;
  return other;
}

async function socketOn(client: ApiClient): Promise<HubClientSocket> {
  const socket = liveSocket(client);
  sockets.push(socket);
  await onceConnected(socket);
  return socket;
}

async function join(socket: HubClientSocket, roomId: string) {
  const joined = await request(socket, 'room:join', { roomId });
  expect(joined).toMatchObject({ ok: true });
}

async function say(socket: HubClientSocket, roomId: string, body: string) {
  expect(await request(socket, 'room:send', { roomId, clientKey: key(), body })).toMatchObject({ ok: true });
}

/** Milliseconds until the socket is disconnected by the server. */
async function disconnectedWithin(socket: HubClientSocket, from: number): Promise<{ reason: string; ms: number }> {
  const reason = await onceDisconnected(socket, 5000);
  return { reason, ms: Date.now() - from };
}

const messages = (entries: RoomEntryView[]) => entries.filter((e) => e.kind === 'message').map((e) => e.body);

describe('recovered sockets', () => {
  it('a broker removed while their connection was down is not recovered into the room: nothing missed, nothing live', async () => {
    const { room, supplier, demander } = await buildRoom(db, one.baseUrl);
    const broker = await registerApprovedMember(db, one.baseUrl, { organization: { type: 'service_agency', enterpriseSize: undefined, specialities: ['brokerage'] } });
    expect((await demander.client.post(`/api/rooms/${room.id}/participants`, { userId: broker.userId, note: '请协助评估' })).status).toBe(201);
    const a = await socketOn(supplier.client);
    await join(a, room.id);
    const brokerSocket = await socketOn(onTwo(broker.client));
    await join(brokerSocket, room.id);
    const toBroker = collect(brokerSocket, 'room:entry');
    // A client can ask to recover only once it holds a broadcast's offset.
    await say(a, room.id, '掉线之前');
    await waitFor('the broker hears the room', () => toBroker.length === 1);

    brokerSocket.io.reconnection(false);
    dropTransport(brokerSocket);
    await onceDisconnected(brokerSocket);
    expect((await demander.client.delete(`/api/rooms/${room.id}/participants/${broker.userId}`)).status).toBe(204);
    await say(a, room.id, '经纪人离开之后的消息');

    brokerSocket.connect();
    await onceConnected(brokerSocket);
    expect(brokerSocket.recovered).toBe(false);
    await say(a, room.id, '重连之后的消息');
    await sleep(500);
    expect(messages(toBroker)).toEqual(['掉线之前']);
    expect(await request(brokerSocket, 'room:send', { roomId: room.id, clientKey: key(), body: '还能说话吗' })).toMatchObject({ ok: false, error: 'room_not_joined' });
    expect(await request(brokerSocket, 'room:join', { roomId: room.id })).toMatchObject({ ok: false, error: 'room_not_found' });
  });

  it('a party that keeps its rights is still recovered with exactly what it missed', async () => {
    const { room, supplier, demander } = await buildRoom(db, one.baseUrl);
    const a = await socketOn(supplier.client);
    await join(a, room.id);
    const b = await socketOn(onTwo(demander.client));
    await join(b, room.id);
    const toB = collect(b, 'room:entry');
    await say(a, room.id, '掉线之前');
    await waitFor('B hears the room', () => toB.length === 1);
    b.io.reconnection(false);
    dropTransport(b);
    await onceDisconnected(b);
    await say(a, room.id, '掉线期间');
    b.connect();
    await onceConnected(b);
    expect(b.recovered).toBe(true);
    await waitFor('the missed message replayed', () => toB.length === 2);
    expect(messages(toB)).toEqual(['掉线之前', '掉线期间']);
  });
});

describe('rights that change while a socket is open', () => {
  it('a moderator whose role an admin removes leaves the room they joined, on the other process, within a second; HTTP refuses them too', async () => {
    const { room, supplier } = await buildRoom(db, one.baseUrl);
    const other = await buildRoom(db, one.baseUrl, '另一场洽谈');
    const moderator = await signInStaff(db, one.baseUrl, 'moderator');
    const admin = await signInStaff(db, one.baseUrl, 'admin');
    expect((await moderator.client.post(`/api/staff/rooms/${room.id}/join`, { reason: '协助双方沟通' })).status).toBe(200);
    const a = await socketOn(supplier.client);
    await join(a, room.id);
    const m = await socketOn(onTwo(moderator.client));
    await join(m, room.id);
    const toModerator = collect(m, 'room:entry');
    const ended = collect(m, 'room:access-ended');

    const at = Date.now();
    expect((await admin.client.put(`/api/staff/users/${moderator.userId}/role`, { role: null, reason: '岗位调整' })).status).toBe(200);
    await waitFor('the room taken from the demoted moderator', () => ended.length === 1, 1000);
    expect(Date.now() - at).toBeLessThan(1000);
    expect(ended).toEqual([{ roomId: room.id }]);

    await say(a, room.id, '降级之后的消息');
    await sleep(300);
    expect(messages(toModerator)).toEqual([]);
    expect(await request(m, 'room:send', { roomId: room.id, clientKey: key(), body: '我还在吗' })).toMatchObject({ ok: false, error: 'room_not_joined' });
    // No longer staff: no observing any room either.
    expect(await request(m, 'room:join', { roomId: other.room.id })).toMatchObject({ ok: false, error: 'room_not_found' });
    expect(await request(m, 'room:join', { roomId: room.id })).toMatchObject({ ok: false, error: 'room_not_found' });
    // Their `staff` participant row outlived the role; it grants nothing over HTTP.
    expect((await moderator.client.get(`/api/rooms/${room.id}`)).status).toBe(404);
    expect((await moderator.client.get(`/api/rooms/${room.id}/evidence`)).status).toBe(404);
    expect((await moderator.client.get('/api/rooms')).body.rooms).toEqual([]);
    const upload = await fetch(`${one.baseUrl}/api/rooms/${room.id}/files?name=note.txt&clientKey=${key()}`, {
      method: 'POST',
      headers: { cookie: moderator.client.cookie!, 'content-type': 'text/plain' },
      body: '降级之后上传',
    });
    expect(upload.status).toBe(404);
    expect(await db.roomFile.count({ where: { roomId: room.id } })).toBe(0);
  });

  it('signing out disconnects every socket of that session, on both processes, within a second', async () => {
    const member = await registerApprovedMember(db, one.baseUrl);
    const onOne = await socketOn(member.client);
    const onTwoSocket = await socketOn(onTwo(member.client));
    for (const s of [onOne, onTwoSocket]) s.io.reconnection(false);
    const at = Date.now();
    const gone = [disconnectedWithin(onOne, at), disconnectedWithin(onTwoSocket, at)];
    expect((await member.client.post('/api/auth/logout')).status).toBe(204);
    for (const { reason, ms } of await Promise.all(gone)) {
      expect(reason).toBe('io server disconnect');
      expect(ms).toBeLessThan(1000);
    }
  });

  it('a session that expires disconnects its sockets within a second', async () => {
    const member = await registerApprovedMember(db, one.baseUrl);
    const socket = await socketOn(onTwo(member.client));
    socket.io.reconnection(false);
    const token = member.client.cookie!.slice(`${SESSION_COOKIE}=`.length);
    const sessionKey = `${pair.services.config.REDIS_PREFIX}:session:${createHash('sha256').update(token).digest('hex')}`;
    expect(await redis.exists(sessionKey)).toBe(1);
    const at = Date.now();
    const gone = disconnectedWithin(socket, at);
    await redis.pexpire(sessionKey, 1);
    const { reason, ms } = await gone;
    expect(reason).toBe('io server disconnect');
    expect(ms).toBeLessThan(1000);
  });
});

describe('silent observers', () => {
  it('send no read receipts: the server refuses them and the parties hear nothing', async () => {
    const { room, supplier } = await buildRoom(db, one.baseUrl);
    const moderator = await signInStaff(db, one.baseUrl, 'moderator');
    const a = await socketOn(supplier.client);
    await join(a, room.id);
    await say(a, room.id, '第一条');
    const receipts = collect(a, 'room:read');
    const observer = await socketOn(onTwo(moderator.client));
    const joined = await request<{ room: { myRole: string } }>(observer, 'room:join', { roomId: room.id });
    expect(joined).toMatchObject({ ok: true, data: { room: { myRole: 'observer' } } });
    expect(await request<RoomRead>(observer, 'room:read', { roomId: room.id, seq: 1 })).toMatchObject({ ok: false, error: 'forbidden' });
    await sleep(300);
    expect(receipts).toEqual([]);
    expect(await db.roomReadState.count({ where: { roomId: room.id, userId: moderator.userId } })).toBe(0);
  });
});
