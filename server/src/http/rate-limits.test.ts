import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected } from '../../test/client.ts';
import { randomClientIp, registerApprovedMember } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { collect, request, sleep, type HubClientSocket } from '../../test/room-client.ts';
import { clientKey, openRoom } from '../../test/room-factory.ts';

/**
 * The limits on what stores little but costs the server work each time: room events, search and the
 * record export. Low limits here, so that a test reaches them; each refusal has the protocol's shape.
 */
const LIMIT = { join: 3, typing: 4, read: 4, search: 3, export: 2 };

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({
    ROOM_JOIN_LIMIT_PER_MINUTE: String(LIMIT.join),
    ROOM_TYPING_LIMIT_PER_MINUTE: String(LIMIT.typing),
    ROOM_READ_LIMIT_PER_MINUTE: String(LIMIT.read),
    SEARCH_LIMIT_PER_MINUTE: String(LIMIT.search),
    EVIDENCE_EXPORT_LIMIT_PER_MINUTE: String(LIMIT.export),
  });
});
afterAll(() => t.close());

const rateLimited = { ok: false, error: 'rate_limited', message: expect.any(String), details: { retryAfterSeconds: expect.any(Number) } };

/** Sends `event` `times` times, one after the other; returns the acks. */
async function repeat(socket: HubClientSocket, event: 'room:typing' | 'room:read' | 'room:join', payload: unknown, times: number) {
  const acks = [];
  for (let i = 0; i < times; i++) acks.push(await request(socket, event, payload));
  return acks;
}

function expectHttpLimited(res: { status: number; body: { error: string; details?: { retryAfterSeconds?: number } }; headers: Headers }) {
  expect([res.status, res.body.error]).toEqual([429, 'rate_limited']);
  expect(res.body.details!.retryAfterSeconds).toBeGreaterThan(0);
  expect(res.headers.get('retry-after')).toBe(String(res.body.details!.retryAfterSeconds));
}

describe('room events, per user', () => {
  it('room:typing: past the limit the ack is rate_limited and the room hears nothing more; the other party still types', async () => {
    const r = await openRoom(t.ctx.db, t.baseUrl);
    const heard = collect(r.b, 'room:typing');
    const acks = await repeat(r.a, 'room:typing', { roomId: r.room.id, typing: true }, LIMIT.typing + 1);
    expect(acks.slice(0, LIMIT.typing).every((a) => a.ok)).toBe(true);
    expect(acks[LIMIT.typing]).toEqual(rateLimited);
    expect((await request(r.b, 'room:typing', { roomId: r.room.id, typing: true })).ok).toBe(true);
    // Anything after the refusal would have arrived by the time the other party's own ack did.
    await sleep(200);
    expect(heard).toHaveLength(LIMIT.typing);
    r.close();
  });

  it('room:read: past the limit the ack is rate_limited and the read position stays where it was', async () => {
    const r = await openRoom(t.ctx.db, t.baseUrl);
    for (let i = 0; i < 2; i++) expect((await request(r.b, 'room:send', { roomId: r.room.id, clientKey: clientKey(), body: `第${i + 1}条` })).ok).toBe(true);
    const acks = await repeat(r.a, 'room:read', { roomId: r.room.id, seq: 1 }, LIMIT.read);
    expect(acks.every((a) => a.ok)).toBe(true);
    expect(await request(r.a, 'room:read', { roomId: r.room.id, seq: 2 })).toEqual(rateLimited);
    const state = await t.ctx.db.roomReadState.findUniqueOrThrow({ where: { roomId_userId: { roomId: r.room.id, userId: r.supplier.userId } } });
    expect(state.lastReadSeq).toBe(1);
    r.close();
  });

  it('room:join: counted over all the user’s sockets; past the limit the socket is not put in the room', async () => {
    const r = await openRoom(t.ctx.db, t.baseUrl);
    // openRoom joined once; a second socket of the same user uses up the rest.
    const other = r.supplier.client.socket();
    await connected(other);
    const acks = await repeat(other, 'room:join', { roomId: r.room.id }, LIMIT.join);
    expect(acks.slice(0, LIMIT.join - 1).every((a) => a.ok)).toBe(true);
    expect(acks[LIMIT.join - 1]).toEqual(rateLimited);
    await request(other, 'room:leave', { roomId: r.room.id });
    expect(await request(other, 'room:join', { roomId: r.room.id })).toEqual(rateLimited);
    expect(await request(other, 'room:send', { roomId: r.room.id, clientKey: clientKey(), body: '还在吗' })).toMatchObject({ ok: false, error: 'room_not_joined' });
    other.close();
    r.close();
  });
});

describe('search, per user (per client IP when signed out)', () => {
  const search = (client: ApiClient) => client.get('/api/listings/search?q=%E7%94%B5%E6%B1%A0');

  it('a visitor’s IP is refused past the limit with 429 and Retry-After; another IP and a signed-in user from the same IP still search', async () => {
    const ip = randomClientIp();
    const visitor = new ApiClient(t.baseUrl, { 'x-forwarded-for': ip });
    for (let i = 0; i < LIMIT.search; i++) expect((await search(visitor)).status).toBe(200);
    expectHttpLimited(await search(visitor));
    expect((await search(new ApiClient(t.baseUrl, { 'x-forwarded-for': randomClientIp() }))).status).toBe(200);
    const member = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const sameIp = new ApiClient(t.baseUrl, { 'x-forwarded-for': ip });
    sameIp.cookie = member.client.cookie;
    expect((await search(sameIp)).status).toBe(200);
  });

  it('a signed-in user is refused past the limit whichever address they come from', async () => {
    const member = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const from = () => Object.assign(new ApiClient(t.baseUrl, { 'x-forwarded-for': randomClientIp() }), { cookie: member.client.cookie });
    for (let i = 0; i < LIMIT.search; i++) expect((await search(from())).status).toBe(200);
    expectHttpLimited(await search(from()));
  });
});

describe('the record export, per user', () => {
  it('JSON and the printable page count together; past the limit 429 with Retry-After; the other party still exports', async () => {
    const r = await openRoom(t.ctx.db, t.baseUrl);
    r.close();
    const url = `/api/rooms/${r.room.id}/evidence`;
    expect((await r.supplier.client.get(url)).status).toBe(200);
    const page = await r.supplier.client.get(`${url}?format=html`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
    expectHttpLimited(await r.supplier.client.get(`${url}?format=html`));
    expectHttpLimited(await r.supplier.client.get(url));
    expect((await r.demander.client.get(url)).status).toBe(200);
  });
});
