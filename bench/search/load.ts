import type pg from 'pg';
import { endOfChinaDay } from '@hub/protocol';
import {
  DEMO_LISTING_SEED, DEMO_ORGANIZATION_SEED, demoUuid, generateDemoListings, generateDemoOrganizations, mulberry32, type DemoListing, type DemoOrganizationSpec,
} from '../../prisma/src/demo/index.ts';

/** Rows per multi-row INSERT (the widest table has 25 columns: 50,000 parameters, under Postgres's 65,535). */
export const BATCH = 2000;
/** Batches in flight at once (two cores: one for Node, one for Postgres, more only adds contention). */
const IN_FLIGHT = 2;

export interface BenchData {
  organizations: DemoOrganizationSpec[];
  organizationIds: string[];
  userId: string;
  listings: DemoListing[];
  listingIds: string[];
}

/** The demo generator's own organisations and N listings, same seed as the demo data. */
export function generate(count: number, now = new Date()): BenchData {
  const organizations = generateDemoOrganizations(72, mulberry32(DEMO_ORGANIZATION_SEED));
  const listings = generateDemoListings(count, mulberry32(DEMO_LISTING_SEED), { organizations: organizations.map((o) => o.application), now });
  return {
    organizations,
    organizationIds: organizations.map((o) => demoUuid(`bench-org:${o.key}`)),
    userId: demoUuid('bench-user'),
    listings,
    listingIds: listings.map((l) => demoUuid(`bench-listing:${l.index}`)),
  };
}

/**
 * `INSERT INTO table (columns) VALUES (...), (...)` with one parameter per value. `exprs` wraps a
 * column's parameter in SQL (`?` is the parameter), e.g. `to_tsvector('simple', ?)`.
 */
export async function insertRows(db: pg.Pool | pg.ClientBase, table: string, columns: string[], rows: unknown[][], exprs: Record<string, string> = {}) {
  if (!rows.length) return;
  const params: unknown[] = [];
  const tuples = rows.map((row) => `(${columns.map((c, j) => {
    params.push(row[j]);
    const placeholder = `$${params.length}`;
    return (exprs[c] ?? '?').replace('?', () => placeholder);
  }).join(', ')})`);
  await db.query(`INSERT INTO ${table} (${columns.map((c) => (/^[a-z_]+$/.test(c) ? c : `"${c}"`)).join(', ')}) VALUES ${tuples.join(', ')}`, params);
}

/** Runs `work` for each batch of `rows`, IN_FLIGHT at a time. */
export async function inBatches<T>(items: T[], work: (batch: T[]) => Promise<void>, size = BATCH, inFlight = IN_FLIGHT): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += size;
      if (start >= items.length) return;
      await work(items.slice(start, start + size));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

/** End of a YYYY-MM-DD day in China time (what the listing service stores in Listing.validUntil). */

const CHECKLIST_OK = JSON.stringify({ no_classified_content: true, true_and_accurate: true, current_and_valid: true });
const HOUR = 3_600_000;

/**
 * Bulk-loads organisations, one user, listings (publishedVersionId null), their published version 1,
 * then links them with one UPDATE. Raw SQL through pg, multi-row INSERTs of BATCH rows.
 */
export async function loadPostgres(pool: pg.Pool, data: BenchData) {
  const now = new Date();
  const generator = data.organizations;
  await insertRows(pool, '"Organization"',
    ['id', 'type', 'enterpriseSize', 'specialities', 'name', 'creditCode', 'provinceCode', 'cityCode', 'industries', 'contactName', 'contactPhone', 'status', 'submission', 'submittedAt', 'reviewedAt', 'createdAt', 'updatedAt'],
    generator.map((o, i) => {
      const a = o.application;
      const submitted = new Date(now.getTime() - o.registeredDaysAgo * 86_400_000);
      return [data.organizationIds[i], a.type, a.enterpriseSize ?? null, a.specialities ?? [], a.name, a.creditCode, a.provinceCode, a.cityCode, a.industries, a.contactName, a.contactPhone, 'approved', 1, submitted, new Date(submitted.getTime() + 86_400_000), submitted, now];
    }));
  await insertRows(pool, '"User"', ['id', 'email', 'name', 'passwordHash', 'organizationId', 'createdAt', 'updatedAt'],
    [[data.userId, 'bench-member@bench.invalid', '基准测试', '!bench-no-login', data.organizationIds[0], now, now]]);

  const indexes = data.listings.map((_, i) => i);
  await inBatches(indexes, (batch) => insertRows(pool, '"Listing"',
    ['id', 'organizationId', 'side', 'status', 'revision', 'publishedVersionId', 'latestVersion', 'publishedAt', 'validUntil', 'createdById', 'createdAt', 'updatedAt'],
    batch.map((i) => {
      const l = data.listings[i]!;
      const created = new Date(l.publishedAt.getTime() - 3 * HOUR);
      return [data.listingIds[i], data.organizationIds[l.organizationIndex], l.side, 'published', 1, null, 1, l.publishedAt, endOfChinaDay(l.content.validUntil), data.userId, created, l.publishedAt];
    })));
  await inBatches(indexes, (batch) => insertRows(pool, '"ListingVersion"',
    ['id', 'listingId', 'version', 'status', 'kind', 'title', 'summary', 'details', 'industries', 'keywords', 'provinceCode', 'cityCode', 'maturity', 'trl', 'modes', 'priceNegotiable', 'priceMin', 'priceMax', 'ip', 'validUntil', 'authorId', 'createdAt', 'submittedAt', 'reviewedAt', 'reviewerId', 'checklist'],
    batch.map((i) => {
      const l = data.listings[i]!;
      const c = l.content;
      const range = c.price.mode === 'range' ? c.price : null;
      const created = new Date(l.publishedAt.getTime() - 3 * HOUR);
      return [
        demoUuid(`bench-version:${l.index}:1`), data.listingIds[i], 1, 'published', c.kind, c.title, c.summary, c.details, c.industries, c.keywords,
        c.provinceCode, c.cityCode, c.maturity, c.trl ?? null, c.modes, !range, range ? range.min : null, range ? range.max : null,
        JSON.stringify(c.ip.map((item) => ({ type: item.type, number: item.number, title: item.title ?? null }))), c.validUntil, data.userId,
        created, new Date(l.publishedAt.getTime() - 2 * HOUR), l.publishedAt, data.userId, CHECKLIST_OK,
      ];
    })));
  const linked = await pool.query(`UPDATE "Listing" l SET "publishedVersionId" = v.id FROM "ListingVersion" v WHERE v."listingId" = l.id AND v.version = 1`);
  await pool.query('ANALYZE "Organization", "User", "Listing", "ListingVersion"');
  return { organizations: generator.length, listings: data.listings.length, linked: linked.rowCount ?? 0 };
}
