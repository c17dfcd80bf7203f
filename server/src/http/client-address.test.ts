import type { IncomingMessage } from 'node:http';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { startWeb } from '../../test/web-process.ts';

/**
 * The API believes X-Forwarded-For from the web process only (TRUST_PROXY=loopback here: both run on
 * 127.0.0.1, as under `npm start`), and the web process passes on only the address it sees itself:
 * whatever a client writes in the header, through the web port it is counted as itself.
 */
const SEARCHES = 3;

let t: TestHub;
let web: Awaited<ReturnType<typeof startWeb>>;
/** X-Forwarded-For of every request and upgrade the API received. */
const forwarded: (string | undefined)[] = [];

beforeAll(async () => {
  t = await startTestHub({ SEARCH_LIMIT_PER_MINUTE: String(SEARCHES) });
  const note = (req: IncomingMessage) => forwarded.push(req.headers['x-forwarded-for'] as string | undefined);
  t.hub.httpServer.on('request', note).on('upgrade', note);
  web = await startWeb(t);
});
afterAll(async () => {
  await web?.stop();
  await t?.close();
});

it('a forged X-Forwarded-For through the web port is replaced: the per-IP search limit counts the client as itself', async () => {
  const search = (forged: string) => fetch(`${web.url}/api/listings/search`, { headers: { 'x-forwarded-for': forged } });
  for (let i = 0; i < SEARCHES; i++) expect((await search(`203.0.113.${i + 1}`)).status).toBe(200);
  const refused = await search('203.0.113.99, 198.51.100.7');
  expect(refused.status).toBe(429);
  expect(((await refused.json()) as { error: string }).error).toBe('rate_limited');
  expect(forwarded).toEqual(Array(SEARCHES + 1).fill('127.0.0.1'));
});

it('a WebSocket upgrade through the web port carries only the address the web process saw', async () => {
  forwarded.length = 0;
  const socket = io(web.url, { transports: ['websocket'], extraHeaders: { 'x-forwarded-for': '203.0.113.50' }, reconnection: false, forceNew: true });
  // Signed out, the handshake is refused; the upgrade request has reached the API by then.
  await new Promise<void>((resolve) => socket.once('connect_error', () => resolve()));
  socket.close();
  expect(forwarded).toEqual(['127.0.0.1']);
});
