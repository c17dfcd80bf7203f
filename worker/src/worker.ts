import { createServer } from 'node:http';
import { CheckpointStore, createDb, evidenceDirOf } from '@hub/db';
import type { Config, Logger, ServiceUrls } from '@hub/platform';
import { pushPublisher } from '@hub/platform/realtime';
import { JOB_OPTIONS, QUEUE, SCHEDULES, type Broadcaster } from '@hub/protocol';
import { MatchPusher } from '@hub/matching';
import { applySettings, createSearchClient, indexName, type SearchTarget } from '@hub/search';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { assertProcessorsMatchJobs, runJob } from './processors/index.ts';

/** Starts the BullMQ worker on the hub queue, pushing to sockets through the push stream the servers relay. */
export function startWorker(config: Config, urls: ServiceUrls, log: Logger, options: { metricsPort?: number } = {}) {
  assertProcessorsMatchJobs();
  const db = createDb(urls.databaseUrl, { max: 5 });
  const redis = new Redis(urls.redisUrl, { maxRetriesPerRequest: null });
  // Every processor pushes through this one broadcaster.
  const broadcast: Broadcaster = pushPublisher(redis, config.REDIS_PREFIX, (error) => log.warn({ err: error.message }, 'socket push failed'));
  const registry = new Registry();
  registry.setDefaultLabels({ process: 'worker' });
  collectDefaultMetrics({ register: registry });
  const jobs = new Counter({ name: 'jobs_total', help: 'Jobs processed by name and outcome', labelNames: ['name', 'outcome'], registers: [registry] });

  const search: SearchTarget = { client: createSearchClient(urls.meiliUrl, urls.meiliMasterKey), indexUid: indexName(config.MEILI_INDEX_PREFIX) };
  // Idempotent; index jobs that run before it finishes retry with backoff if the index is not there yet.
  const settingsApplied = applySettings(search.client, search.indexUid);
  const queue = new Queue(QUEUE, { connection: redis.duplicate(), prefix: `${config.REDIS_PREFIX}:bull` });
  const periods: Record<keyof typeof SCHEDULES, number> = {
    ...Object.fromEntries(Object.entries(SCHEDULES).map(([name, { everyMs }]) => [name, everyMs])),
    'sweep-matches': config.MATCH_SWEEP_SECONDS * 1000,
  } as Record<keyof typeof SCHEDULES, number>;
  const schedule = () =>
    Promise.all(
      Object.entries(periods).map(([name, every]) =>
        queue.upsertJobScheduler(name, { every }, { name, data: {}, opts: JOB_OPTIONS[name as keyof typeof SCHEDULES] }),
      ),
    );
  const scheduled = schedule();
  // A Redis that restarts without persistence comes back empty, schedules included: then no sweep would
  // ever run again to redo the jobs lost with it. So every reconnect puts the schedules back (idempotent).
  let readyCount = 0;
  redis.on('ready', () => {
    if (readyCount++ > 0) schedule().catch((error: Error) => log.error({ err: error.message }, 'could not restore the job schedules'));
  });
  const matches = new MatchPusher({ db, redis, redisPrefix: config.REDIS_PREFIX, broadcast, queue, pushesPerMinute: config.MATCH_PUSHES_PER_MINUTE, log });
  const checkpoints = new CheckpointStore(evidenceDirOf(config), redis, config.REDIS_PREFIX);
  const worker = new Worker(QUEUE, (job) => runJob({ db, broadcast, queue, bull: queue, matches, search, checkpoints, log }, job.name, job.data), {
    connection: redis.duplicate(),
    prefix: `${config.REDIS_PREFIX}:bull`,
    concurrency: config.WORKER_CONCURRENCY,
  });
  worker.on('completed', (job, result) => {
    jobs.inc({ name: job.name, outcome: 'completed' });
    log.debug({ job: job.name, jobId: job.id, result }, 'job completed');
  });
  worker.on('failed', (job, error) => {
    jobs.inc({ name: job?.name ?? 'unknown', outcome: 'failed' });
    log.warn({ job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed');
  });
  worker.on('error', (error) => log.error({ err: error.message }, 'worker error'));

  const metrics = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('Content-Type', registry.contentType);
      res.end(await registry.metrics());
    } else if (req.url === '/healthz') {
      res.end('{"status":"ok"}');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  const port = options.metricsPort ?? config.WORKER_METRICS_PORT;
  const listening = new Promise<number>((resolve, reject) => {
    metrics.once('error', reject);
    metrics.listen(port, config.HOST, () => resolve((metrics.address() as { port: number }).port));
  });

  return {
    worker,
    queue,
    listening: Promise.all([listening, scheduled, settingsApplied]).then(([port]) => port),
    async close() {
      await worker.close();
      await queue.close();
      metrics.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
