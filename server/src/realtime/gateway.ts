import type { Server as HttpServer } from 'node:http';
import type { Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import { CONNECTION_RECOVERY_MS, presenceKey, relayPushes, socketAdapter, type RoomEmitter } from '@hub/platform/realtime';
import { NotificationRead, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '@hub/protocol';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { loadActor, type Actor } from '../auth/actor.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { toErrorBody, validationError } from '../http/errors.ts';
import { crossOriginRefused, isForeignOrigin } from '../http/origin.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { Broadcaster } from '@hub/protocol';
import { ownRooms, SocketAccess, type InterServerEvents, type SocketData } from './socket-access.ts';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** How long a socket counts as online without its server renewing it. */
const PRESENCE_TTL_MS = 90_000;

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
}): { io: HubServer; broadcaster: Broadcaster; access: SocketAccess; close(): Promise<void> } {
  const { db, sessions, notifications, log } = deps;
  const { adapter, connection } = socketAdapter(deps.redis, deps.redisPrefix, log);
  const io: HubServer = new Server(deps.httpServer, {
    // WebSocket first; long-polling only where a proxy refuses the upgrade (across processes it needs sticky sessions).
    transports: ['websocket', 'polling'],
    perMessageDeflate: false,
    // A briefly dropped client gets its socket back (rooms included) with every broadcast it missed,
    // on whichever process it reconnects to: the session and the broadcasts live in Redis. Only while
    // its session and every room it held are still allowed (SocketAccess); the handshake then
    // authenticates it again.
    connectionStateRecovery: { maxDisconnectionDuration: CONNECTION_RECOVERY_MS, skipMiddlewares: false },
    adapter,
  });

  const access = new SocketAccess(io as never, db, sessions, log);

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
      const token = sessions.tokenFromCookieHeader(socket.handshake.headers.cookie);
      const userId = await sessions.resolve(token);
      const actor = userId ? await loadActor(db, userId) : null;
      if (!actor) return next(Object.assign(new Error('unauthenticated'), { data: { error: 'unauthenticated', message: 'Sign in first.' } }));
      socket.data = { actor, session: sessions.idOf(token!) };
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
    void socket.join(ownRooms(actor));
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

  // Pushes from the worker (our own push stream) go out as this server's broadcasts.
  const relay = relayPushes({ redis: deps.redis, redisPrefix: deps.redisPrefix, broadcast: broadcaster as RoomEmitter, log });

  return {
    io,
    broadcaster,
    access,
    async close() {
      clearInterval(renewPresence);
      access.close();
      await relay.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      // After the sessions of the sockets just closed are written (a restarted process recovers them).
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

