/**
 * The floor for bench:rooms: a bare `ws` broadcast server doing the least a room server can. A client
 * connects to `/?room=<id>`; each message it sends is numbered with the room's next sequence (in
 * memory) and sent to every client of the room, the sender included (its copy is its ack). No
 * authentication, no storage, no broker between processes: the cost of fan-out over WebSockets alone.
 *
 *   PORT=4100 node --import tsx bench/rooms/ws-floor.ts
 *   GET /healthz → 200; GET /stats → { roomId: lastSeq }
 */
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FloorFrame } from './transport.ts';

const rooms = new Map<string, { seq: number; clients: Set<WebSocket> }>();

const http = createServer((req, res) => {
  if (req.url === '/healthz') return void res.end('ok');
  if (req.url === '/stats') {
    res.setHeader('content-type', 'application/json');
    return void res.end(JSON.stringify(Object.fromEntries([...rooms].map(([id, room]) => [id, room.seq]))));
  }
  res.statusCode = 404;
  res.end();
});

const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
wss.on('connection', (ws, req) => {
  const roomId = new URL(req.url ?? '/', 'http://floor').searchParams.get('room');
  if (!roomId) return ws.close(1008, 'room required');
  let room = rooms.get(roomId);
  if (!room) rooms.set(roomId, (room = { seq: 0, clients: new Set() }));
  const joined = room;
  joined.clients.add(ws);
  ws.on('close', () => joined.clients.delete(ws));
  ws.on('message', (data: Buffer) => {
    const { clientKey, body } = JSON.parse(data.toString('utf8')) as Pick<FloorFrame, 'clientKey' | 'body'>;
    joined.seq += 1;
    const frame = JSON.stringify({ roomId, seq: joined.seq, clientKey, body } satisfies FloorFrame);
    for (const client of joined.clients) client.send(frame);
  });
});

http.listen(Number(process.env.PORT), '127.0.0.1');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const client of wss.clients) client.terminate();
    http.close(() => process.exit(0));
  });
}
