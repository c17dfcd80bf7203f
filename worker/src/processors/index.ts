import type { CheckpointStore, Db } from '@hub/db';
import { JOBS, z, type Broadcaster, type JobName, type JobPayload, type JobQueue } from '@hub/protocol';
import { UnrecoverableError } from 'bullmq';
import type { Logger } from '@hub/platform';
import type { SearchTarget } from '@hub/search';
import type { MatchPusher } from '@hub/matching';
import type { Queue } from 'bullmq';
import { checkpointEvidence } from './checkpoint-evidence.ts';
import { deliverNotification } from './deliver-notification.ts';
import { expireListings } from './expire-listings.ts';
import { indexListing } from './index-listing.ts';
import { matchDigest } from './match-digest.ts';
import { matchListing } from './match-listing.ts';
import { reconcileIndex } from './reconcile-index.ts';
import { sweepMatches } from './sweep-matches.ts';
import { sweepNotifications } from './sweep-notifications.ts';

export interface ProcessorDeps {
  db: Db;
  /** Pushes to sockets (through the push stream the servers relay). */
  broadcast: Broadcaster;
  queue: JobQueue;
  /** The same queue, for the sweeps that inspect jobs. */
  bull: Pick<Queue, 'getJob'>;
  /** Pushes match changes to both parties and to staff. */
  matches: MatchPusher;
  /** The listings index the index jobs write to. */
  search: SearchTarget;
  /** Where the evidence chains' signed checkpoints are kept (EVIDENCE_DIR and Redis). */
  checkpoints: CheckpointStore;
  log?: Logger;
}

type Processor<N extends JobName> = (deps: ProcessorDeps, payload: JobPayload<N>) => Promise<unknown>;

/** Job name → processor. Typed so that a job without a processor does not compile. */
export const PROCESSORS: { [N in JobName]: Processor<N> } = {
  'deliver-notification': deliverNotification,
  'sweep-notifications': sweepNotifications,
  'index-listing': indexListing,
  'reconcile-index': reconcileIndex,
  'expire-listings': expireListings,
  'match-listing': matchListing,
  'sweep-matches': sweepMatches,
  'match-digest': matchDigest,
  'checkpoint-evidence': checkpointEvidence,
};

/** Refuses to start when a declared job has no processor or a processor has no declared job. */
export function assertProcessorsMatchJobs(processors: Record<string, unknown> = PROCESSORS): void {
  const declared = Object.keys(JOBS).sort();
  const registered = Object.keys(processors).sort();
  const missing = declared.filter((n) => !registered.includes(n));
  const unknown = registered.filter((n) => !declared.includes(n));
  if (missing.length || unknown.length) {
    throw new Error(`Job registry mismatch: no processor for [${missing.join(', ')}], no declared job for [${unknown.join(', ')}].`);
  }
}

/** Validates the payload against its protocol schema, then runs the job's processor. */
export function runJob(deps: ProcessorDeps, name: string, data: unknown): Promise<unknown> {
  // Own keys only: `in` would also accept inherited names such as `toString`.
  if (!Object.hasOwn(JOBS, name)) throw new UnrecoverableError(`Unknown job ${name}`);
  const jobName = name as JobName;
  const parsed = JOBS[jobName].safeParse(data);
  // Retrying cannot fix a malformed payload: fail the job at once, with the reason staff will see.
  if (!parsed.success) throw new UnrecoverableError(`Invalid ${name} payload: ${z.prettifyError(parsed.error)}`);
  return (PROCESSORS[jobName] as Processor<JobName>)(deps, parsed.data);
}
