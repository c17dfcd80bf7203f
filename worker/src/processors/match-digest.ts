import type { JobPayload } from '@hub/protocol';
import type { ProcessorDeps } from './index.ts';

/** Sends one user the digest of the matches that went over their per-minute push limit. */
export function matchDigest(deps: ProcessorDeps, payload: JobPayload<'match-digest'>) {
  return deps.matches.digest(payload.userId, payload.minute);
}
