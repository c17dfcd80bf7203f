import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub } from '../app.ts';
import { createContext } from '../context.ts';
import { ApiClient, connected } from '../../test/client.ts';
import { registerMember, TEST_PASSWORD } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ LOGIN_LIMIT_PER_ACCOUNT: '3', LOGIN_LIMIT_PER_IP: '12' });
});
afterAll(() => t.close());

/** A client that appears to come from its own IP (the server trusts X-Forwarded-For from loopback). */
const fromIp = (ip: string) => new ApiClient(t.baseUrl, { 'x-forwarded-for': ip });

describe('login', () => {
  it('refuses a wrong password and an unknown email with the same 401', async () => {
    const { input } = await registerMember(t.baseUrl);
    const wrong = await fromIp('10.0.0.1').post('/api/auth/login', { email: input.user.email, password: 'not-the-password' });
    const unknown = await fromIp('10.0.0.1').post('/api/auth/login', { email: 'nobody@example.cn', password: 'whatever-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_credentials');
    expect(unknown.body).toMatchObject({ error: wrong.body.error, message: wrong.body.message });
    expect(wrong.setCookie).toBeNull();
  });

  it('refuses malformed input with 400 before checking anything', async () => {
    const res = await fromIp('10.0.0.2').post('/api/auth/login', { email: 'not-an-email', password: '' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['email', 'password']);
  });

  it('signs in with an httpOnly, SameSite session cookie and signs out', async () => {
    const { input } = await registerMember(t.baseUrl);
    const client = fromIp('10.0.0.3');
    const res = await client.post('/api/auth/login', { email: input.user.email.toUpperCase(), password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(input.user.email);
    expect(res.setCookie).toMatch(/HttpOnly/i);
    expect(res.setCookie).toMatch(/SameSite=Lax/i);
    expect((await client.get('/api/auth/session')).status).toBe(200);
    const stale = client.cookie;
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    const replay = new ApiClient(t.baseUrl);
    replay.cookie = stale;
    expect((await replay.get('/api/auth/session')).status).toBe(401);
  });

  it('starts a new session on every sign-in and ends the one the browser held before', async () => {
    const { client, input } = await registerMember(t.baseUrl);
    const before = client.cookie;
    expect((await client.post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD })).status).toBe(200);
    expect(client.cookie).not.toBe(before);
    const old = new ApiClient(t.baseUrl);
    old.cookie = before;
    expect((await old.get('/api/auth/session')).status).toBe(401);
    expect((await client.get('/api/auth/session')).status).toBe(200);
  });

  it('locks an account after repeated failures, even with the right password, then answers 429 with a retry time', async () => {
    const { input } = await registerMember(t.baseUrl);
    for (let i = 0; i < 3; i++) {
      expect((await fromIp(`10.1.0.${i}`).post('/api/auth/login', { email: input.user.email, password: 'wrong-password' })).status).toBe(401);
    }
    const locked = await fromIp('10.1.0.9').post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('rate_limited');
    expect(locked.body.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(locked.headers.get('retry-after')).toBe(String(locked.body.details.retryAfterSeconds));
  });

  it('limits attempts per IP across accounts', async () => {
    const client = fromIp('10.2.0.1');
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      statuses.push((await client.post('/api/auth/login', { email: `someone${i}@example.cn`, password: 'wrong-password' })).status);
    }
    expect(statuses.slice(0, 12).every((s) => s === 401)).toBe(true);
    expect(statuses[12]).toBe(429);
    expect((await fromIp('10.2.0.2').post('/api/auth/login', { email: 'other@example.cn', password: 'wrong-password' })).status).toBe(401);
  });
});

describe('sessions', () => {
  it('survive a server restart (they live in Redis, not in the process)', async () => {
    const { client } = await registerMember(t.baseUrl);
    const second = createHub(createContext(t.config, t.urls));
    await new Promise<void>((resolve) => second.httpServer.listen(0, '127.0.0.1', resolve));
    const port = (second.httpServer.address() as { port: number }).port;
    const other = new ApiClient(`http://127.0.0.1:${port}`);
    other.cookie = client.cookie;
    const res = await other.get('/api/auth/session');
    await second.close();
    expect(res.status).toBe(200);
  });

  it('refuses an unauthenticated socket at the handshake', async () => {
    const socket = new ApiClient(t.baseUrl).socket();
    await expect(connected(socket)).rejects.toThrow('unauthenticated');
    socket.close();
    const forged = new ApiClient(t.baseUrl);
    forged.cookie = 'hub_session=forged-token';
    const forgedSocket = forged.socket();
    await expect(connected(forgedSocket)).rejects.toThrow('unauthenticated');
    forgedSocket.close();
  });

  it('answers 401 on member routes without a session', async () => {
    const res = await new ApiClient(t.baseUrl).get('/api/organizations/mine');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'unauthenticated', requestId: expect.any(String) });
  });
});
