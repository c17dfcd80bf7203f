import type { Logger } from '@hub/platform';
import { RoomJoinInput, RoomLeaveInput, RoomReadInput, RoomSendInput, RoomTypingInput, socketRoom } from '@hub/protocol';
import { AppError } from '../http/errors.ts';
import { handle, type HubServer, type HubSocket } from '../realtime/gateway.ts';
import type { RoomService } from './service.ts';

const ROOM_PREFIX = socketRoom.negotiation('');

/**
 * Room events on every socket: each payload is checked by its protocol schema and each action
 * authorised against the room (by the service) before anything happens; acks carry the stored result
 * or a coded error. Presence is who of the two parties has the room open, on any server process.
 */
export function registerRoomEvents(io: HubServer, rooms: RoomService, log: Logger) {
  async function announcePresence(roomId: string) {
    try {
      const room = await rooms.room(roomId);
      if (!room) return;
      const parties = [room.supplyOrganizationId, room.demandOrganizationId];
      const sockets = await io.in(socketRoom.negotiation(roomId)).fetchSockets();
      const online = new Map<string, { id: string; name: string }>();
      // Staff observe without being shown.
      for (const s of sockets) {
        const actor = s.data.actor;
        if (actor.organizationId && parties.includes(actor.organizationId)) online.set(actor.userId, { id: actor.userId, name: actor.name });
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
        // Authorised first; then in the socket room before the record is read, so that an entry stored
        // after the read arrives live (the client drops one it already has by its sequence number)
        // instead of falling between the catch-up and the live stream.
        await rooms.access(actor, input.roomId);
        const room = socketRoom.negotiation(input.roomId);
        const wasIn = socket.rooms.has(room);
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
    socket.on('room:send', handle(socket, log, RoomSendInput, (input, actor) => rooms.send(actor, input)));
    socket.on(
      'room:typing',
      handle(socket, log, RoomTypingInput, async ({ roomId, typing }, actor) => {
        if (!socket.rooms.has(socketRoom.negotiation(roomId))) throw new AppError('room_not_found', 'Open the room first.');
        const { side } = await rooms.access(actor, roomId);
        if (!side) throw new AppError('forbidden', 'Only the parties type in a room.');
        socket.to(socketRoom.negotiation(roomId)).emit('room:typing', { roomId, user: { id: actor.userId, name: actor.name }, typing });
        return { roomId };
      }),
    );
    socket.on('room:read', handle(socket, log, RoomReadInput, (input, actor) => rooms.markRead(actor, input)));
    socket.on('disconnecting', (reason) => {
      // This process is stopping: its clients reconnect elsewhere and recover (then presence is announced again).
      if (reason === 'server shutting down') return;
      const left = [...socket.rooms].filter((room) => room.startsWith(ROOM_PREFIX)).map((room) => room.slice(ROOM_PREFIX.length));
      // After the socket has actually left, so it is not counted.
      if (left.length) setImmediate(() => left.forEach((roomId) => void announcePresence(roomId)));
    });
  });
}
