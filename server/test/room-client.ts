import type { Ack, ClientToServerEvents, RoomEntryView, RoomJoined, ServerToClientEvents } from '@hub/protocol';
import { io, type Socket } from 'socket.io-client';
import type { ApiClient } from './client.ts';

export type HubClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds (or throws with `what` after `ms`): for a loaded machine, never a fixed sleep. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${what}`);
    await sleep(25);
  }
}

/**
 * A socket as a browser tab keeps it: websocket, this client's session cookie, and automatic
 * reconnection (Socket.IO sends its session id and last offset, so the server can recover it).
 * `baseUrl` lets the same session connect to another server process.
 */
export function liveSocket(client: ApiClient, options: { baseUrl?: string; reconnection?: boolean } = {}): HubClientSocket {
  return io(options.baseUrl ?? client.baseUrl, {
    transports: ['websocket'],
    extraHeaders: client.cookie ? { cookie: client.cookie } : {},
    forceNew: true,
    reconnection: options.reconnection ?? true,
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    randomizationFactor: 0,
  });
}

/** Every payload of one event the socket receives from now on. */
export function collect<E extends keyof ServerToClientEvents>(socket: HubClientSocket, event: E): Parameters<ServerToClientEvents[E]>[0][] {
  const seen: Parameters<ServerToClientEvents[E]>[0][] = [];
  // Payloads only: with connection state recovery on, the server appends the stream offset as a last argument.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (socket as any).on(event, (payload: any) => seen.push(payload));
  return seen;
}

export function onceConnected(socket: HubClientSocket, ms = 30_000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not connected within ${ms} ms`)), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function onceDisconnected(socket: HubClientSocket, ms = 10_000): Promise<string> {
  if (!socket.connected) return Promise.resolve('not connected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Kills the socket's transport as a network drop would (not a clean disconnect: the server keeps its session). */
export function dropTransport(socket: HubClientSocket): void {
  socket.io.engine.close();
}

/** Emits with an ack that fails after `ms` (or when the connection drops) instead of waiting forever. */
export async function request<T>(socket: HubClientSocket, event: keyof ClientToServerEvents, payload: unknown, ms = 5000): Promise<Ack<T>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (await (socket.timeout(ms) as any).emitWithAck(event, payload)) as Ack<T>;
}

/**
 * What a room page shows, kept the way the protocol asks a client to keep it: entries in sequence
 * order, each once. Live `room:entry` events are applied in order; one already shown is dropped; a
 * gap, and a reconnect that did not recover the socket's state, are filled by `room:join` with
 * `afterSeq` = the last sequence shown (paged while `hasMore`).
 */
export class RoomReader {
  readonly shown: RoomEntryView[] = [];
  /** Sequence numbers as they arrived live. */
  readonly live: number[] = [];
  /** Deliveries of entries already shown (live after a catch-up that brought them, or the reverse). */
  readonly dropped: number[] = [];
  /** Catch-ups: the `afterSeq` asked for and the sequence numbers the ack brought. */
  readonly catchUps: { afterSeq: number; seqs: number[] }[] = [];
  recoveries = 0;
  private opened = false;
  /** The last sequence this client held before it opened the room here. */
  private base = 0;
  private catchingUp: Promise<void> | null = null;
  private again = false;

  constructor(
    readonly socket: HubClientSocket,
    readonly roomId: string,
  ) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (socket as any).on('room:entry', (entry: RoomEntryView) => {
      this.live.push(entry.seq);
      this.apply([entry]);
    });
    socket.on('connect', () => {
      if (!this.opened) return;
      if (socket.recovered) this.recoveries += 1;
      else void this.catchUp();
    });
  }

  get lastSeq(): number {
    return this.shown.at(-1)?.seq ?? this.base;
  }

  /** Opens the room: the latest page, or everything after `afterSeq`. */
  async open(afterSeq?: number): Promise<RoomJoined> {
    const joined = await request<RoomJoined>(this.socket, 'room:join', afterSeq === undefined ? { roomId: this.roomId } : { roomId: this.roomId, afterSeq });
    if (!joined.ok) throw new Error(`room:join refused: ${joined.error}`);
    this.opened = true;
    // After the given sequence, or else from the start of the latest page.
    this.base = afterSeq ?? Math.max(0, (joined.data.entries[0]?.seq ?? joined.data.room.lastSeq + 1) - 1);
    this.apply(joined.data.entries);
    return joined.data;
  }

  /** Fills everything after the last shown entry (one at a time; asked again if needed meanwhile). */
  catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.again = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const afterSeq = this.lastSeq;
            const joined = await request<RoomJoined>(this.socket, 'room:join', { roomId: this.roomId, afterSeq });
            if (!joined.ok) throw new Error(`catch-up refused: ${joined.error}`);
            this.catchUps.push({ afterSeq, seqs: joined.data.entries.map((e) => e.seq) });
            this.apply(joined.data.entries);
            if (!joined.data.hasMore) break;
          }
        } while (this.again);
      } catch {
        // Disconnected meanwhile: the next connect catches up.
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }

  private apply(entries: RoomEntryView[]) {
    for (const entry of entries) {
      if (entry.seq <= this.lastSeq) this.dropped.push(entry.seq);
      else if (entry.seq > this.lastSeq + 1) void this.catchUp();
      else this.shown.push(entry);
    }
  }
}
