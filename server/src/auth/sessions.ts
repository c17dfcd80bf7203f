import { createHash, randomBytes } from 'node:crypto';
import { DEVICE_COOKIE, SESSION_COOKIE } from '@hub/protocol';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { Redis } from 'ioredis';
import type { Config } from '@hub/platform';

/** How long a browser stays a known device of the account it last signed in to. */
const DEVICE_TTL_SECONDS = 180 * 86_400;

interface StoredSession {
  userId: string;
  createdAt: string;
}

/**
 * Sessions live in Redis under a hash of the cookie's token, so they survive a server restart and a
 * leaked Redis dump does not hand out usable cookies.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly config: Config,
  ) {}

  /** A session's (or known device's) id: the hash of its token, safe to keep on a socket or in a log. */
  idOf(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  private key(token: string, kind: 'session' | 'device' = 'session') {
    return this.keyOf(this.idOf(token), kind);
  }

  private keyOf(id: string, kind: 'session' | 'device' = 'session') {
    return `${this.config.REDIS_PREFIX}:${kind}:${id}`;
  }

  private get ttlSeconds() {
    return this.config.SESSION_TTL_HOURS * 3600;
  }

  async create(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const session: StoredSession = { userId, createdAt: new Date().toISOString() };
    await this.redis.set(this.key(token), JSON.stringify(session), 'EX', this.ttlSeconds);
    return token;
  }

  /** The user id of a live session, sliding its expiry forward. */
  async resolve(token: string | undefined): Promise<string | null> {
    if (!token || token.length > 100) return null;
    const raw = await this.redis.getex(this.key(token), 'EX', this.ttlSeconds);
    return raw ? (JSON.parse(raw) as StoredSession).userId : null;
  }

  /** The user of a live session, by its id, without sliding its expiry (a socket is not activity). */
  async userOf(id: string): Promise<string | null> {
    const raw = await this.redis.get(this.keyOf(id));
    return raw ? (JSON.parse(raw) as StoredSession).userId : null;
  }

  /** Which of these session ids still exist (one round trip). */
  async existing(ids: string[]): Promise<Set<string>> {
    const replies = (await this.redis.pipeline(ids.map((id) => ['exists', this.keyOf(id)])).exec()) ?? [];
    return new Set(ids.filter((_, i) => replies[i]?.[1] === 1));
  }

  async destroy(token: string | undefined): Promise<void> {
    if (token) await this.redis.del(this.key(token));
  }

  tokenFromCookieHeader(header: string | undefined, name = SESSION_COOKIE): string | undefined {
    return header ? parseCookie(header)[name] : undefined;
  }

  /**
   * Known devices: a successful sign-in leaves a long-lived random token in the browser, bound to
   * the account in Redis; with it the owner passes the account's sign-in back-off. Each sign-in
   * replaces the token the browser held before.
   */
  async rememberDevice(userId: string, previous: string | undefined): Promise<string> {
    if (previous) await this.redis.del(this.key(previous, 'device'));
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(token, 'device'), userId, 'EX', DEVICE_TTL_SECONDS);
    return token;
  }

  /** Looks the token up even for an unknown email, so that the answer takes the same time. */
  async isKnownDevice(token: string | undefined, userId: string | undefined): Promise<boolean> {
    if (!token || token.length > 100) return false;
    const owner = await this.redis.get(this.key(token, 'device'));
    return owner !== null && owner === userId;
  }

  /** Sent only to the sign-in routes; never readable by scripts. */
  deviceCookie(token: string): string {
    return serializeCookie(DEVICE_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.COOKIE_SECURE,
      path: '/api/auth',
      maxAge: DEVICE_TTL_SECONDS,
    });
  }

  cookie(token: string): string {
    return serializeCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.config.COOKIE_SECURE,
      path: '/',
      maxAge: this.ttlSeconds,
    });
  }

  clearedCookie(): string {
    return serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: this.config.COOKIE_SECURE, path: '/', maxAge: 0 });
  }
}
