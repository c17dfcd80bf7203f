import type { JobName } from '@hub/protocol';
import { m } from '#lib/paraglide/messages.js';

type Text = () => string;

/** How often the background jobs page asks again while it is visible. */
export const JOBS_REFRESH_MS = 10_000;

/** The states the jobs page shows, in order. */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_STATE_LABEL: Record<JobState, Text> = {
  waiting: m.jobs_state_waiting,
  active: m.jobs_state_active,
  delayed: m.jobs_state_delayed,
  completed: m.jobs_state_completed,
  failed: m.jobs_state_failed,
};

/** Human names of the worker's jobs (the protocol's `JOBS`): a new job name fails the type check until it has one. */
export const JOB_NAME_LABEL: Record<JobName, Text> = {
  'match-listing': m.job_name_match_listing,
  'index-listing': m.job_name_index_listing,
  'deliver-notification': m.job_name_deliver_notification,
  'match-digest': m.job_name_match_digest,
  'sweep-matches': m.job_name_sweep_matches,
  'reconcile-index': m.job_name_reconcile_index,
  'expire-listings': m.job_name_expire_listings,
  'sweep-notifications': m.job_name_sweep_notifications,
  'checkpoint-evidence': m.job_name_checkpoint_evidence,
};

/** The human name of a job, or null for a name the web does not know (shown as is). */
export function jobLabel(name: string): string | null {
  return Object.hasOwn(JOB_NAME_LABEL, name) ? JOB_NAME_LABEL[name as JobName]() : null;
}

/**
 * BullMQ's counts folded into the page's states: jobs waiting with a priority (`prioritized`) or for
 * their children (`waiting-children`) are waiting too. A state the queue did not report counts 0.
 */
export function stateCounts(counts: Record<string, number>): Record<JobState, number> {
  const n = (state: string) => {
    const value = counts[state];
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  };
  return {
    waiting: n('waiting') + n('prioritized') + n('waiting-children'),
    active: n('active'),
    delayed: n('delayed'),
    completed: n('completed'),
    failed: n('failed'),
  };
}

/** A job's payload as indented JSON (shown as text, never as markup); `—` for none. */
export function payloadText(data: unknown): string {
  if (data === undefined) return '—';
  try {
    return JSON.stringify(data, null, 2) ?? String(data);
  } catch {
    return String(data);
  }
}

/** How many failures in `next` were not in `previous` (by job id); 0 on the first load. */
export function newFailures(previous: readonly { id: string }[] | null, next: readonly { id: string }[]): number {
  if (previous === null) return 0;
  const known = new Set(previous.map((job) => job.id));
  return next.filter((job) => !known.has(job.id)).length;
}
