import { SOCKET_STREAM_MAX_LEN, socketAdapterKey, type ServerToClientEvents } from '@hub/protocol';
import type { Redis } from 'ioredis';

/** socket.io-adapter's cluster message type of a broadcast, and socket.io-parser's packet type of an event. */
const BROADCAST = '3';
const EVENT = 2;
/** Who the message is from: servers skip only their own messages; `emitter` is what Socket.IO's emitters use. */
const EMITTER_UID = 'emitter';

/**
 * Pushes to Socket.IO rooms from a process that runs no Socket.IO server (the worker). The servers use
 * the Redis streams adapter, for which Socket.IO publishes no emitter (`@socket.io/redis-emitter`
 * speaks only to the pub/sub adapters), so this appends the broadcast to the adapter's stream in the
 * adapter's own message format: every server process reads it and emits to its local sockets in those
 * rooms, and a client that recovers its connection gets it replayed like any other broadcast.
 *
 * Fire-and-forget like a server's own `io.to(room).emit()`: a failed append goes to `onError`.
 */
export class SocketEmitter {
  private readonly stream: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
    private readonly onError: (error: Error) => void = () => {},
  ) {
    this.stream = socketAdapterKey(redisPrefix);
  }

  to(room: string | string[]) {
    const rooms = [room].flat();
    return {
      emit: <E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void => {
        this.append(rooms, event, args).catch((error: Error) => this.onError(error));
      },
    };
  }

  /** Appends one broadcast to the stream; resolves with its stream id (the offset clients recover from). */
  async append(rooms: string[], event: string, args: unknown[]): Promise<string> {
    const data = JSON.stringify({ packet: { type: EVENT, data: [event, ...args], nsp: '/' }, opts: { rooms, except: [], flags: {} } });
    const id = await this.redis.xadd(this.stream, 'MAXLEN', '~', SOCKET_STREAM_MAX_LEN, '*', 'uid', EMITTER_UID, 'nsp', '/', 'type', BROADCAST, 'data', data);
    return id!;
  }
}
