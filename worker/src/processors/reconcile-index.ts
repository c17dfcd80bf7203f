import type { JobPayload } from '@hub/protocol';
import { reconcile } from '@hub/search';
import type { ProcessorDeps } from './index.ts';

/** Repeatable: repairs drift between Postgres and the listings index both ways; returns what it fixed. */
export async function reconcileIndex(deps: ProcessorDeps, _payload: JobPayload<'reconcile-index'>) {
  const counts = await reconcile(deps.db, deps.search.client, deps.search.indexUid);
  if (counts.added || counts.updated || counts.removed) deps.log?.warn(counts, 'search index drift repaired');
  return counts;
}
