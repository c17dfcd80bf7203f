import { hostname } from 'node:os';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * The realtime path, in one place: the Socket.IO adapter the servers share (pinned in this
 * workspace's manifest), its Redis keys, the presence keys, and how a process without a Socket.IO
 * server (the worker) pushes to sockets.
 *
 * The worker never writes the adapter's private wire format. It appends our own typed push events to
 * a stream of ours; the servers relay each one exactly once (a consumer group) with an ordinary
 * `io.to(room).emit()`, so it travels the adapter's stream like any broadcast: every server process
 * delivers it, and a client that recovers its connection gets it replayed.
 */

/** The Redis stream (and pub/sub channel prefix) of the servers' Socket.IO streams adapter. */
const adapterKey = (redisPrefix: string) => `${redisPrefix}:socket.io`;

/**
 * About how many broadcasts the adapter's stream keeps (trimmed approximately): a briefly
 * disconnected client recovers the ones it missed from there; older gaps are filled by the
 * sequence-based catch-up (`room:join` with `afterSeq`).
 */
const ADAPTER_STREAM_MAX_LEN = 10_000;

/** The stream of push events from processes without sockets, and the servers' group that relays it. */
export const pushStreamKey = (redisPrefix: string) => `${redisPrefix}:pushes`;
const RELAY_GROUP = 'servers';
const PUSH_STREAM_MAX_LEN = 10_000;

/**
 * How long a dropped client's socket (its id, rooms and the broadcasts it missed) is kept for it to
 * recover on any server process; after that, or after a crash, it catches up by sequence number.
 */
export const CONNECTION_RECOVERY_MS = 2 * 60_000;

/** A push older than this when a server relays it (no server ran meanwhile) is dropped: nobody still connected missed it. */
const PUSH_STALE_MS = CONNECTION_RECOVERY_MS;

/**
 * One server relays at a time, so pushes keep the order they were published in: it holds a lease it
 * renews every round; when it stops (or crashes) another takes over within a lease, together with
 * any pushes it took and never confirmed.
 */
const RELAY_LEASE_MS = 5_000;

/** Takes or renews the relay's lease: 1 while this consumer holds it. */
const HOLD_LEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0`;

/** Redis sorted set of a user's connected sockets (score: when the entry lapses unless the server renews it). */
export const presenceKey = (redisPrefix: string, userId: string) => `${redisPrefix}:presence:${userId}`;

/**
 * The streams adapter sends two commands without awaiting them: sharded publishes (requests between
 * servers, such as fetchSockets) and session writes (connection state recovery). A failure of either,
 * when Redis is gone or this process is closing, is logged here instead of becoming an unhandled
 * rejection, which would end the process.
 */
function catchUnawaited(redis: Redis, log: Logger): Redis {
  for (const command of ['spublish', 'set'] as const) {
    const send = (redis[command] as (...args: unknown[]) => Promise<unknown>).bind(redis);
    Object.assign(redis, {
      [command]: (...args: unknown[]) => {
        const reply = send(...args);
        reply.catch((error: Error) => log.warn({ command, err: error.message }, 'socket adapter command failed'));
        return reply;
      },
    });
  }
  return redis;
}

/**
 * The Socket.IO adapter every server process uses, on its own connection (returned, to close):
 * broadcasts go through one Redis stream (ordered, replayable, survives a brief Redis disconnection);
 * requests between servers (fetchSockets, serverSideEmit) go over sharded pub/sub (Redis 7).
 */
export function socketAdapter(redis: Redis, redisPrefix: string, log: Logger) {
  const connection = catchUnawaited(redis.duplicate(), log);
  connection.on('error', (error: Error) => log.warn({ err: error.message }, 'socket adapter redis connection error'));
  const key = adapterKey(redisPrefix);
  const adapter = createAdapter(connection, {
    streamName: key,
    channelPrefix: key,
    sessionKeyPrefix: `${key}:session:`,
    maxLen: ADAPTER_STREAM_MAX_LEN,
    useShardedPubSub: true,
    onlyPlaintext: true,
  });
  return { adapter, connection };
}

/**
 * How pushes are addressed, untyped here (platform imports no workspace); protocol's `Broadcaster`
 * is this with each event's payload typed, and every emitter of this shape is one.
 */
export interface RoomEmitter {
  to(room: string | string[], event: string, ...args: unknown[]): void;
  /** As `to`, skipping the sockets that are also in `except`. */
  toExcept(room: string | string[], except: string, event: string, ...args: unknown[]): void;
}

/** One push event as the stream carries it. */
interface PushEvent {
  rooms: string[];
  except?: string;
  event: string;
  args: unknown[];
  /** When it was published (ms), to drop what no one connected can still want. */
  at: number;
}

/**
 * The `Broadcaster` of a process without a Socket.IO server: each push is one entry of our own push
 * stream. Fire-and-forget like `io.to(room).emit()`: a failed append goes to `onError`.
 */
export function pushPublisher(redis: Redis, redisPrefix: string, onError: (error: Error) => void): RoomEmitter {
  const stream = pushStreamKey(redisPrefix);
  const publish = (push: Omit<PushEvent, 'at'>) => {
    redis.xadd(stream, 'MAXLEN', '~', PUSH_STREAM_MAX_LEN, '*', 'push', JSON.stringify({ ...push, at: Date.now() })).catch(onError);
  };
  return {
    to: (room, event, ...args) => publish({ rooms: [room].flat(), event, args }),
    toExcept: (room, except, event, ...args) => publish({ rooms: [room].flat(), except, event, args }),
  };
}

/**
 * Runs in every server process: the one holding the relay's lease takes pushes off the push stream,
 * in order, and broadcasts them through its server's `Broadcaster`. Returns how to stop.
 */
export function relayPushes(deps: { redis: Redis; redisPrefix: string; broadcast: RoomEmitter; log: Logger; now?: () => number }): { close(): Promise<void> } {
  const { broadcast, log } = deps;
  const now = deps.now ?? Date.now;
  const stream = pushStreamKey(deps.redisPrefix);
  // A blocking read holds its connection: one of its own.
  const redis = deps.redis.duplicate();
  redis.on('error', (error: Error) => log.warn({ err: error.message }, 'push relay redis connection error'));
  const consumer = `${hostname()}:${process.pid}`;
  let running = true;

  const deliver = (id: string, fields: string[]) => {
    try {
      const push = JSON.parse(fields[fields.indexOf('push') + 1] ?? '') as PushEvent;
      if (now() - push.at > PUSH_STALE_MS) return;
      if (push.except) broadcast.toExcept(push.rooms, push.except, push.event, ...push.args);
      else broadcast.to(push.rooms, push.event, ...push.args);
    } catch (error) {
      log.warn({ id, err: (error as Error).message }, 'push not relayed: unreadable entry');
    }
  };

  const ensureGroup = () =>
    redis.xgroup('CREATE', stream, RELAY_GROUP, '0', 'MKSTREAM').catch((error: Error) => {
      if (!error.message.includes('BUSYGROUP')) throw error;
    });

  const relayOnce = async () => {
    if (Number(await redis.eval(HOLD_LEASE, 1, `${stream}:relay`, consumer, RELAY_LEASE_MS)) !== 1) {
      await new Promise((resolve) => setTimeout(resolve, RELAY_LEASE_MS / 5));
      return;
    }
    // What a relay before this one took and never confirmed, then what is new.
    const [, claimed] = (await redis.xautoclaim(stream, RELAY_GROUP, consumer, RELAY_LEASE_MS, '0', 'COUNT', 100)) as [string, [string, string[]][]];
    const reply = (await redis.xreadgroup('GROUP', RELAY_GROUP, consumer, 'COUNT', 100, 'BLOCK', 1000, 'STREAMS', stream, '>')) as [string, [string, string[]][]][] | null;
    const entries = [...claimed, ...(reply?.[0]?.[1] ?? [])];
    for (const [id, fields] of entries) deliver(id, fields);
    if (entries.length) await redis.xack(stream, RELAY_GROUP, ...entries.map(([id]) => id));
  };

  const loop = (async () => {
    while (running) {
      try {
        await ensureGroup();
        while (running) await relayOnce();
      } catch (error) {
        if (!running) return;
        // NOGROUP after Redis lost its data, or a dropped connection: start again shortly.
        log.warn({ err: (error as Error).message }, 'push relay failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    async close() {
      running = false;
      redis.disconnect();
      await loop;
      // Hand the lease on at once rather than after it lapses.
      await deps.redis.eval(`if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`, 1, `${stream}:relay`, consumer).catch(() => undefined);
    },
  };
}
