import type { Config } from '@hub/platform';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.ts';

/**
 * Limits on login and registration (per client IP and per account), raised hands (per organisation)
 * and room messages (per user and room), shared by every server process through Redis.
 */
export class RateLimits {
  private readonly loginPerIp: RateLimiterRedis;
  private readonly loginPerAccount: RateLimiterRedis;
  private readonly registerPerIp: RateLimiterRedis;
  private readonly registerPerAccount: RateLimiterRedis;
  private readonly interestPerOrganization: RateLimiterRedis;
  private readonly messagesPerUserAndRoom: RateLimiterRedis;
  private readonly roomEventsPerUser: Record<RoomEvent, RateLimiterRedis>;
  private readonly searchesPerClient: RateLimiterRedis;
  private readonly exportsPerUser: RateLimiterRedis;

  constructor(redis: Redis, config: Config) {
    const make = (name: string, points: number, duration = config.RATE_LIMIT_WINDOW_SECONDS) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.REDIS_PREFIX}:rl:${name}`, points, duration });
    this.loginPerIp = make('login-ip', config.LOGIN_LIMIT_PER_IP);
    this.loginPerAccount = make('login-account', config.LOGIN_LIMIT_PER_ACCOUNT);
    this.registerPerIp = make('register-ip', config.REGISTER_LIMIT_PER_IP);
    this.registerPerAccount = make('register-account', config.LOGIN_LIMIT_PER_ACCOUNT);
    this.interestPerOrganization = make('interest-org', config.INTEREST_LIMIT_PER_HOUR, 3600);
    this.messagesPerUserAndRoom = make('message', config.MESSAGE_LIMIT_PER_MINUTE, 60);
    this.roomEventsPerUser = {
      join: make('room-join', config.ROOM_JOIN_LIMIT_PER_MINUTE, 60),
      typing: make('room-typing', config.ROOM_TYPING_LIMIT_PER_MINUTE, 60),
      read: make('room-read', config.ROOM_READ_LIMIT_PER_MINUTE, 60),
    };
    this.searchesPerClient = make('search', config.SEARCH_LIMIT_PER_MINUTE, 60);
    this.exportsPerUser = make('evidence-export', config.EVIDENCE_EXPORT_LIMIT_PER_MINUTE, 60);
  }

  /** Every login attempt counts against its IP; the account is checked here and charged only on failure. */
  async beforeLogin(ip: string, email: string): Promise<void> {
    await consume(this.loginPerIp, ip);
    const account = await this.loginPerAccount.get(email);
    if (account && account.remainingPoints <= 0) throw limited(account);
  }

  async loginFailed(email: string): Promise<void> {
    await consume(this.loginPerAccount, email);
  }

  async loginSucceeded(email: string): Promise<void> {
    await this.loginPerAccount.delete(email);
  }

  async beforeRegister(ip: string, email: string): Promise<void> {
    await consume(this.registerPerIp, ip);
    await consume(this.registerPerAccount, email);
  }

  async beforeInterest(organizationId: string): Promise<void> {
    await consume(this.interestPerOrganization, organizationId);
  }

  async beforeMessage(userId: string, roomId: string): Promise<void> {
    await consume(this.messagesPerUserAndRoom, `${userId}:${roomId}`);
  }

  // Requests that store nothing but cost the server work each time: generous, per user, so one
  // client cannot keep a process busy.

  async beforeRoomEvent(event: RoomEvent, userId: string): Promise<void> {
    await consume(this.roomEventsPerUser[event], userId);
  }

  /** Signed-in searchers count by user (many share an office's IP); visitors by IP. */
  async beforeSearch(userId: string | null, ip: string): Promise<void> {
    await consume(this.searchesPerClient, userId ? `user:${userId}` : `ip:${ip}`);
  }

  async beforeEvidenceExport(userId: string): Promise<void> {
    await consume(this.exportsPerUser, userId);
  }
}

/** Room socket events a client may repeat at will: each costs queries and a broadcast. */
export type RoomEvent = 'join' | 'typing' | 'read';

async function consume(limiter: RateLimiterRedis, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw limited(error);
    throw error;
  }
}

function limited(res: RateLimiterRes): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError('rate_limited', `Too many attempts; try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
}
