import type { Logger } from '@hub/platform';
import { RoomJoinInput, RoomLeaveInput, RoomReadInput, RoomSendInput, RoomTypingInput, socketRoom, type RoomPresence } from '@hub/protocol';
import { AppError } from '../http/errors.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import { handle, type HubServer, type HubSocket } from '../realtime/gateway.ts';
import type { SocketAccess } from '../realtime/socket-access.ts';
import { partySide, type RoomService } from './service.ts';

const ROOM_PREFIX = socketRoom.negotiation('');

/** What the rest of the server may ask of the room sockets when someone joins or leaves a room. */
export interface RoomSockets {
  /** Tells the room who of its parties, brokers and joined staff has it open now. */
  announcePresence(roomId: string): Promise<void>;
  /** Takes a user's open sockets, on every server process, out of a room's broadcasts. */
  stopListening(userId: string, roomId: string): void;
}

/** Events about a room come from a socket that has joined it (`room:join`, which authorises it). */
function requireJoined(socket: HubSocket, roomId: string) {
  if (!socket.rooms.has(socketRoom.negotiation(roomId))) throw new AppError('room_not_joined', 'Open the room first (room:join), then send.');
}

/**
 * Room events on every socket: each payload is checked by its protocol schema and each action
 * authorised against the room (by the service) before anything happens; acks carry the stored result
 * or a coded error. Presence is who of the parties, brokers and joined staff has the room open, on any
 * server process.
 */
export function registerRoomEvents(io: HubServer, access: SocketAccess, rooms: RoomService, limits: RateLimits, log: Logger): RoomSockets {
  // A socket stays in a room (live, or recovered after a drop) only while its user may open it.
  access.addGuard({
    prefix: ROOM_PREFIX,
    allows: (actor, room) => rooms.access(actor, room.slice(ROOM_PREFIX.length)).then(() => true, () => false),
    revoked: (socketId, room) => io.to(socketId).emit('room:access-ended', { roomId: room.slice(ROOM_PREFIX.length) }),
  });

  async function announcePresence(roomId: string) {
    try {
      const [room, sockets] = await Promise.all([rooms.room(roomId), io.in(socketRoom.negotiation(roomId)).fetchSockets()]);
      if (!room) return;
      const joined = new Map((await rooms.participants(roomId)).map((p) => [p.userId, p.role]));
      const online = new Map<string, RoomPresence['online'][number]>();
      for (const s of sockets) {
        const actor = s.data.actor;
        const role = partySide(room, actor.organizationId) ? 'party' : joined.get(actor.userId);
        // Observing staff are not shown.
        if (role) online.set(actor.userId, { id: actor.userId, name: actor.name, organizationId: actor.organizationId, role });
      }
      io.to(socketRoom.negotiation(roomId)).emit('room:presence', { roomId, online: [...online.values()] });
    } catch (error) {
      log.warn({ roomId, err: (error as Error).message }, 'room presence not announced');
    }
  }

  io.on('connection', (socket: HubSocket) => {
    // A recovered socket is back in its rooms (connection state recovery) without joining them again.
    if (socket.recovered) {
      for (const room of socket.rooms) if (room.startsWith(ROOM_PREFIX)) void announcePresence(room.slice(ROOM_PREFIX.length));
    }
    socket.on(
      'room:join',
      handle(socket, log, RoomJoinInput, async (input, actor) => {
        await limits.beforeRoomEvent('join', actor.userId);
        // Authorised first; then in the socket room before the record is read, so that an entry stored
        // after the read arrives live (the client drops one it already has by its sequence number)
        // instead of falling between the catch-up and the live stream.
        await rooms.access(actor, input.roomId);
        const room = socketRoom.negotiation(input.roomId);
        const wasIn = socket.rooms.has(room);
        if (!wasIn) await rooms.observe(actor, input.roomId);
        await socket.join(room);
        const joined = await rooms.join(actor, input).catch(async (error: unknown) => {
          if (!wasIn) await socket.leave(room);
          throw error;
        });
        void announcePresence(input.roomId);
        return joined;
      }),
    );
    socket.on(
      'room:leave',
      handle(socket, log, RoomLeaveInput, async ({ roomId }) => {
        await socket.leave(socketRoom.negotiation(roomId));
        void announcePresence(roomId);
        return { roomId };
      }),
    );
    socket.on(
      'room:send',
      handle(socket, log, RoomSendInput, (input, actor) => {
        requireJoined(socket, input.roomId);
        return rooms.send(actor, input);
      }),
    );
    socket.on(
      'room:typing',
      handle(socket, log, RoomTypingInput, async ({ roomId, typing }, actor) => {
        await limits.beforeRoomEvent('typing', actor.userId);
        requireJoined(socket, roomId);
        await rooms.writer(actor, roomId);
        socket.to(socketRoom.negotiation(roomId)).emit('room:typing', { roomId, user: { id: actor.userId, name: actor.name }, typing });
        return { roomId };
      }),
    );
    socket.on(
      'room:read',
      handle(socket, log, RoomReadInput, async (input, actor) => {
        await limits.beforeRoomEvent('read', actor.userId);
        requireJoined(socket, input.roomId);
        return rooms.markRead(actor, input);
      }),
    );
    socket.on('disconnecting', (reason) => {
      // This process is stopping: its clients reconnect elsewhere and recover (then presence is announced again).
      if (reason === 'server shutting down') return;
      const left = [...socket.rooms].filter((room) => room.startsWith(ROOM_PREFIX)).map((room) => room.slice(ROOM_PREFIX.length));
      // After the socket has actually left, so it is not counted.
      if (left.length) setImmediate(() => left.forEach((roomId) => void announcePresence(roomId)));
    });
  });
  return {
    announcePresence,
    stopListening: (userId, roomId) => io.in(socketRoom.user(userId)).socketsLeave(socketRoom.negotiation(roomId)),
  };
}
