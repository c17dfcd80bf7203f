import type { Config } from '@hub/platform';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.ts';

/** The first wait of an account's back-off; each further failure doubles it, up to LOGIN_BACKOFF_MAX_SECONDS. */
const BACKOFF_BASE_MS = 30_000;
/** How long an account's failures are remembered after the last one. */
const BACKOFF_MEMORY_MS = 24 * 3600_000;

/**
 * Takes an attempt's turn in an account's back-off, atomically (so a burst of parallel attempts
 * cannot all slip through before the first failure is recorded): with `failures` below the free
 * count no wait applies; beyond it, `base × 2^(failures − free)` (capped) must have passed since the
 * last attempt. A turn taken counts as a failure until the sign-in succeeds and clears it. Returns
 * 0, or the milliseconds still to wait.
 */
const TAKE_TURN = `
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local now, free, base, cap, memory = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if failures >= free then
  local ready = last + math.min(base * 2 ^ (failures - free), cap)
  if now < ready then return ready - now end
end
redis.call('HSET', KEYS[1], 'failures', failures + 1, 'last', now)
redis.call('PEXPIRE', KEYS[1], memory)
return 0
`;

/**
 * Limits on sign-in (failures per client IP, back-off per account), registration (per IP and per
 * email), raised hands (per organisation) and room messages (per user and room), shared by every
 * server process through Redis.
 */
export class RateLimits {
  private readonly loginFailuresPerIp: RateLimiterRedis;
  private readonly registerPerIp: RateLimiterRedis;
  private readonly registerPerEmail: RateLimiterRedis;
  private readonly interestPerOrganization: RateLimiterRedis;
  private readonly messagesPerUserAndRoom: RateLimiterRedis;
  private readonly roomEventsPerUser: Record<RoomEvent, RateLimiterRedis>;
  private readonly searchesPerClient: RateLimiterRedis;
  private readonly exportsPerUser: RateLimiterRedis;

  constructor(
    private readonly redis: Redis,
    private readonly config: Config,
  ) {
    const make = (name: string, points: number, duration = config.RATE_LIMIT_WINDOW_SECONDS) =>
      new RateLimiterRedis({ storeClient: redis, keyPrefix: `${config.REDIS_PREFIX}:rl:${name}`, points, duration });
    this.loginFailuresPerIp = make('login-failures-ip', config.LOGIN_FAILURES_PER_IP);
    this.registerPerIp = make('register-ip', config.REGISTER_LIMIT_PER_IP);
    this.registerPerEmail = make('register-email', config.REGISTER_LIMIT_PER_EMAIL);
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

  private backoffKey(email: string) {
    return `${this.config.REDIS_PREFIX}:login-backoff:${email}`;
  }

  /**
   * Every attempt counts against its IP until it succeeds (so only failures add up). An attempt from
   * a device that signed in to this account before skips the account's back-off: whoever floods an
   * email with wrong passwords slows down strangers, never the owner on their own device.
   */
  async beforeLogin(ip: string, email: string, knownDevice: boolean): Promise<void> {
    await consume(this.loginFailuresPerIp, ip);
    if (knownDevice) return;
    const { config } = this;
    const waitMs = (await this.redis.eval(
      TAKE_TURN, 1, this.backoffKey(email),
      Date.now(), config.LOGIN_FAILURES_BEFORE_BACKOFF, BACKOFF_BASE_MS, config.LOGIN_BACKOFF_MAX_SECONDS * 1000, BACKOFF_MEMORY_MS,
    )) as number;
    if (waitMs > 0) throw limited(waitMs);
  }

  /** A success takes its attempt off the IP; one from an unknown device also ends the account's back-off. */
  async loginSucceeded(ip: string, email: string, knownDevice: boolean): Promise<void> {
    await this.loginFailuresPerIp.reward(ip);
    if (!knownDevice) await this.redis.del(this.backoffKey(email));
  }

  async beforeRegister(ip: string, email: string): Promise<void> {
    await consume(this.registerPerIp, ip);
    await consume(this.registerPerEmail, email);
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
    if (error instanceof RateLimiterRes) throw limited(error.msBeforeNext);
    throw error;
  }
}

function limited(waitMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError('rate_limited', `Too many attempts; try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
}
