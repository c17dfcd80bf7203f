import type { Ack, ClientToServerEvents, RoomEntryView, RoomJoined, ServerToClientEvents } from '@hub/protocol';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ClientPlan, Mode } from './messages.ts';

/** A broadcast as a client got it: which entry, its text, and (measured on demand) the size of its payload. */
export interface Delivery {
  seq: number;
  body: string;
  bytes: () => number;
}

/**
 * One connected client of one room, whichever system it talks to. `send` reports its ack (null when
 * stored, else the error code) once; deliveries of every entry of the room (the client's own
 * included) go to `onEntry`.
 */
export interface RoomClient {
  send(clientKey: string, body: string, onAck: (error: string | null) => void): void;
  onEntry: (delivery: Delivery) => void;
  disconnects: number;
  close(): void;
}

export function connectClient(mode: Mode, roomId: string, plan: ClientPlan, timeoutMs: number): Promise<RoomClient> {
  return mode === 'hub' ? hubClient(roomId, plan, timeoutMs) : floorClient(plan, timeoutMs);
}

type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A Socket.IO client as the web app holds one (websocket, session cookie), with the room opened. */
async function hubClient(roomId: string, plan: ClientPlan, timeoutMs: number): Promise<RoomClient> {
  const socket: HubSocket = io(plan.url, {
    transports: ['websocket'],
    extraHeaders: plan.cookie ? { cookie: plan.cookie } : {},
    // A reconnect would hide a drop from the loss count; the run counts disconnects instead.
    reconnection: false,
    forceNew: true,
    timeout: timeoutMs,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const joined = (await socket.timeout(timeoutMs).emitWithAck('room:join', { roomId })) as Ack<RoomJoined>;
  if (!joined.ok) {
    socket.close();
    throw new Error(`room:join refused: ${joined.error}`);
  }
  const client: RoomClient = {
    send: (clientKey, body, onAck) => socket.emit('room:send', { roomId, clientKey, body }, (ack) => onAck(ack.ok ? null : ack.error)),
    onEntry: () => {},
    disconnects: 0,
    close: () => socket.close(),
  };
  socket.on('room:entry', (entry: RoomEntryView) => client.onEntry({ seq: entry.seq, body: entry.body, bytes: () => Buffer.byteLength(JSON.stringify(entry)) }));
  socket.on('disconnect', () => (client.disconnects += 1));
  return client;
}

/** What the floor server broadcasts for each message (see ws-floor.ts). */
export interface FloorFrame {
  roomId: string;
  seq: number;
  clientKey: string;
  body: string;
}

/** A bare WebSocket in the room its URL names; its own broadcast copy is its ack. */
async function floorClient(plan: ClientPlan, timeoutMs: number): Promise<RoomClient> {
  const ws = new WebSocket(plan.url, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const pending = new Map<string, (error: string | null) => void>();
  const client: RoomClient = {
    send: (clientKey, body, onAck) => {
      pending.set(clientKey, onAck);
      ws.send(JSON.stringify({ clientKey, body }));
    },
    onEntry: () => {},
    disconnects: 0,
    close: () => ws.close(),
  };
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as FloorFrame;
    const onAck = pending.get(frame.clientKey);
    if (onAck) {
      pending.delete(frame.clientKey);
      onAck(null);
    }
    client.onEntry({ seq: frame.seq, body: frame.body, bytes: () => data.length });
  });
  ws.on('close', () => (client.disconnects += 1));
  return client;
}
