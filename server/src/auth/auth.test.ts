import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub } from '../app.ts';
import { createContext } from '../context.ts';
import { ApiClient, connected } from '../../test/client.ts';
import { registerMember, TEST_PASSWORD } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;

beforeAll(async () => {
  t = await startTestHub({ LOGIN_FAILURES_BEFORE_BACKOFF: '3', LOGIN_BACKOFF_MAX_SECONDS: '60', LOGIN_FAILURES_PER_IP: '12' });
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

  /** Three wrong passwords for the account, each from its own address. */
  async function failThreeTimes(email: string, net: string) {
    for (let i = 0; i < 3; i++) {
      expect((await fromIp(`${net}.${i}`).post('/api/auth/login', { email, password: 'wrong-password' })).status).toBe(401);
    }
  }

  it('after repeated failures from anywhere, a stranger waits (429 with a retry time), even with the right password', async () => {
    const { input } = await registerMember(t.baseUrl);
    await failThreeTimes(input.user.email, '10.1.0');
    const throttled = await fromIp('10.1.0.9').post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error).toBe('rate_limited');
    expect(throttled.body.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(throttled.body.details.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(throttled.headers.get('retry-after')).toBe(String(throttled.body.details.retryAfterSeconds));
    expect(throttled.setCookie).toBeNull();
  });

  it('the owner on a device that signed in before signs in while the account is throttled for others', async () => {
    const { input } = await registerMember(t.baseUrl);
    const owner = fromIp('10.3.0.1');
    expect((await owner.post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD })).status).toBe(200);
    expect(owner.deviceCookie).toMatch(/^hub_device=/);
    expect((await owner.post('/api/auth/logout')).status).toBe(204);
    await failThreeTimes(input.user.email, '10.3.1');
    // A known device of another account is no pass for this one.
    const other = await registerMember(t.baseUrl);
    const stranger = fromIp('10.3.2.1');
    expect((await stranger.post('/api/auth/login', { email: other.input.user.email, password: TEST_PASSWORD })).status).toBe(200);
    expect((await stranger.post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD })).status).toBe(429);

    const signedIn = await owner.post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.email).toBe(input.user.email);
    expect((await owner.get('/api/auth/session')).status).toBe(200);
    // The owner's success does not lift the back-off for everyone else.
    expect((await fromIp('10.3.2.2').post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD })).status).toBe(429);
  });

  it('a burst of parallel attempts gets no more than the free failures through', async () => {
    const { input } = await registerMember(t.baseUrl);
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => fromIp(`10.6.0.${i}`).post('/api/auth/login', { email: input.user.email, password: 'wrong-password' })),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([401, 401, 401, ...Array(7).fill(429)]);
  });

  it('each failure past the free ones doubles the wait, up to the cap', async () => {
    const { input } = await registerMember(t.baseUrl);
    const key = `${t.config.REDIS_PREFIX}:login-backoff:${input.user.email}`;
    const attempt = (password: string) => fromIp('10.4.0.1').post('/api/auth/login', { email: input.user.email, password });
    /** Moves the last attempt back in time, as if the client had waited that long. */
    const waited = async (seconds: number) => {
      const last = Number(await t.ctx.redis.hget(key, 'last'));
      await t.ctx.redis.hset(key, 'last', last - seconds * 1000);
    };
    await failThreeTimes(input.user.email, '10.4.1');
    expect((await attempt('wrong-password')).body.details.retryAfterSeconds).toBeLessThanOrEqual(30);
    await waited(30);
    expect((await attempt('wrong-password')).status).toBe(401);
    const second = (await attempt('wrong-password')).body.details.retryAfterSeconds;
    expect(second).toBeGreaterThan(30);
    expect(second).toBeLessThanOrEqual(60);
    await waited(60);
    expect((await attempt('wrong-password')).status).toBe(401);
    // 120 s without the cap: LOGIN_BACKOFF_MAX_SECONDS is 60 here.
    expect((await attempt('wrong-password')).body.details.retryAfterSeconds).toBeLessThanOrEqual(60);
    await waited(60);
    expect((await attempt(TEST_PASSWORD)).status).toBe(200);
    // A success on a new device ends the back-off.
    expect(await t.ctx.redis.exists(key)).toBe(0);
  });

  it('never limits successful sign-ins from one address (a venue behind one NAT)', async () => {
    const members = await Promise.all([registerMember(t.baseUrl), registerMember(t.baseUrl)]);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const { input } = members[i % 2]!;
      statuses.push((await fromIp('10.5.0.1').post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD })).status);
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
  });

  it('failures from one address reach the ceiling whatever accounts they name; other addresses are unaffected', async () => {
    const { input } = await registerMember(t.baseUrl);
    const client = fromIp('10.2.0.1');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await client.post('/api/auth/login', { email: `someone${i}@example.cn`, password: 'wrong-password' })).status);
    }
    expect(statuses.every((s) => s === 401)).toBe(true);
    const refused = await client.post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe('rate_limited');
    expect((await fromIp('10.2.0.2').post('/api/auth/login', { email: input.user.email, password: TEST_PASSWORD })).status).toBe(200);
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
