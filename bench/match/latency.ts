import { jobId, REVIEW_CHECKLIST, type MatchView } from '@hub/protocol';
import type { Queue } from 'bullmq';
import type pg from 'pg';
import type { DemoListing } from '../../prisma/src/demo/index.ts';
import { summarize, type Summary } from '../search/stats.ts';
import type { Client, HubSocket } from './members.ts';

export interface PublishOutcome {
  id: string | null;
  organizationId: string;
  /** Wall time of the create (+submit) call and of the approve call. */
  createMs: number;
  approveMs: number;
  /** Epoch ms when the approve call returned (the clock starts here). */
  approvedAt: number;
  /** After the approve call returned: first match:new on the publisher's socket, on a counterpart's socket. */
  publisherMs: number | null;
  counterpartMs: number | null;
  /** Both parties heard of it: max of the two, or null if not within the timeout. */
  latencyMs: number | null;
  /** From the index and match jobs' BullMQ timestamps, read as soon as both parties heard (see latencyBreakdown). */
  jobs?: { indexQueued: number; indexStarted: number; indexFinished: number; matchQueued: number; matchStarted: number; matchFinished: number };
  error?: string;
}

const CHECKLIST = Object.fromEntries(REVIEW_CHECKLIST.map((item) => [item, true]));
const epochNow = () => performance.timeOrigin + performance.now();

/**
 * Publishes `listings` through the API at a steady `rate` per second: each is created and submitted
 * by its organisation's member, then approved by the reviewer; from the moment the approve call
 * returns, waits until the publisher's socket and at least one counterpart organisation's socket have
 * received `match:new` for a match involving it (or `timeoutMs` passes).
 */
export async function publishAndListen(opts: {
  listings: DemoListing[];
  organizationIds: string[];
  members: Client[];
  reviewer: Client;
  sockets: { socket: HubSocket; organizationId: string }[];
  rate: number;
  timeoutMs: number;
  progress: (done: number) => void;
  db: pg.Pool;
  queue: Queue;
}): Promise<{ outcomes: PublishOutcome[]; events: number; ms: number; issueMs: number }> {
  const tracked = new Map<string, { organizationId: string; publisher?: number; counterpart?: number; done?: () => void }>();
  let events = 0;
  const onMatch = (receiver: string) => (view: MatchView) => {
    const at = epochNow();
    events += 1;
    for (const id of [view.supply.listing.id, view.demand.listing.id]) {
      const t = tracked.get(id);
      if (!t) continue;
      if (receiver === t.organizationId) t.publisher ??= at;
      else t.counterpart ??= at;
      if (t.publisher !== undefined && t.counterpart !== undefined) t.done?.();
    }
  };
  const handlers = opts.sockets.map(({ socket, organizationId }) => {
    const handler = onMatch(organizationId);
    socket.on('match:new', handler);
    return () => socket.off('match:new', handler);
  });

  let finished = 0;
  const publishOne = async (listing: DemoListing): Promise<PublishOutcome> => {
    const organizationId = opts.organizationIds[listing.organizationIndex]!;
    const member = opts.members[listing.organizationIndex]!;
    const outcome: PublishOutcome = { id: null, organizationId, createMs: 0, approveMs: 0, approvedAt: 0, publisherMs: null, counterpartMs: null, latencyMs: null };
    try {
      let t0 = performance.now();
      const created = await member.request('POST', '/api/listings', { side: listing.side, content: listing.content, submit: true });
      outcome.createMs = performance.now() - t0;
      if (created.status !== 201) throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body).slice(0, 300)}`);
      const id = created.body.id as string;
      outcome.id = id;
      const t = { organizationId } as { organizationId: string; publisher?: number; counterpart?: number; done?: () => void };
      const both = new Promise<void>((resolve) => (t.done = resolve));
      tracked.set(id, t);
      t0 = performance.now();
      const approved = await opts.reviewer.request('POST', `/api/review/listings/${id}/decision`, { decision: 'approve', checklist: CHECKLIST });
      outcome.approveMs = performance.now() - t0;
      outcome.approvedAt = epochNow();
      if (approved.status !== 200) throw new Error(`approve answered ${approved.status}: ${JSON.stringify(approved.body).slice(0, 300)}`);
      if (t.publisher === undefined || t.counterpart === undefined) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([both, new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.timeoutMs)))]);
        clearTimeout(timer);
      }
      // A push that beat the approve response (it cannot in practice: the job starts after the commit) counts as 0.
      const since = (at: number | undefined) => (at === undefined ? null : Math.max(0, at - outcome.approvedAt));
      outcome.publisherMs = since(t.publisher);
      outcome.counterpartMs = since(t.counterpart);
      if (outcome.publisherMs !== null && outcome.counterpartMs !== null && Math.max(outcome.publisherMs, outcome.counterpartMs) <= opts.timeoutMs) {
        outcome.latencyMs = Math.max(outcome.publisherMs, outcome.counterpartMs);
        // Read the jobs now: any job's removeOnComplete count trims the queue's whole completed set, so they do
        // not stay long. The match job pushes before it returns: give it a moment to finish.
        const { rows: [row] } = await opts.db.query<{ revision: number }>('SELECT revision FROM "Listing" WHERE id = $1', [id]);
        const payload = { listingId: id, revision: row!.revision };
        for (let attempt = 0; attempt < 100 && !outcome.jobs; attempt++) {
          const [index, match] = await Promise.all([opts.queue.getJob(jobId['index-listing'](payload)), opts.queue.getJob(jobId['match-listing'](payload))]);
          if (!index || !match) break;
          if (index.processedOn && index.finishedOn && match.processedOn && match.finishedOn) {
            outcome.jobs = {
              indexQueued: index.timestamp, indexStarted: index.processedOn, indexFinished: index.finishedOn,
              matchQueued: match.timestamp, matchStarted: match.processedOn, matchFinished: match.finishedOn,
            };
          } else {
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }
    } catch (error) {
      outcome.error = (error as Error).message;
    }
    opts.progress(++finished);
    return outcome;
  };

  const started = performance.now();
  const running: Promise<PublishOutcome>[] = [];
  for (const [i, listing] of opts.listings.entries()) {
    const due = started + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    running.push(publishOne(listing));
  }
  const issueMs = performance.now() - started;
  const outcomes = await Promise.all(running);
  const ms = performance.now() - started;
  handlers.forEach((off) => off());
  return { outcomes, events, ms, issueMs };
}

/**
 * Where the time went for each published listing, from its index and match jobs' timestamps: waiting
 * for and running the index job (which waits for Meilisearch's indexing task), waiting for and running
 * the match job (which pushes before it returns), and the rest until both sockets had the push.
 */
export function latencyBreakdown(outcomes: PublishOutcome[]) {
  const timed = outcomes.filter((o) => o.jobs && o.latencyMs !== null);
  const parts = { approveToIndexQueued: [] as number[], indexWait: [] as number[], indexRun: [] as number[], matchWait: [] as number[], matchRun: [] as number[], pushAfterMatchJob: [] as number[] };
  for (const o of timed) {
    const j = o.jobs!;
    parts.approveToIndexQueued.push(j.indexQueued - o.approvedAt);
    parts.indexWait.push(j.indexStarted - j.indexQueued);
    parts.indexRun.push(j.indexFinished - j.indexStarted);
    parts.matchWait.push(j.matchStarted - j.matchQueued);
    parts.matchRun.push(j.matchFinished - j.matchStarted);
    parts.pushAfterMatchJob.push(o.approvedAt + o.latencyMs! - j.matchFinished);
  }
  return { listings: timed.length, ms: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summarize(v)])) as Record<keyof typeof parts, Summary> };
}
