import { enqueue, jobId } from '@hub/protocol';
import type { SearchTarget } from '@hub/search';
import type { Queue } from 'bullmq';
import type pg from 'pg';
import { summarize, type Summary } from '../search/stats.ts';

export interface ThroughputResult {
  listings: number;
  /** From enqueueing the jobs until every listing had matchedRevision = revision. */
  ms: number;
  perSecond: number;
  /** Between 10 % and 90 % done: the rate once the workers are busy, without start-up and tail. */
  steadyPerSecond: number;
  timedOut: boolean;
  /** Per job, from BullMQ's timestamps: run time (processedOn → finishedOn). */
  jobRunMs: Summary;
  attemptsOverOne: number;
  failed: number;
}

/**
 * Makes `ids` due for matching as a new approval would: bumps their revision in Postgres and in their
 * search document (so the job's ensureIndexed finds the index current, as after an index job), then
 * enqueues a match-listing job for each at once and waits until all are matched.
 */
export async function scoringThroughput(opts: {
  db: pg.Pool;
  queue: Queue;
  search: SearchTarget;
  ids: string[];
  timeoutMs: number;
  progress?: (done: number) => void;
}): Promise<ThroughputResult> {
  const { rows } = await opts.db.query<{ id: string; revision: number }>(
    'UPDATE "Listing" SET revision = revision + 1 WHERE id = ANY($1::uuid[]) RETURNING id, revision', [opts.ids]);
  const task = await opts.search.client.index(opts.search.indexUid).updateDocuments(rows.map((r) => ({ id: r.id, revision: r.revision }))).waitTask({ timeout: 300_000, interval: 50 });
  if (task.status !== 'succeeded') throw new Error(`could not update the documents' revisions: ${task.error?.message ?? task.status}`);

  const n = rows.length;
  const started = performance.now();
  await enqueue(opts.queue, 'match-listing', rows.map((r) => ({ listingId: r.id, revision: r.revision })));
  let t10: number | undefined;
  let t90: number | undefined;
  let d10 = 0;
  let d90 = 0;
  let done = 0;
  let timedOut = false;
  const revisions = new Map(rows.map((r) => [r.id, r.revision]));
  const seen = new Set<string>();
  const runs: number[] = [];
  let attemptsOverOne = 0;
  // Job timestamps are read as each listing is done: the queue's completed set is trimmed by other jobs' retention.
  const readJobs = async (ids: string[]) => {
    const jobs = await Promise.all(ids.map((id) => opts.queue.getJob(jobId['match-listing']({ listingId: id, revision: revisions.get(id)! }))));
    for (const job of jobs) {
      if (job?.processedOn && job.finishedOn) runs.push(job.finishedOn - job.processedOn);
      if ((job?.attemptsMade ?? 0) > 1) attemptsOverOne += 1;
    }
  };
  const reading: Promise<void>[] = [];
  for (;;) {
    const { rows: finished } = await opts.db.query<{ id: string }>(
      'SELECT id FROM "Listing" WHERE id = ANY($1::uuid[]) AND "matchedRevision" = revision', [opts.ids]);
    done = finished.length;
    const at = performance.now();
    const fresh = finished.map((r) => r.id).filter((id) => !seen.has(id));
    fresh.forEach((id) => seen.add(id));
    if (fresh.length) reading.push(readJobs(fresh));
    if (t10 === undefined && done >= n * 0.1) [t10, d10] = [at, done];
    if (t90 === undefined && done >= n * 0.9) [t90, d90] = [at, done];
    opts.progress?.(done);
    if (done >= n) break;
    if (at - started > opts.timeoutMs) {
      timedOut = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const ms = performance.now() - started;
  await Promise.all(reading);

  const counts = await opts.queue.getJobCounts('failed');
  return {
    listings: n,
    ms: Math.round(ms),
    perSecond: Math.round((done / (ms / 1000)) * 10) / 10,
    steadyPerSecond: t10 !== undefined && t90 !== undefined && t90 > t10 ? Math.round(((d90 - d10) / ((t90 - t10) / 1000)) * 10) / 10 : NaN,
    timedOut,
    jobRunMs: summarize(runs),
    attemptsOverOne,
    failed: counts.failed ?? 0,
  };
}
