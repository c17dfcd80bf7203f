import { z } from './zod.ts';

/** Every BullMQ queue's name. */
export const QUEUE = 'hub';

/** Job name → payload schema. The worker refuses to start unless each has exactly one processor. */
export const JOBS = {
  /** Push a stored notification to its user's sockets and mark it delivered. */
  'deliver-notification': z.strictObject({ notificationId: z.uuid() }),
  /** Repeatable: re-enqueues notifications whose delivery job was lost (a crash between commit and enqueue). */
  'sweep-notifications': z.strictObject({}),
  /** Bring one listing's search document in line with Postgres (upsert if published, else delete). */
  'index-listing': z.strictObject({ listingId: z.uuid(), revision: z.number().int().positive() }),
  /** Repeatable: compare Postgres and the index, repair drift both ways. */
  'reconcile-index': z.strictObject({}),
  /** Repeatable: expire listings past their valid-until day; warn owners 7 days before. */
  'expire-listings': z.strictObject({}),
  /** Find and score counterparts of one listing (or retract its matches once it is off the platform). */
  'match-listing': z.strictObject({ listingId: z.uuid(), revision: z.number().int().positive() }),
  /** Repeatable: re-match listings whose revision was never matched (a crash, a lost queue); retract orphans. */
  'sweep-matches': z.strictObject({}),
  /** Announce one user's pushes that went over the per-minute limit, at the end of that minute. */
  'match-digest': z.strictObject({ userId: z.uuid(), minute: z.number().int().nonnegative() }),
  /** Repeatable: signs a checkpoint of every evidence chain whose head moved, outside the database. */
  'checkpoint-evidence': z.strictObject({}),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]>;

/** Deterministic job ids, so a repeated enqueue collapses into one job (BullMQ forbids ':' in them). */
export const jobId = {
  'deliver-notification': (p: JobPayload<'deliver-notification'>) => `notification-${p.notificationId}`,
  'sweep-notifications': () => 'sweep-notifications',
  'index-listing': (p: JobPayload<'index-listing'>) => `index-listing-${p.listingId}-${p.revision}`,
  'reconcile-index': () => 'reconcile-index',
  'expire-listings': () => 'expire-listings',
  'match-listing': (p: JobPayload<'match-listing'>) => `match-listing-${p.listingId}-${p.revision}`,
  'sweep-matches': () => 'sweep-matches',
  'match-digest': (p: JobPayload<'match-digest'>) => `match-digest-${p.userId}-${p.minute}`,
  'checkpoint-evidence': () => 'checkpoint-evidence',
} satisfies { [N in JobName]: (payload: JobPayload<N>) => string };

/** Retry and retention for each job, declared once beside its payload. */
export const JOB_OPTIONS = {
  'deliver-notification': { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 },
  'sweep-notifications': { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  'index-listing': { attempts: 8, backoff: { type: 'exponential', delay: 500 }, removeOnComplete: 5000, removeOnFail: 5000 },
  'reconcile-index': { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  'expire-listings': { attempts: 3, backoff: { type: 'fixed', delay: 10_000 }, removeOnComplete: 100, removeOnFail: 100 },
  // Kept an hour (completed) or a week (failed), so repeats collapse and staff can read why one failed.
  'match-listing': { attempts: 6, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600, count: 20_000 }, removeOnFail: { age: 7 * 86_400, count: 5000 } },
  'sweep-matches': { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  'match-digest': { attempts: 3, backoff: { type: 'fixed', delay: 2000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86_400 } },
  'checkpoint-evidence': { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
} as const satisfies { [N in JobName]: Record<string, unknown> };

/** Repeatable jobs and their period. */
export const SCHEDULES = {
  'sweep-notifications': { everyMs: 60_000 },
  'reconcile-index': { everyMs: 5 * 60_000 },
  'expire-listings': { everyMs: 10 * 60_000 },
  /** The default period; MATCH_SWEEP_SECONDS overrides it. */
  'sweep-matches': { everyMs: 60_000 },
  'checkpoint-evidence': { everyMs: 60_000 },
} as const satisfies Partial<Record<JobName, { everyMs: number }>>;

/** The part of a BullMQ Queue that `enqueue` needs (protocol/ does not depend on BullMQ). */
export interface JobQueue {
  addBulk(jobs: { name: string; data: unknown; opts: Record<string, unknown> }[]): Promise<unknown>;
}

/** Enqueues jobs with their validated payload, deterministic id and declared options. */
export async function enqueue<N extends JobName>(
  queue: JobQueue,
  name: N,
  payloads: JobPayload<N>[],
  extra: { delay?: number } = {},
): Promise<void> {
  if (payloads.length === 0) return;
  const options: Record<string, unknown> = JOB_OPTIONS[name];
  await queue.addBulk(
    payloads.map((payload) => ({
      name,
      data: JOBS[name].parse(payload),
      opts: { ...options, ...extra, jobId: (jobId[name] as (p: JobPayload<N>) => string)(payload) },
    })),
  );
}
