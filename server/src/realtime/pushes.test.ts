import { randomBytes } from 'node:crypto';
import { CONNECTION_RECOVERY_MS, pushPublisher, relayPushes, type RoomEmitter } from '@hub/platform/realtime';
import { socketRoom, type Broadcaster, type NotificationView } from '@hub/protocol';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../app.ts';
import { createContext, type HubContext } from '../context.ts';
import { ApiClient } from '../../test/client.ts';
import { registerApprovedMember } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { collect, liveSocket, onceConnected, sleep, waitFor, type HubClientSocket } from '../../test/room-client.ts';

const log = pino({ level: 'silent' });
let t: TestHub;
let second: { ctx: HubContext; hub: Hub; baseUrl: string };
let redis: Redis;
const sockets: HubClientSocket[] = [];

beforeAll(async () => {
  t = await startTestHub();
  // A second server process's worth of hub on the same services and prefix.
  const ctx = createContext(t.config, t.urls, log);
  const hub = createHub(ctx);
  await new Promise<void>((resolve) => hub.httpServer.listen(0, '127.0.0.1', resolve));
  second = { ctx, hub, baseUrl: `http://127.0.0.1:${(hub.httpServer.address() as { port: number }).port}` };
  redis = new Redis(t.urls.redisUrl);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await second?.hub.close();
  await second?.ctx.close();
  redis?.disconnect();
  await t?.close();
});

const notification = (title: string): NotificationView => ({
  id: randomBytes(8).toString('hex'),
  kind: 'organization.approved',
  data: { title },
  createdAt: new Date().toISOString(),
  readAt: null,
});

/** A RoomEmitter that records what a server would broadcast. */
function recorder() {
  const seen: { rooms: string[]; event: string; args: unknown[] }[] = [];
  const emitter: RoomEmitter = {
    to: (room, event, ...args) => void seen.push({ rooms: [room].flat(), event, args }),
    toExcept: (room, _except, event, ...args) => void seen.push({ rooms: [room].flat(), event, args }),
  };
  return { seen, emitter };
}

describe('pushes from a process without sockets (the worker)', () => {
  it('reach every addressed socket once, on either server process, though both servers relay', async () => {
    const member = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const onSecond = new ApiClient(second.baseUrl, member.client.headers);
    onSecond.cookie = member.client.cookie;
    const [a, b] = [liveSocket(member.client), liveSocket(onSecond)];
    sockets.push(a, b);
    await Promise.all([onceConnected(a), onceConnected(b)]);
    const [toA, toB] = [collect(a, 'notification:new'), collect(b, 'notification:new')];

    const worker: Broadcaster = pushPublisher(redis, t.config.REDIS_PREFIX, (error) => {
      throw error;
    });
    for (const n of [1, 2, 3]) worker.to(socketRoom.user(member.userId), 'notification:new', notification(`第${n}条`));
    await waitFor('three pushes on both sockets', () => toA.length === 3 && toB.length === 3);
    await sleep(300); // None twice.
    for (const seen of [toA, toB]) expect(seen.map((n) => n.data.title)).toEqual(['第1条', '第2条', '第3条']);
  });

  it('published while no server ran, are relayed when one starts; those older than the recovery window are dropped', async () => {
    const prefix = `relay${randomBytes(4).toString('hex')}`;
    const worker: Broadcaster = pushPublisher(redis, prefix, (error) => {
      throw error;
    });
    worker.to(socketRoom.user('u1'), 'notification:new', notification('离线时发布'));
    await sleep(100);

    const fresh = recorder();
    const relay = relayPushes({ redis, redisPrefix: prefix, broadcast: fresh.emitter, log });
    await waitFor('the waiting push relayed', () => fresh.seen.length === 1);
    await relay.close();
    expect(fresh.seen[0]).toMatchObject({ rooms: ['user:u1'], event: 'notification:new' });

    worker.to(socketRoom.user('u2'), 'notification:new', notification('过时'));
    await sleep(100);
    const late = recorder();
    const lateRelay = relayPushes({ redis, redisPrefix: prefix, broadcast: late.emitter, log, now: () => Date.now() + CONNECTION_RECOVERY_MS + 60_000 });
    // The group has moved past the first push; the second is taken, found stale and confirmed unsent.
    await waitFor('the stale push taken off the stream', async () => {
      const [group] = (await redis.xinfo('GROUPS', `${prefix}:pushes`)) as unknown[][];
      const info = Object.fromEntries(Array.from({ length: group!.length / 2 }, (_, i) => [group![2 * i], group![2 * i + 1]]));
      return Number(info['entries-read']) === 2 && Number(info.pending) === 0;
    });
    await lateRelay.close();
    expect(late.seen).toEqual([]);
    await redis.del(`${prefix}:pushes`);
  });
});
