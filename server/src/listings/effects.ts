import { createHash } from 'node:crypto';
import { appendEvidence, type EvidenceRecord, type Prisma } from '@hub/db';
import type { ListingContent } from '@hub/protocol';
import { canonicalJson } from '@hub/protocol/evidence-hash';

/** Evidence proves what was submitted without copying confidential text into the log: a hash of the content. */
export function contentFingerprint(content: ListingContent | Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export function recordListingEvidence(
  tx: Prisma.TransactionClient,
  kind: EvidenceRecord['kind'],
  listingId: string,
  actorId: string | null,
  payload: Record<string, unknown>,
) {
  return appendEvidence(tx, { kind, subjectType: 'listing', subjectId: listingId, actorId, payload });
}
