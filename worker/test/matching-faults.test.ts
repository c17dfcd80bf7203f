import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '@hub/db';
import type { Config, ServiceUrls } from '@hub/platform';
import { freePort, startRedisServer, type EmbeddedService } from '@hub/platform/services';
import { enqueue, QUEUE } from '@hub/protocol';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestServices } from '../../server/test/harness.ts';
import { runJob } from '../src/processors/index.ts';
import { bruteForcePairs, matchedCount, seedTopicalListings, storedPairs, topicalPairs, TOPICS, waitFor, type SeededListing } from './matching-fixtures.ts';
import { realProcessorDeps } from './processor-deps.ts';
import { killAllWorkers, spawnWorker, type WorkerProcess } from './worker-process.ts';

/**
 * Fault tolerance of matching, end to end: real worker processes (`node --import tsx worker/src/main.ts`)
 * on real Postgres, Redis and Meilisearch, killed or cut off from Redis in the middle of a batch.
 *
 * What recovery rests on is the match sweep: every MATCH_SWEEP_SECONDS it re-enqueues each published
 * listing whose `matchedRevision` is not its `revision`. BullMQ's own stalled-job recovery would also
 * bring back jobs a killed worker held, but only after their 30 s lock lapses and a stalled check
 * (every 30 s) sees it: up to a minute. Both tests therefore lose the queue outright (the crash test
 * deletes the queue's keys as a crash of a Redis without persistence would; the restart test restarts
 * such a Redis), so nothing but the sweep can finish the work, and the bound below is the sweep's.
 */
const SWEEP_SECONDS = 5;
/**
 * One sweep period, plus time to score the whole batch on a loaded 2-core machine (alone it takes
 * 2–5 s; beside other test files hammering the same Postgres and Meilisearch, up to ~20 s).
 */
const RECOVERY_BOUND_MS = SWEEP_SECONDS * 1000 + 45_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await killAllWorkers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => console.error('cleanup failed:', error));
});

/**
 * A database, Redis prefix and index of the test's own, closed (and dropped) after it; with the deps
 * the worker gives its processors, for re-running the pipeline in-process at the end. Creating them
 * applies the index settings up front, so the worker processes start quickly.
 */
async function services() {
  const s = await createTestServices({ MATCH_SWEEP_SECONDS: String(SWEEP_SECONDS) });
  cleanups.push(s.cleanup);
  const db = createDb(s.urls.databaseUrl, { max: 4 });
  cleanups.push(() => db.$disconnect());
  const inProcess = await realProcessorDeps(s.config, s.urls);
  cleanups.push(() => inProcess.close());
  return { ...s, db, inProcess };
}

/** What the worker process reads from its environment (see platform/src/config.ts and worker/src/main.ts). */
function workerEnv(config: Config, urls: ServiceUrls, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: urls.databaseUrl,
    REDIS_URL: urls.redisUrl,
    MEILI_URL: urls.meiliUrl,
    MEILI_MASTER_KEY: urls.meiliMasterKey,
    REDIS_PREFIX: config.REDIS_PREFIX,
    MEILI_INDEX_PREFIX: config.MEILI_INDEX_PREFIX,
    MATCH_SWEEP_SECONDS: String(SWEEP_SECONDS),
    ...(config.EVIDENCE_DIR ? { EVIDENCE_DIR: config.EVIDENCE_DIR } : {}),
    ...extra,
  };
}

/** A queue handle on the worker's queue, as the API server enqueues into it. */
function queueOn(redisUrl: string, config: Config) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE, { connection, prefix: `${config.REDIS_PREFIX}:bull` });
  const close = async () => {
    await queue.close().catch(() => undefined);
    connection.disconnect();
  };
  cleanups.push(close);
  return { queue, connection, close };
}

/** Waits until `count` of the listings are matched at their current revision, polling the database. */
async function whenMatched(db: Db, ids: string[], atLeast: number, timeoutMs: number, interval = 100): Promise<number> {
  let n = 0;
  try {
    return await waitFor(async () => ((n = await matchedCount(db, ids)) >= atLeast ? n : 0), `${atLeast} of ${ids.length} listings to be matched`, timeoutMs, interval);
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${n} were`);
  }
}

/** The sweep's own report that it put dropped work back (logged at warn by the sweep job). */
const sweepRepairs = (worker: WorkerProcess) =>
  worker.logs().filter((l) => l.msg === 'match sweep repaired dropped work').map((l) => l.requeued as number);

/**
 * After recovery, the stored matches are exactly what a clean run produces: the pairs a brute-force
 * scoring of every compatible pair keeps (which are exactly the same-topic pairs), each once, open,
 * scored from the listings' current revisions; and running the whole pipeline once more over every
 * listing neither creates nor retracts anything.
 */
async function expectCleanRunResult(s: Awaited<ReturnType<typeof services>>, listings: SeededListing[]) {
  const { db } = s;
  const ids = listings.map((l) => l.id);
  const oracle = await bruteForcePairs(db, ids);
  expect(oracle.pairs).toEqual(topicalPairs(listings));
  expect(oracle.bestRejected).toBeLessThan(oracle.worstAccepted);

  const open = await storedPairs(db, 'open');
  expect(open.pairs).toEqual(oracle.pairs);
  expect(await db.match.count()).toBe(oracle.pairs.size);
  const duplicates = await db.match.groupBy({ by: ['supplyListingId', 'demandListingId'], _count: { _all: true }, having: { id: { _count: { gt: 1 } } } });
  expect(duplicates).toEqual([]);
  const revisions = new Map(listings.map((l) => [l.id, l.revision]));
  for (const m of await db.match.findMany({ select: { supplyListingId: true, demandListingId: true, supplyRevision: true, demandRevision: true } })) {
    expect(m.supplyRevision).toBe(revisions.get(m.supplyListingId));
    expect(m.demandRevision).toBe(revisions.get(m.demandListingId));
  }

  const results: Array<{ created?: number; retracted?: number }> = [];
  for (let i = 0; i < ids.length; i += 8) {
    results.push(...((await Promise.all(ids.slice(i, i + 8).map((listingId) => runJob(s.inProcess.deps, 'match-listing', { listingId, revision: revisions.get(listingId)! })))) as typeof results));
  }
  expect(results.reduce((n, r) => n + (r.created ?? 0), 0)).toBe(0);
  expect(results.reduce((n, r) => n + (r.retracted ?? 0), 0)).toBe(0);
  expect((await storedPairs(db, 'open')).pairs).toEqual(oracle.pairs);
}

describe('matching under faults', () => {
  it(
    'a worker SIGKILLed mid-batch (queue lost with it): a fresh worker matches every listing within one sweep period',
    async () => {
      const began = Date.now();
      const phases: string[] = [];
      const phase = (name: string) => phases.push(`${name} ${((Date.now() - began) / 1000).toFixed(1)}s`);
      const s = await services();
      const listings = await seedTopicalListings(s.db, TOPICS, 5);
      const ids = listings.map((l) => l.id);
      expect(ids).toHaveLength(60);
      phase('seeded');
      const { queue, connection } = queueOn(s.urls.redisUrl, s.config);
      const first = spawnWorker(workerEnv(s.config, s.urls));
      await first.started;
      phase('first worker up');
      // A burst of approvals: one index job per listing, each handing its listing to the matcher. (The
      // worker's first sweep, at its start, has already queued a match job for each listing too.)
      await enqueue(queue, 'index-listing', listings.map((l) => ({ listingId: l.id, revision: l.revision })));
      await whenMatched(s.db, ids, 5, 45_000);
      phase('killed');
      await first.stop('SIGKILL');
      expect(await first.exited).toBe('signal SIGKILL');
      const matchedAtKill = await matchedCount(s.db, ids);
      expect(matchedAtKill, 'the kill must land mid-batch').toBeLessThan(ids.length);
      expect(matchedAtKill).toBeGreaterThanOrEqual(5);

      // The crash takes the queue with it: waiting, active and scheduled jobs, all gone.
      const keys = await connection.keys(`${s.config.REDIS_PREFIX}:bull:*`);
      expect(keys.length).toBeGreaterThan(0);
      await connection.del(...keys);

      const second = spawnWorker(workerEnv(s.config, s.urls));
      await second.started;
      phase('second worker up');
      const since = Date.now();
      await whenMatched(s.db, ids, ids.length, RECOVERY_BOUND_MS, 250).catch((error: Error) => {
        throw new Error(`${error.message}\nworker log:\n${second.tail()}`);
      });
      const recoveredMs = Date.now() - since;
      expect(recoveredMs).toBeLessThanOrEqual(RECOVERY_BOUND_MS);
      // Only the sweep could have put the work back: the queue was empty.
      const repaired = sweepRepairs(second);
      expect(repaired.some((n) => n > 0), `the sweep must report the work it put back:\n${second.tail()}`).toBe(true);
      phase('recovered');
      await second.stop('SIGTERM');
      expect(await second.exited).toBe('code 0');

      await expectCleanRunResult(s, listings);
      phase('compared');
      console.info(`crash: killed at ${matchedAtKill}/${ids.length} matched; all matched ${recoveredMs} ms after the fresh worker started (bound ${RECOVERY_BOUND_MS} ms); sweeps requeued ${repaired.join('+')}; ${phases.join(', ')}`);
    },
    120_000,
  );

  it(
    'Redis restarting empty mid-batch: the running worker recovers through the sweep, every listing matched once',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'hub-redis-restart-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const port = await freePort();
      const log = pino({ level: 'silent' });
      // No persistence: a restart loses every key, the queue and the job schedulers with it.
      const start = () => startRedisServer({ dir, port, log, appendonly: false });
      let redisServer: EmbeddedService = await start();
      cleanups.push(() => redisServer.stop());

      const s = await services();
      const urls = { ...s.urls, redisUrl: redisServer.url };
      const listings = await seedTopicalListings(s.db, TOPICS.slice(0, 4), 5);
      const ids = listings.map((l) => l.id);
      const { queue, close } = queueOn(urls.redisUrl, s.config);
      await enqueue(queue, 'index-listing', listings.map((l) => ({ listingId: l.id, revision: l.revision })));
      await close();

      const worker = spawnWorker(workerEnv(s.config, urls, { WORKER_CONCURRENCY: '2' }));
      await worker.started;
      await whenMatched(s.db, ids, 3, 45_000);
      const repairsBefore = sweepRepairs(worker).length;
      await redisServer.stop();
      const matchedAtRestart = await matchedCount(s.db, ids);
      expect(matchedAtRestart, 'the restart must land mid-batch').toBeLessThan(ids.length);
      // Down long enough for every connection of the worker to notice.
      await new Promise((r) => setTimeout(r, 1000));
      redisServer = await start();
      const since = Date.now();
      const probe = new Redis(redisServer.url);
      cleanups.push(async () => probe.disconnect());

      await whenMatched(s.db, ids, ids.length, RECOVERY_BOUND_MS, 250).catch(async (error: Error) => {
        const keys = await probe.keys('*').catch(() => []);
        throw new Error(`${error.message}\nRedis keys after the restart: ${keys.join(' ') || '(none)'}\nworker log:\n${worker.tail()}`);
      });
      const recoveredMs = Date.now() - since;
      expect(worker.alive(), `the worker must ride out the restart:\n${worker.tail()}`).toBe(true);
      // The queue came back empty: only a sweep (scheduled again on reconnect) could have put the work back.
      const repaired = sweepRepairs(worker).slice(repairsBefore);
      expect(repaired.some((n) => n > 0), `a sweep must report the work it put back:\n${worker.tail()}`).toBe(true);
      await worker.stop('SIGTERM');
      expect(await worker.exited).toBe('code 0');

      await expectCleanRunResult(s, listings);
      console.info(`redis restart: restarted at ${matchedAtRestart}/${ids.length} matched; all matched ${recoveredMs} ms after Redis came back (bound ${RECOVERY_BOUND_MS} ms); sweeps requeued ${repaired.join('+')}`);
    },
    120_000,
  );
});
