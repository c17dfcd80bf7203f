import type { JobPayload } from '@hub/protocol';
import { syncListing, type ListingDocument } from '@hub/search';
import {
  claimUnannounced,
  counterpartOf,
  existingMatches,
  loadMatchable,
  markMatched,
  meiliCandidates,
  rankCounterparts,
  recordMatches,
  retractListingMatches,
} from '@hub/matching';
import type { ProcessorDeps } from './index.ts';

/**
 * Makes sure the listing's own document is in the index before it looks for counterparts. Of two
 * listings published at the same moment, the one indexed second then always finds the first, so no
 * pair is missed however the jobs interleave.
 */
async function ensureIndexed(deps: ProcessorDeps, listingId: string, revision: number, published: boolean) {
  const indexed = await deps.search.client
    .index<ListingDocument>(deps.search.indexUid)
    .getDocument(listingId, { fields: ['revision'] })
    .then((doc) => doc.revision, () => null);
  if (published ? indexed !== revision : indexed !== null) await syncListing(deps.db, deps.search.client, deps.search.indexUid, listingId);
}

/**
 * Matches one listing: finds counterparts through several short Meilisearch queries, scores them
 * (plus every pair it already has), stores the result and pushes what changed. A listing that left
 * the platform has its live matches retracted instead. A deleted listing is a no-op.
 */
export async function matchListing(deps: ProcessorDeps, payload: JobPayload<'match-listing'>) {
  const row = await deps.db.listing.findUnique({ where: { id: payload.listingId }, select: { revision: true, status: true } });
  if (!row) return { outcome: 'gone' };
  await ensureIndexed(deps, payload.listingId, row.revision, row.status === 'published');
  const [listing] = await loadMatchable(deps.db, [payload.listingId]);
  if (!listing) {
    const retracted = await retractListingMatches(deps.db, payload.listingId);
    await deps.matches.retract(retracted);
    await markMatched(deps.db, payload.listingId, row.revision);
    return { outcome: 'retracted', retracted: retracted.length };
  }
  const existing = await existingMatches(deps.db, listing);
  const ranked = await rankCounterparts(
    { db: deps.db, candidates: meiliCandidates(deps.search) },
    listing,
    existing.map((m) => counterpartOf(listing, m)),
  );
  const changes = await recordMatches(deps.db, listing, ranked, existing);
  // Announced before the listing counts as matched: a crash in between leaves it to the next run
  // (a retry or the sweep), which announces whatever is still unannounced.
  await deps.matches.announce(await claimUnannounced(deps.db, listing), 'match:new');
  await deps.matches.announce(changes.improved, 'match:updated');
  await deps.matches.retract(changes.retracted);
  await markMatched(deps.db, listing.id, listing.revision);
  return { outcome: 'matched', scored: ranked.length, created: changes.created.length, improved: changes.improved.length, retracted: changes.retracted.length };
}
