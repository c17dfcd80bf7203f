import type { Redis } from 'ioredis';

export class RedisPolicyError extends Error {}

/**
 * BullMQ loses jobs silently if Redis may evict keys, so the processes that enqueue or run jobs refuse
 * to start unless `maxmemory-policy` is `noeviction` (Redis's default). A Redis that hides CONFIG
 * (some managed services) is trusted, and `onUnknown` says so.
 */
export async function assertNoEviction(redis: Redis, onUnknown: (reason: string) => void): Promise<void> {
  let policy: string | undefined;
  try {
    const answer = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = answer[1];
  } catch (error) {
    onUnknown(`could not read maxmemory-policy (${(error as Error).message}); make sure it is noeviction`);
    return;
  }
  if (policy && policy !== 'noeviction') {
    throw new RedisPolicyError(
      `Redis has maxmemory-policy ${policy}, which can silently drop queued jobs: set it to noeviction ` +
        '(`CONFIG SET maxmemory-policy noeviction`, and `maxmemory-policy noeviction` in redis.conf), then start again.',
    );
  }
}

/**
 * The servers' Socket.IO adapter (Redis streams with sharded pub/sub) needs Redis 7 or newer; an older
 * one fails deep inside the adapter, so start-up says it in one sentence instead.
 */
export async function assertRedisVersion(redis: Redis): Promise<void> {
  const info = await redis.info('server');
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (version && Number(version[1]) < 7) {
    throw new RedisPolicyError(`Redis ${version[1]}.${version[2]} is too old: the hub needs Redis 7 or newer (sharded pub/sub); upgrade it and start again.`);
  }
}
