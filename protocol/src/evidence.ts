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
  /** Access that leaves nothing else behind: staff opening a room unseen, staff reading confidential details, any export. */
  'room.observed',
  'room.exported',
  'listing.details_viewed',
  'match.details_viewed',
]);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

/**
 * A signed statement of where a chain stood (its length and newest hash) at a moment, written by the
 * worker outside the database: an entry removed or re-hashed after it no longer matches it.
 */
export const EvidenceCheckpoint = z
  .object({
    /** `platform`, or `room:<id>`. */
    chain: z.string(),
    seq: z.number().int().positive(),
    head: z.string(),
    at: z.string(),
  })
  .openapi('EvidenceCheckpoint');
export type EvidenceCheckpoint = z.infer<typeof EvidenceCheckpoint>;

/**
 * Where a chain stops holding: a link (`hash_mismatch`, `prev_hash_mismatch`, `sequence_gap`), or its
 * latest checkpoint (`truncated`: entries up to it are gone; `rehashed`: the entry at its seq differs).
 */
export const ChainBreak = z.object({
  seq: z.number().int(),
  reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap', 'truncated', 'rehashed']),
});
export type ChainBreak = z.infer<typeof ChainBreak>;

/** A chain walked link by link and held against its latest validly signed checkpoint. */
export const ChainVerification = z.object({
  /** The links hold, the chain agrees with its checkpoint, and no forged checkpoint was found. */
  ok: z.boolean(),
  checked: z.number().int(),
  /** The first entry that does not hold, if any. */
  firstBroken: ChainBreak.nullable(),
  /** The checkpoint the chain was held against (null: none written yet). */
  checkpoint: EvidenceCheckpoint.nullable(),
  /** Checkpoints of this chain whose signature does not verify with the platform's key: ignored. */
  forgedCheckpoints: z.number().int(),
});
export type ChainVerification = z.infer<typeof ChainVerification>;

export const EvidenceVerification = ChainVerification.openapi('EvidenceVerification');
export type EvidenceVerification = ChainVerification;
