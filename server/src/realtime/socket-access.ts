import type { Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import { socketRoom } from '@hub/protocol';
import type { Server, Socket } from 'socket.io';
import { loadActor, type Actor } from '../auth/actor.ts';
import type { SessionStore } from '../auth/sessions.ts';

/** What a socket carries: who it is (as of the last check) and the session that signed it in. */
export interface SocketData {
  actor: Actor;
  /** The session's id (a hash of its cookie token, never the token). */
  session: string;
}

/** Messages between server processes, over the adapter. */
export interface InterServerEvents {
  /** Re-check every socket in this socket room (a user's or an organisation's): their rights changed. */
  'access:changed': (room: string) => void;
}

/**
 * A socket room owned by a feature (negotiation rooms, …): whether an actor may still be in it.
 * Rooms of no guard and not the actor's own are left.
 */
export interface RoomGuard {
  prefix: string;
  allows(actor: Actor, room: string): Promise<boolean>;
  /** Tells the socket it left `room` (its user's rights no longer reach it). */
  revoked(socketId: string, room: string): void;
}

/** What a service tells the sockets when someone's rights change (after the change is committed). */
export interface AccessChanges {
  /** Every process re-checks its sockets in this socket room (a user's or an organisation's). */
  changed(room: string): Promise<void>;
}

/** A recovered session, as the adapter hands it back. */
interface RecoveredSession {
  sid: string;
  rooms: string[];
  data: unknown;
}

/** How often each process checks that its sockets' sessions still exist (logout, expiry, sign-in elsewhere). */
export const SESSION_CHECK_MS = 500;

export function staffRooms(actor: Actor): string[] {
  if (actor.staffRole === 'admin') return [socketRoom.staff('admin'), socketRoom.staff('moderator'), socketRoom.staff('reviewer')];
  return actor.staffRole ? [socketRoom.staff(actor.staffRole)] : [];
}

/** The rooms a socket is in because of who it is (its user, organisation and staff role). */
export function ownRooms(actor: Actor): string[] {
  const rooms = [socketRoom.user(actor.userId), ...staffRooms(actor)];
  if (actor.organizationId) rooms.push(socketRoom.organization(actor.organizationId));
  return rooms;
}

type AnySocket = Socket<never, never, InterServerEvents, SocketData>;
type AnyServer = Server<never, never, InterServerEvents, SocketData>;

/**
 * Keeps every socket's identity and rooms in step with current state, on every server process: a
 * socket whose session ended (logout, expiry, a new sign-in) is disconnected within a second; one
 * whose user's rights changed (staff role, organisation status, removal from a room) is re-checked
 * and leaves what it may no longer hear; a dropped socket is recovered (rooms and missed broadcasts)
 * only if everything it held is still allowed, checked before the adapter replays anything.
 */
export class SocketAccess implements AccessChanges {
  private readonly guards: RoomGuard[] = [];
  private readonly sweep: NodeJS.Timeout;

  constructor(
    private readonly io: AnyServer,
    private readonly db: Db,
    private readonly sessions: SessionStore,
    private readonly log: Logger,
  ) {
    io.on('access:changed', (room) => void this.recheckLocal(room));
    this.guardRecovery();
    this.sweep = setInterval(() => void this.dropEndedSessions().catch((error: Error) => log.warn({ err: error.message }, 'session check failed')), SESSION_CHECK_MS);
    this.sweep.unref();
  }

  addGuard(guard: RoomGuard): void {
    this.guards.push(guard);
  }

  /** The user's or organisation's rights changed: every process re-checks its sockets in `room`. */
  async changed(room: string): Promise<void> {
    this.io.serverSideEmit('access:changed', room);
    await this.recheckLocal(room);
  }

  close(): void {
    clearInterval(this.sweep);
  }

  /** The actor behind a live session, loaded now; null when the session ended or the user is gone. */
  async current(session: string, userId: string): Promise<Actor | null> {
    if ((await this.sessions.userOf(session)) !== userId) return null;
    return loadActor(this.db, userId);
  }

  /** Whether the actor may be in every one of these socket rooms (its own socket id aside). */
  async allowsAll(actor: Actor, rooms: Iterable<string>, socketId?: string): Promise<boolean> {
    const own = new Set(ownRooms(actor));
    for (const room of rooms) {
      if (room === socketId || own.has(room)) continue;
      const guard = this.guards.find((g) => room.startsWith(g.prefix));
      if (!guard || !(await guard.allows(actor, room))) return false;
    }
    return true;
  }

  /**
   * Socket.IO puts a recovered socket back into its rooms and sends the broadcasts it missed as soon
   * as the adapter returns the session, before any middleware runs: so the session is checked here,
   * and one that is no longer entitled to all it held is not recovered (the client opens afresh and
   * catches up by sequence, each room authorised again).
   */
  private guardRecovery() {
    const adapter = this.io.of('/').adapter as unknown as { restoreSession(pid: string, offset: string): Promise<RecoveredSession | null> };
    const restore = adapter.restoreSession.bind(adapter);
    adapter.restoreSession = async (pid, offset) => {
      const session = await restore(pid, offset);
      if (!session) return null;
      const data = session.data as Partial<SocketData> | undefined;
      const actor = data?.session && data.actor ? await this.current(data.session, data.actor.userId) : null;
      if (!actor || !(await this.allowsAll(actor, session.rooms, session.sid))) {
        this.log.info({ userId: data?.actor?.userId }, 'socket not recovered: its session or rights changed');
        return null;
      }
      return { ...session, data: { ...data, actor } };
    };
  }

  /** Re-checks this process's sockets in `room`: disconnects those whose session ended, updates the rest. */
  private async recheckLocal(room: string) {
    const sockets = (await this.io.in(room).local.fetchSockets()) as unknown as AnySocket[];
    await Promise.all(sockets.map((socket) => this.recheck(socket).catch((error: Error) => this.log.warn({ err: error.message }, 'socket re-check failed'))));
  }

  private async recheck(socket: AnySocket) {
    const actor = await this.current(socket.data.session, socket.data.actor.userId);
    if (!actor) {
      socket.disconnect(true);
      return;
    }
    const before = new Set(ownRooms(socket.data.actor));
    socket.data.actor = actor;
    const own = ownRooms(actor);
    for (const room of before) if (!own.includes(room)) socket.leave(room);
    socket.join(own);
    for (const room of [...socket.rooms]) {
      if (room === socket.id || own.includes(room)) continue;
      if (!(await this.allowsAll(actor, [room]))) {
        socket.leave(room);
        this.guards.find((g) => room.startsWith(g.prefix))?.revoked(socket.id, room);
        this.log.info({ userId: actor.userId, room }, 'socket left a room it may no longer hear');
      }
    }
  }

  /** Disconnects this process's sockets whose session no longer exists. */
  private async dropEndedSessions() {
    const sockets = [...this.io.of('/').sockets.values()] as unknown as AnySocket[];
    if (!sockets.length) return;
    const live = await this.sessions.existing([...new Set(sockets.map((s) => s.data.session))]);
    for (const socket of sockets) {
      if (socket.connected && !live.has(socket.data.session)) {
        this.log.info({ userId: socket.data.actor.userId }, 'socket disconnected: its session ended');
        socket.disconnect(true);
      }
    }
  }
}
