import type { Db, Prisma } from '@hub/db';
import type { MatchTrend, RetractReason } from '@hub/protocol';
import { MATCHING, type MatchingConfig } from './config.ts';
import type { MatchableListing, ScoredPair } from './score.ts';

export interface Retraction {
  id: string;
  reason: RetractReason;
}

/** What one run changed: new (or re-opened) matches, risen ones, retracted ones, and how many were re-scored. */
export interface MatchChanges {
  created: string[];
  improved: string[];
  retracted: Retraction[];
  rescored: number;
}

const EXISTING = { id: true, supplyListingId: true, demandListingId: true, status: true, score: true, source: true } as const;
export type ExistingMatch = Prisma.MatchGetPayload<{ select: typeof EXISTING }>;

const ownKey = (side: MatchableListing['side']) => (side === 'supply' ? 'supplyListingId' : 'demandListingId');
const otherKey = (side: MatchableListing['side']) => (side === 'supply' ? 'demandListingId' : 'supplyListingId');

/** Every stored match of a listing (any status). */
export function existingMatches(db: Db, listing: Pick<MatchableListing, 'id' | 'side'>): Promise<ExistingMatch[]> {
  return db.match.findMany({ where: { [ownKey(listing.side)]: listing.id }, select: EXISTING });
}

/** The counterpart of a listing in a stored match. */
export const counterpartOf = (listing: Pick<MatchableListing, 'side'>, match: ExistingMatch) => match[otherKey(listing.side)];

const pairData = (pair: ScoredPair) => ({
  score: pair.score,
  breakdown: pair.breakdown,
  reasons: pair.reasons,
  supplyRevision: pair.supply.revision,
  demandRevision: pair.demand.revision,
  scoredAt: new Date(),
});

/** A new match row for a pair. */
export const newMatchData = (pair: ScoredPair) => ({
  supplyListingId: pair.supply.id,
  demandListingId: pair.demand.id,
  supplyOrganizationId: pair.supply.organizationId,
  demandOrganizationId: pair.demand.organizationId,
  ...pairData(pair),
});

/** How a re-score moved a stored score. */
const trendOf = (delta: number, config: MatchingConfig): MatchTrend =>
  Math.abs(delta) < config.significantChange ? 'same' : delta > 0 ? 'up' : 'down';

/**
 * Stores one listing's ranked counterparts. New pairs above the threshold (the best
 * `maxMatchesPerListing`) are created; stored pairs are re-scored in place with their trend; a
 * machine-made match that fell below the threshold, or whose counterpart left the platform, is
 * retracted; one that climbs back is re-opened. Confirmed matches are never touched, and a match a
 * person made (staff or interest) is never retracted for its score. Pairs are unique, so two jobs
 * scoring the same pair at once create it once; every update is guarded on the status it read.
 */
export async function recordMatches(
  db: Db,
  listing: MatchableListing,
  ranked: ScoredPair[],
  existing: ExistingMatch[],
  config: MatchingConfig = MATCHING,
): Promise<MatchChanges> {
  const other = (pair: ScoredPair) => (listing.side === 'supply' ? pair.demand : pair.supply);
  const scored = new Map(ranked.map((pair) => [other(pair).id, pair]));
  const stored = new Map(existing.map((m) => [counterpartOf(listing, m), m]));
  const changes: MatchChanges = { created: [], improved: [], retracted: [], rescored: 0 };

  const fresh = ranked.filter((pair) => pair.score >= config.threshold).slice(0, config.maxMatchesPerListing).filter((pair) => !stored.has(other(pair).id));
  if (fresh.length) {
    const rows = await db.match.createManyAndReturn({ data: fresh.map(newMatchData), skipDuplicates: true, select: { id: true } });
    changes.created.push(...rows.map((r) => r.id));
  }

  for (const match of existing) {
    if (match.status === 'confirmed') continue;
    const pair = scored.get(counterpartOf(listing, match));
    const live = match.status === 'open' || match.status === 'declined';
    if (!pair || (pair.score < config.threshold && match.source === 'auto')) {
      const reason: RetractReason = pair ? 'score_below_threshold' : 'listing_unpublished';
      // The score fell (that is why it goes): record the fall like any other re-score.
      const data = pair ? { ...pairData(pair), previousScore: match.score, trend: trendOf(pair.score - match.score, config) } : {};
      if (live) {
        const { count } = await db.match.updateMany({ where: { id: match.id, status: match.status }, data: { ...data, status: 'retracted', retractReason: reason } });
        if (count) changes.retracted.push({ id: match.id, reason });
      } else if (pair) {
        await db.match.updateMany({ where: { id: match.id, status: match.status }, data });
      }
      continue;
    }
    const trend = trendOf(pair.score - match.score, config);
    const reopen = match.status === 'retracted';
    const { count } = await db.match.updateMany({
      where: { id: match.id, status: match.status },
      data: { ...pairData(pair), previousScore: match.score, trend, ...(reopen ? { status: 'open', retractReason: null, announcedAt: null } : {}) },
    });
    if (!count) continue;
    changes.rescored += 1;
    if (reopen) changes.created.push(match.id);
    else if (trend === 'up' && match.status === 'open') changes.improved.push(match.id);
  }
  return changes;
}

/**
 * Claims this listing's open matches that nobody has been told of yet (new ones, and any a crash
 * left unannounced), so each is announced exactly once even when both listings' jobs run at once.
 */
export async function claimUnannounced(db: Db, listing: Pick<MatchableListing, 'id' | 'side'>): Promise<string[]> {
  const claimed = await db.match.updateManyAndReturn({
    where: { [ownKey(listing.side)]: listing.id, status: 'open', announcedAt: null },
    data: { announcedAt: new Date() },
    select: { id: true },
  });
  return claimed.map((m) => m.id);
}

/** Retracts every live match of a listing that left the platform (confirmed ones stay: their room goes on). */
export async function retractListingMatches(db: Db, listingId: string): Promise<Retraction[]> {
  const live = await db.match.findMany({
    where: { OR: [{ supplyListingId: listingId }, { demandListingId: listingId }], status: { in: ['open', 'declined'] } },
    select: { id: true },
  });
  if (!live.length) return [];
  await db.match.updateMany({
    where: { id: { in: live.map((m) => m.id) }, status: { in: ['open', 'declined'] } },
    data: { status: 'retracted', retractReason: 'listing_unpublished' },
  });
  return live.map((m) => ({ id: m.id, reason: 'listing_unpublished' as const }));
}

/** Records that the matcher finished with this revision (unless the listing changed meanwhile: then the next job or the sweep runs). */
export function markMatched(db: Db, listingId: string, revision: number) {
  return db.listing.updateMany({ where: { id: listingId, revision }, data: { matchedRevision: revision } });
}

/**
 * Stores a match a person made: staff recommending a pair, or a supplier raising its hand on a
 * demand (its own side counts as interested). An existing pair takes the new source and note and is
 * re-opened if it had been declined or retracted; a confirmed one cannot be made again.
 */
export async function recordManualMatch(
  db: Prisma.TransactionClient,
  pair: ScoredPair,
  made: { source: 'staff' | 'interest'; note: string | null; recommendedById: string | null },
): Promise<{ id: string; created: boolean } | null> {
  const where = { supplyListingId_demandListingId: { supplyListingId: pair.supply.id, demandListingId: pair.demand.id } };
  const current = await db.match.findUnique({ where, select: { id: true, status: true } });
  if (current?.status === 'confirmed') return null;
  const supplySide = made.source === 'interest' ? { supplyResponse: 'interested' as const, supplyRespondedAt: new Date() } : {};
  const reopen = { status: 'open' as const, retractReason: null, ...(current?.status === 'declined' ? { supplyResponse: 'pending' as const, demandResponse: 'pending' as const } : {}) };
  const row = await db.match.upsert({
    where,
    // Announced by the caller right after it commits.
    create: { ...newMatchData(pair), source: made.source, note: made.note, recommendedById: made.recommendedById, announcedAt: new Date(), ...supplySide },
    update: { ...pairData(pair), source: made.source, note: made.note, recommendedById: made.recommendedById, ...reopen, ...supplySide },
    select: { id: true },
  });
  return { id: row.id, created: !current };
}
