import { rm } from 'node:fs/promises';
import { migrate } from '@hub/db/migrate';
import type { Config } from '@hub/platform';
import { freePort, startMeilisearch, type EmbeddedMeilisearch } from '@hub/platform/services';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from 'pino';

/** The benchmark's own services: a fresh database, a Redis key prefix, and a Meilisearch of its own. */
export interface BenchStack {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  meili: EmbeddedMeilisearch;
  /** Registered closers (hub, pools) run first, then the database is dropped, Meilisearch stopped and its directory and the Redis keys removed. */
  onCleanup(close: () => Promise<unknown>): void;
  cleanup(): Promise<void>;
}

const withAdmin = async <T>(url: string, run: (client: pg.Client) => Promise<T>) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
};

/** `name` only names the database (`bench_<name>_<pid>`), so two benchmarks' leftovers are told apart. */
export async function startStack(config: Config, log: Logger, say: (line: string) => void, name = 'search'): Promise<BenchStack> {
  const pid = process.pid;
  const database = `bench_${name}_${pid}`;
  const prefix = `bench${pid}`;
  const meiliDir = `.bench-data/meili-${pid}`;
  const adminUrl = config.TEST_DATABASE_URL;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();

  const closers: (() => Promise<unknown>)[] = [];
  let meili: EmbeddedMeilisearch | undefined;
  let created = false;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      const step = async (what: string, run: () => Promise<unknown>) => {
        try {
          await run();
        } catch (error) {
          say(`cleanup: could not ${what}: ${(error as Error).message}`);
        }
      };
      for (const close of closers.reverse()) await step('close a connection', close);
      if (created) await step(`drop database ${database}`, () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)));
      if (meili) await step('stop Meilisearch', () => meili!.stop());
      await step(`remove ${meiliDir}`, () => rm(meiliDir, { recursive: true, force: true }));
      await step(`delete Redis keys ${prefix}:*`, () => deleteRedisKeys(config.TEST_REDIS_URL, prefix));
    })());

  const stack: BenchStack = {
    databaseUrl,
    redisUrl: config.TEST_REDIS_URL,
    prefix,
    get meili() {
      if (!meili) throw new Error('Meilisearch is not running');
      return meili;
    },
    onCleanup: (close) => void closers.push(close),
    cleanup,
  };
  try {
    await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${database}`));
    created = true;
    await migrate(databaseUrl);
    say(`postgres: database ${database} on ${url.host}, migrated`);
    meili = await startMeilisearch({ dir: meiliDir, port: await freePort(), log });
    say(`meilisearch: ${meili.url} (data in ${meiliDir})`);
    say(`redis: ${new URL(config.TEST_REDIS_URL).host}, key prefix ${prefix}:`);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return stack;
}

async function deleteRedisKeys(redisUrl: string, prefix: string) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Runs a benchmark on its stack: Ctrl-C cleans up and exits 130; a failure is printed and exits 1;
 * either way the stack is removed, and the last line printed is every figure as one JSON object.
 */
export async function runBench(stack: BenchStack, name: string, main: () => Promise<object>, say: (line: string) => void, removed: string): Promise<never> {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      say(`\n${signal}: cleaning up…`);
      void stack.cleanup().finally(() => process.exit(130));
    });
  }
  let figures: object | undefined;
  try {
    figures = await main();
  } catch (error) {
    if (!interrupted) console.error(`${name} failed: ${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  } finally {
    if (!interrupted) {
      await stack.cleanup();
      say(`cleaned up: ${removed}`);
    }
  }
  if (figures && !interrupted) console.log(JSON.stringify(figures));
  // Ctrl-C's handler exits once the cleanup it started is done.
  return interrupted ? new Promise<never>(() => {}) : process.exit(process.exitCode ?? 0);
}
