import { mkdir, rm } from 'node:fs/promises';
import { migrate } from '@hub/db/migrate';
import { parseConfig } from '@hub/platform';
import { freePort, startEmbeddedPostgres, startMeilisearch, startRedisServer, type EmbeddedService } from '@hub/platform/services';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import './harness.ts';
import { databaseUrl, dropTestDatabases, templateDatabase, withAdminClient } from './databases.ts';

/**
 * Once per run: a migrated template database that each test file copies, and one Meilisearch
 * (from the pinned npm binary) that each test file uses under its own index prefix.
 */
export default async function setup(project: TestProject) {
  const config = parseConfig(process.env);
  const log = pino({ level: 'warn', name: 'test-setup' });
  const runPid = process.pid;
  const embedded: EmbeddedService[] = [];
  const postgresUrl = await orEmbedded(config.TEST_DATABASE_URL, postgresAnswers, async () => {
    log.warn(`TEST_DATABASE_URL does not answer: running the tests on an embedded Postgres`);
    const pg = await startEmbeddedPostgres({ dir: `.test-data/postgres-${runPid}`, port: await freePort(), log, database: 'postgres' });
    embedded.push(pg);
    return pg.url;
  });
  const redisUrl = await orEmbedded(config.TEST_REDIS_URL, redisAnswers, async () => {
    log.warn(`TEST_REDIS_URL does not answer: running the tests on a redis-server started for them`);
    const redis = await startRedisServer({ dir: `.test-data/redis-${runPid}`, port: await freePort(), log, appendonly: false });
    embedded.push(redis);
    return redis.url;
  });
  await withAdminClient(postgresUrl, async (admin) => {
    await dropTestDatabases(admin, runPid, { includeOwn: true });
    await admin.query(`CREATE DATABASE ${templateDatabase(runPid)}`);
  });
  await migrate(databaseUrl(postgresUrl, templateDatabase(runPid)));

  // Per run, so that two runs on one machine never stop each other's Meilisearch.
  const meiliDir = `.test-data/meili-${runPid}`;
  await mkdir(meiliDir, { recursive: true });
  const meili = await startMeilisearch({ dir: meiliDir, port: await freePort(), log });
  project.provide('runPid', runPid);
  project.provide('postgresUrl', postgresUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('meiliUrl', meili.url);
  project.provide('meiliMasterKey', meili.masterKey);

  return async () => {
    await meili.stop();
    await rm(meiliDir, { recursive: true, force: true });
    await withAdminClient(postgresUrl, (admin) => dropTestDatabases(admin, runPid, { includeOwn: true }));
    await Promise.all(embedded.map((service) => service.stop()));
    await Promise.all([rm(`.test-data/postgres-${runPid}`, { recursive: true, force: true }), rm(`.test-data/redis-${runPid}`, { recursive: true, force: true })]);
  };
}

/** The configured URL when its service answers; otherwise the URL of one started for this run. */
async function orEmbedded(url: string, answers: (url: string) => Promise<boolean>, start: () => Promise<string>): Promise<string> {
  return (await answers(url)) ? url : start();
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
