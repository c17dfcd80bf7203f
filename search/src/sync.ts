import type { Db } from '@hub/db';
import type { SearchClient } from './client.ts';
import { isIndexable, LISTING_FOR_INDEX, listingDocument, type ListingDocument } from './documents.ts';
import { settled } from './tasks.ts';

export type SyncResult = { listingId: string; action: 'upserted' | 'deleted'; revision: number | null };

/**
 * Brings one listing's document in line with Postgres: upserted when the listing is published with a
 * published version, deleted otherwise. The job's revision only names the job; the state written is
 * always what Postgres holds now, so a late or repeated job is harmless. If the listing changed while
 * we wrote (two jobs racing), it goes round again so the last write reflects the newest revision.
 */
export async function syncListing(db: Db, client: SearchClient, indexUid: string, listingId: string): Promise<SyncResult> {
  const index = client.index<ListingDocument>(indexUid);
  for (let attempt = 1; ; attempt++) {
    const listing = await db.listing.findUnique({ where: { id: listingId }, include: LISTING_FOR_INDEX });
    let result: SyncResult;
    if (listing && isIndexable(listing)) {
      await settled(index.addDocuments([listingDocument(listing)], { primaryKey: 'id' }), `index listing ${listingId}`);
      result = { listingId, action: 'upserted', revision: listing.revision };
    } else {
      await settled(index.deleteDocument(listingId), `remove listing ${listingId}`);
      result = { listingId, action: 'deleted', revision: listing?.revision ?? null };
    }
    const now = await db.listing.findUnique({ where: { id: listingId }, select: { revision: true } });
    if ((now?.revision ?? null) === result.revision || attempt >= 3) return result;
  }
}

export interface ReconcileCounts {
  added: number;
  updated: number;
  removed: number;
}

const PAGE = 1000;

/** (id → revision) of every document in the index. */
async function indexedRevisions(client: SearchClient, indexUid: string): Promise<Map<string, number>> {
  const index = client.index<Pick<ListingDocument, 'id' | 'revision'>>(indexUid);
  const revisions = new Map<string, number>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await index.getDocuments({ fields: ['id', 'revision'], limit: PAGE, offset });
    for (const doc of page.results) revisions.set(doc.id, doc.revision);
    if (page.results.length < PAGE) return revisions;
  }
}

/** (id → revision) of every listing Postgres says is public, read in id order (keyset pagination). */
async function publishedRevisions(db: Db): Promise<Map<string, number>> {
  const revisions = new Map<string, number>();
  let after: string | undefined;
  for (;;) {
    const rows = await db.listing.findMany({
      where: { status: 'published', publishedVersionId: { not: null }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, revision: true },
      orderBy: { id: 'asc' },
      take: PAGE,
    });
    for (const row of rows) revisions.set(row.id, row.revision);
    if (rows.length < PAGE) return revisions;
    after = rows.at(-1)!.id;
  }
}

/** Builds the documents of these listings (those still published) and adds them in one task. */
export async function indexListings(db: Db, client: SearchClient, indexUid: string, ids: string[]): Promise<number> {
  let indexed = 0;
  for (let i = 0; i < ids.length; i += PAGE) {
    const rows = await db.listing.findMany({ where: { id: { in: ids.slice(i, i + PAGE) } }, include: LISTING_FOR_INDEX });
    const docs = rows.filter(isIndexable).map(listingDocument);
    if (docs.length) await settled(client.index(indexUid).addDocuments(docs, { primaryKey: 'id' }), 'index listings', 300_000);
    indexed += docs.length;
  }
  return indexed;
}

/**
 * Compares Postgres (the truth) with the index and repairs drift both ways: published listings that
 * are missing or carry another revision are (re)indexed; documents of anything else are removed.
 */
export async function reconcile(db: Db, client: SearchClient, indexUid: string): Promise<ReconcileCounts> {
  const [truth, indexed] = await Promise.all([publishedRevisions(db), indexedRevisions(client, indexUid)]);
  const missing: string[] = [];
  const stale: string[] = [];
  for (const [id, revision] of truth) {
    const have = indexed.get(id);
    if (have === undefined) missing.push(id);
    else if (have !== revision) stale.push(id);
  }
  let strays = [...indexed.keys()].filter((id) => !truth.has(id));
  if (strays.length) {
    // Published after we read Postgres and indexed by its job meanwhile: not a stray.
    const nowPublished = await db.listing.findMany({ where: { id: { in: strays }, status: 'published', publishedVersionId: { not: null } }, select: { id: true } });
    const keep = new Set(nowPublished.map((l) => l.id));
    strays = strays.filter((id) => !keep.has(id));
  }
  await indexListings(db, client, indexUid, [...missing, ...stale]);
  if (strays.length) await settled(client.index(indexUid).deleteDocuments(strays), 'remove stray documents', 300_000);
  return { added: missing.length, updated: stale.length, removed: strays.length };
}
