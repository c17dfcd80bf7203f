import type { Server as HttpServer } from 'node:http';
import type { Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import {
  NotificationRead,
  presenceKey,
  SOCKET_STREAM_MAX_LEN,
  socketAdapterKey,
  socketRoom,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@hub/protocol';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { loadActor, type Actor } from '../auth/actor.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { toErrorBody, validationError } from '../http/errors.ts';
import { crossOriginRefused, isForeignOrigin } from '../http/origin.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { Broadcaster } from '@hub/protocol';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor }>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor }>;

/** How long a socket counts as online without its server renewing it. */
const PRESENCE_TTL_MS = 90_000;

/**
 * How long a dropped client's socket (its id, rooms and the broadcasts it missed) is kept for it to
 * recover on any server process; after that, or after a crash, it catches up by sequence number.
 */
export const CONNECTION_RECOVERY_MS = 2 * 60_000;

function staffRooms(actor: Actor): string[] {
  if (actor.staffRole === 'admin') return [socketRoom.staff('admin'), socketRoom.staff('moderator'), socketRoom.staff('reviewer')];
  return actor.staffRole ? [socketRoom.staff(actor.staffRole)] : [];
}

/**
 * Runs a client event: validates its payload with its protocol schema, then acks with the stored
 * result or the coded error.
 */
export function handle<I, O>(socket: HubSocket, log: Logger, schema: ZodType<I>, run: (input: I, actor: Actor) => Promise<O>) {
  return async (raw: unknown, ack: (result: Ack<O>) => void) => {
    if (typeof ack !== 'function') return;
    try {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw validationError(parsed.error, 'event payload');
      ack({ ok: true, data: await run(parsed.data, socket.data.actor) });
    } catch (error) {
      const { status, body } = toErrorBody(error);
      if (status >= 500) log.error({ err: error }, 'socket event failed');
      ack({ ok: false, ...body });
    }
  };
}

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

export function createGateway(deps: {
  httpServer: HttpServer;
  db: Db;
  redis: Redis;
  redisPrefix: string;
  /** The origins whose pages may open a socket (PUBLIC_URL's). */
  origins: ReadonlySet<string>;
  sessions: SessionStore;
  notifications: NotificationService;
  log: Logger;
}): { io: HubServer; broadcaster: Broadcaster; close(): Promise<void> } {
  const { db, sessions, notifications, log } = deps;
  // The adapter publishes on this connection and opens its own for reading the stream and pub/sub.
  const pub = catchUnawaited(deps.redis.duplicate(), log);
  pub.on('error', (error: Error) => log.warn({ err: error.message }, 'socket adapter redis connection error'));
  const key = socketAdapterKey(deps.redisPrefix);
  const io: HubServer = new Server(deps.httpServer, {
    // WebSocket first; long-polling only where a proxy refuses the upgrade (across processes it needs sticky sessions).
    transports: ['websocket', 'polling'],
    perMessageDeflate: false,
    // A briefly dropped client gets its socket back (rooms included) with every broadcast it missed,
    // on whichever process it reconnects to: the session and the broadcasts live in Redis. The
    // handshake still authenticates it again.
    connectionStateRecovery: { maxDisconnectionDuration: CONNECTION_RECOVERY_MS, skipMiddlewares: false },
    // Redis streams adapter: broadcasts go through one Redis stream (ordered, replayable, survives a
    // brief Redis disconnection); requests between servers (fetchSockets) go over sharded pub/sub.
    adapter: createAdapter(pub, {
      streamName: key,
      channelPrefix: key,
      sessionKeyPrefix: `${key}:session:`,
      maxLen: SOCKET_STREAM_MAX_LEN,
      useShardedPubSub: true,
      onlyPlaintext: true,
    }),
  });

  // Another site's page must not open a socket with the visitor's cookie (cross-site WebSocket hijacking).
  io.use((socket, next) => {
    if (!isForeignOrigin(socket.handshake.headers, deps.origins)) return next();
    log.warn({ origin: socket.handshake.headers.origin }, 'cross-origin socket refused');
    const { body } = toErrorBody(crossOriginRefused());
    next(Object.assign(new Error(body.error), { data: body }));
  });

  // Authenticate at the handshake from the session cookie; unauthenticated connections never open.
  io.use(async (socket, next) => {
    try {
      const userId = await sessions.resolve(sessions.tokenFromCookieHeader(socket.handshake.headers.cookie));
      const actor = userId ? await loadActor(db, userId) : null;
      if (!actor) return next(Object.assign(new Error('unauthenticated'), { data: { error: 'unauthenticated', message: 'Sign in first.' } }));
      socket.data.actor = actor;
      next();
    } catch (error) {
      log.error({ err: error }, 'socket handshake failed');
      next(new Error('internal_error'));
    }
  });

  // Presence: each socket holds an entry in its user's sorted set, scored by when it lapses; this
  // process renews its own sockets' entries, so a crashed server's sockets drop out on their own.
  const presence = (userId: string) => presenceKey(deps.redisPrefix, userId);
  const markOnline = (socket: HubSocket) => deps.redis.multi().zadd(presence(socket.data.actor.userId), Date.now() + PRESENCE_TTL_MS, socket.id).pexpire(presence(socket.data.actor.userId), PRESENCE_TTL_MS).exec();
  const renewPresence = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) void markOnline(socket).catch(() => undefined);
  }, PRESENCE_TTL_MS / 3);
  renewPresence.unref();

  io.on('connection', (socket: HubSocket) => {
    const { actor } = socket.data;
    const rooms = [socketRoom.user(actor.userId), ...staffRooms(actor)];
    if (actor.organizationId) rooms.push(socketRoom.organization(actor.organizationId));
    void socket.join(rooms);
    void markOnline(socket).catch((error: Error) => log.warn({ err: error.message }, 'presence update failed'));
    socket.on('disconnect', () => void deps.redis.zrem(presence(actor.userId), socket.id).catch(() => undefined));
    socket.on(
      'notification:read',
      handle(socket, log, NotificationRead, async ({ id }, who) => {
        const n = await notifications.markRead(who, id);
        return { id: n.id, readAt: n.readAt! };
      }),
    );
  });

  const broadcaster: Broadcaster = {
    to(room, event, ...args) {
      io.to(room).emit(event, ...args);
    },
    toExcept(room, except, event, ...args) {
      io.to(room).except(except).emit(event, ...args);
    },
  };

  return {
    io,
    broadcaster,
    async close() {
      clearInterval(renewPresence);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // After the sessions of the sockets just closed are written (a restarted process recovers them).
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}

