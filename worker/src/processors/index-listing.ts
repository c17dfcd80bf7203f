import type { JobPayload } from '@hub/protocol';
import { syncListing } from '@hub/search';
import type { ProcessorDeps } from './index.ts';

/** Upserts or deletes one listing's search document from what Postgres holds now (retries: JOB_OPTIONS). */
export function indexListing(deps: ProcessorDeps, payload: JobPayload<'index-listing'>) {
  return syncListing(deps.db, deps.search.client, deps.search.indexUid, payload.listingId);
}
