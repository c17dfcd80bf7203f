import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseConfig, type Config, type ServiceUrls } from '@hub/platform';
import { pino } from 'pino';
import { inject } from 'vitest';
import { createHub, type Hub } from '../src/app.ts';
import { createContext, type HubContext } from '../src/context.ts';
import { createTestDatabase } from './databases.ts';

/** What the global setup provides to every test file. */
declare module 'vitest' {
  export interface ProvidedContext {
    runPid: number;
    postgresUrl: string;
    redisUrl: string;
    meiliUrl: string;
    meiliMasterKey: string;
  }
}

/** Per test file: its own database, Redis key prefix, Meilisearch index prefix and evidence checkpoints, on the real services. */
export async function createTestServices(overrides: Record<string, string> = {}): Promise<{
  config: Config;
  urls: ServiceUrls;
  cleanup(): Promise<void>;
}> {
  const database = await createTestDatabase(inject('postgresUrl'), inject('runPid'));
  const prefix = `t${randomBytes(5).toString('hex')}`;
  // Each database has its own platform chain: its checkpoints must not meet another file's.
  const evidenceDir = await mkdtemp(path.join(tmpdir(), 'hub-evidence-'));
  const urls: ServiceUrls = {
    databaseUrl: database.url,
    redisUrl: inject('redisUrl'),
    meiliUrl: inject('meiliUrl'),
    meiliMasterKey: inject('meiliMasterKey'),
  };
  const config = parseConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_PREFIX: prefix,
    MEILI_INDEX_PREFIX: prefix,
    EVIDENCE_DIR: evidenceDir,
    ...overrides,
    DATABASE_URL: urls.databaseUrl,
    REDIS_URL: urls.redisUrl,
    MEILI_URL: urls.meiliUrl,
    MEILI_MASTER_KEY: urls.meiliMasterKey,
  });
  return {
    config,
    urls,
    async cleanup() {
      await database.drop();
      await rm(evidenceDir, { recursive: true, force: true });
    },
  };
}

export interface TestHub {
  ctx: HubContext;
  hub: Hub;
  config: Config;
  urls: ServiceUrls;
  baseUrl: string;
  close(): Promise<void>;
}

/** A real server (HTTP + Socket.IO) on a free port, on this file's own services. */
export async function startTestHub(overrides: Record<string, string> = {}): Promise<TestHub> {
  const services = await createTestServices(overrides);
  const log = pino({ level: services.config.LOG_LEVEL, name: 'server' });
  const ctx = createContext(services.config, services.urls, log);
  const hub = createHub(ctx);
  await new Promise<void>((resolve) => hub.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = hub.httpServer.address() as AddressInfo;
  return {
    ctx,
    hub,
    config: services.config,
    urls: services.urls,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await hub.close();
      const keys = await ctx.redis.keys(`${services.config.REDIS_PREFIX}:*`);
      if (keys.length) await ctx.redis.del(...keys);
      await ctx.close();
      await services.cleanup();
    },
  };
}
