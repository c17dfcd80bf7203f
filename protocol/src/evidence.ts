import { z } from './zod.ts';

/** What was recorded: one kind per auditable action. */
export const EvidenceKind = z.enum([
  'organization.submitted',
  'organization.reviewed',
  'staff.role_changed',
  'listing.saved',
  'listing.submitted',
  'listing.reviewed',
  'listing.withdrawn',
  'listing.taken_down',
  'listing.expired',
  'match.recommended',
  'match.interest',
  'match.responded',
  'match.confirmed',
  'room.opened',
  'moderation.banned_word_added',
  'moderation.banned_word_removed',
]);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

export const EvidenceVerification = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    /** The first entry whose hash or link does not match, if any. */
    firstBroken: z
      .object({ seq: z.number().int(), reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap']) })
      .nullable(),
  })
  .openapi('EvidenceVerification');
export type EvidenceVerification = z.infer<typeof EvidenceVerification>;
