import type { Db } from '@hub/db';
import type { SearchClient } from './client.ts';
import { LISTING_FOR_INDEX, listingDocument } from './documents.ts';
import { applySettings, ensureIndex, indexName } from './settings.ts';
import { reconcile, type ReconcileCounts } from './sync.ts';
import { settled } from './tasks.ts';
import type { EnqueuedTaskPromise } from 'meilisearch';

export interface ReindexProgress {
  /** Listings read from Postgres and sent to Meilisearch. */
  done: number;
  total: number;
}

export interface ReindexResult {
  index: string;
  indexed: number;
  ms: number;
  perSecond: number;
  /** Changes that landed on the live index while the new one was built, replayed after the swap. */
  caughtUp: ReconcileCounts;
}

const BATCH = 1000;
/** Document batches Meilisearch may have queued before we wait: enough to keep it busy, bounded memory. */
const IN_FLIGHT = 4;

/**
 * Rebuilds the listings index from Postgres into `${live}_<timestamp>`, swaps it with the live index
 * in one atomic task (searches keep answering from the old one until then), deletes the old one, then
 * reconciles, which replays changes that index jobs wrote to the old index during the build.
 */
export async function reindex(db: Db, client: SearchClient, prefix: string, onProgress: (progress: ReindexProgress) => void = () => {}): Promise<ReindexResult> {
  const started = performance.now();
  const live = indexName(prefix);
  const next = `${live}_${Date.now()}`;
  await ensureIndex(client, live);
  await applySettings(client, next);

  const where = { status: 'published' as const, publishedVersionId: { not: null } };
  const total = await db.listing.count({ where });
  onProgress({ done: 0, total });
  const pending: EnqueuedTaskPromise[] = [];
  let done = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await db.listing.findMany({
      where: { ...where, ...(after ? { id: { gt: after } } : {}) },
      include: LISTING_FOR_INDEX,
      orderBy: { id: 'asc' },
      take: BATCH,
    });
    if (rows.length === 0) break;
    pending.push(client.index(next).addDocuments(rows.map(listingDocument), { primaryKey: 'id' }));
    if (pending.length > IN_FLIGHT) await settled(pending.shift()!, `index a batch into ${next}`, 600_000);
    done += rows.length;
    onProgress({ done, total: Math.max(total, done) });
    if (rows.length < BATCH) break;
    after = rows.at(-1)!.id;
  }
  for (const task of pending) await settled(task, `index a batch into ${next}`, 600_000);
  const ms = performance.now() - started;

  await settled(client.swapIndexes([{ indexes: [live, next], rename: false }]), `swap ${next} into ${live}`, 600_000);
  await settled(client.deleteIndex(next), `delete the previous index (now ${next})`, 600_000);
  const caughtUp = await reconcile(db, client, live);
  return { index: live, indexed: done, ms: Math.round(ms), perSecond: done / Math.max(ms / 1000, 0.001), caughtUp };
}
