import { createHash, randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '@hub/protocol';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { Redis } from 'ioredis';
import type { Config } from '@hub/platform';

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

  /** A session's id: the hash of its token, safe to keep on a socket or in a log. */
  idOf(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  private key(token: string) {
    return this.keyOf(this.idOf(token));
  }

  private keyOf(id: string) {
    return `${this.config.REDIS_PREFIX}:session:${id}`;
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

  tokenFromCookieHeader(header: string | undefined): string | undefined {
    return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
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
