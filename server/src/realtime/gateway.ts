import type { Server as HttpServer } from 'node:http';
import type { Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import { NotificationRead, presenceKey, socketAdapterKey, socketRoom, type Ack, type ClientToServerEvents, type ServerToClientEvents } from '@hub/protocol';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { ZodType } from 'zod';
import { loadActor, type Actor } from '../auth/actor.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { toErrorBody, validationError } from '../http/errors.ts';
import type { NotificationService } from '../notifications/service.ts';
import type { Broadcaster } from '@hub/protocol';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor }>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { actor: Actor }>;

/** How long a socket counts as online without its server renewing it. */
const PRESENCE_TTL_MS = 90_000;

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

export function createGateway(deps: {
  httpServer: HttpServer;
  db: Db;
  redis: Redis;
  redisPrefix: string;
  sessions: SessionStore;
  notifications: NotificationService;
  log: Logger;
}): { io: HubServer; broadcaster: Broadcaster; close(): Promise<void> } {
  const { db, sessions, notifications, log } = deps;
  const pub = deps.redis.duplicate();
  const sub = deps.redis.duplicate();
  const io: HubServer = new Server(deps.httpServer, {
    transports: ['websocket', 'polling'],
    perMessageDeflate: false,
    adapter: createAdapter(pub, sub, { key: socketAdapterKey(deps.redisPrefix) }),
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
  };

  return {
    io,
    broadcaster,
    async close() {
      clearInterval(renewPresence);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}

