import { enqueue, type JobPayload } from '@hub/protocol';
import { syncListing } from '@hub/search';
import type { ProcessorDeps } from './index.ts';

/**
 * Upserts or deletes one listing's search document from what Postgres holds now (retries: JOB_OPTIONS),
 * then hands the listing to the matcher, which finds its counterparts or retracts its matches.
 */
export async function indexListing(deps: ProcessorDeps, payload: JobPayload<'index-listing'>) {
  const result = await syncListing(deps.db, deps.search.client, deps.search.indexUid, payload.listingId);
  if (result.revision !== null) await enqueue(deps.queue, 'match-listing', [{ listingId: payload.listingId, revision: result.revision }]);
  return result;
}
