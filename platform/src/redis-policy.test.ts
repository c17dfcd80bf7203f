import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNoEviction, assertRedisVersion } from './redis-policy.ts';
import { freePort, startRedisServer, type EmbeddedService } from './services/index.ts';
import { tempDir } from './services/test-helpers.ts';

let server: EmbeddedService;
let redis: Redis;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const dir = await tempDir('redis-policy');
  cleanup = dir.remove;
  // A Redis of its own: changing the shared one's policy would disturb every other test.
  server = await startRedisServer({ dir: dir.dir, port: await freePort(), log: pino({ level: 'silent' }), appendonly: false });
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
  await cleanup();
});

describe('Redis eviction policy', () => {
  it('accepts noeviction', async () => {
    await redis.config('SET', 'maxmemory-policy', 'noeviction');
    await expect(assertNoEviction(redis, () => {})).resolves.toBeUndefined();
  });

  it('refuses a policy that can drop queued jobs, in one sentence naming it and the fix', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await expect(assertNoEviction(redis, () => {})).rejects.toThrow(/maxmemory-policy allkeys-lru.*set it to noeviction/);
  });
});

describe('Redis version', () => {
  it('accepts the Redis 7 this machine runs', async () => {
    await expect(assertRedisVersion(redis)).resolves.toBeUndefined();
  });

  it('refuses a Redis older than 7 in one sentence', async () => {
    const old = { info: async () => '# Server\r\nredis_version:6.2.14\r\n' } as unknown as Redis;
    await expect(assertRedisVersion(old)).rejects.toThrow('Redis 6.2 is too old: the hub needs Redis 7 or newer');
  });
});
