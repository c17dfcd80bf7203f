import { endOfChinaDay, industryField, type ListingSearchQuery } from '@hub/protocol';
import { queryWords, searchTokens } from '@hub/search';
import type pg from 'pg';
import { inBatches, insertRows, type BenchData } from './load.ts';

/** What one baseline answered: the listing ids of the first page and the total. */
export interface BaselineAnswer {
  ids: string[];
  total: number;
}

export interface BuildTimes {
  /** Filling the table (for jieba: segmenting in Node and inserting). */
  fillMs: number;
  /** Each index build, and their sum. */
  indexMs: Record<string, number>;
  totalIndexMs: number;
}

const time = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return Math.round(performance.now() - started);
};

async function buildIndexes(db: pg.Pool, statements: Record<string, string>): Promise<Pick<BuildTimes, 'indexMs' | 'totalIndexMs'>> {
  const indexMs: Record<string, number> = {};
  for (const [name, sql] of Object.entries(statements)) indexMs[name] = await time(() => db.query(sql));
  return { indexMs, totalIndexMs: Object.values(indexMs).reduce((a, b) => a + b, 0) };
}

/** Filter columns shared by both baseline tables, with their indexes. */
const FILTER_COLUMNS = `listing_id uuid PRIMARY KEY, side text NOT NULL, kind text NOT NULL, industries text[] NOT NULL, province_code text NOT NULL,
  maturity text NOT NULL, price_min bigint, price_max bigint, negotiable boolean NOT NULL, published_at timestamptz NOT NULL, valid_until timestamptz NOT NULL`;
const filterIndexes = (table: string): Record<string, string> => ({
  [`${table}_industries_gin`]: `CREATE INDEX ${table}_industries_gin ON ${table} USING gin (industries)`,
  [`${table}_side_kind`]: `CREATE INDEX ${table}_side_kind ON ${table} (side, kind)`,
  [`${table}_province`]: `CREATE INDEX ${table}_province ON ${table} (province_code)`,
  [`${table}_maturity`]: `CREATE INDEX ${table}_maturity ON ${table} (maturity)`,
  [`${table}_price_min`]: `CREATE INDEX ${table}_price_min ON ${table} (price_min)`,
  [`${table}_price_max`]: `CREATE INDEX ${table}_price_max ON ${table} (price_max)`,
  [`${table}_published_at`]: `CREATE INDEX ${table}_published_at ON ${table} (published_at DESC)`,
});

/**
 * Baseline (a): `listing_fts` with a `simple` tsvector over jieba search-mode tokens of title,
 * keywords and summary (the same segmentation the index's `terms` field gets), GIN-indexed.
 */
export async function buildFts(db: pg.Pool, data: BenchData): Promise<BuildTimes> {
  await db.query(`CREATE TABLE listing_fts (${FILTER_COLUMNS}, tsv tsvector NOT NULL)`);
  const indexes = data.listings.map((_, i) => i);
  const fillMs = await time(() => inBatches(indexes, async (batch) => {
    const rows = batch.map((i) => {
      const l = data.listings[i]!;
      const c = l.content;
      const range = c.price.mode === 'range' ? c.price : null;
      const industries = [...new Set(c.industries.flatMap((code) => [industryField(code), code]))];
      const tokens = searchTokens([c.title, c.keywords.join(' '), c.summary].join('\n')).join(' ');
      return [data.listingIds[i], l.side, c.kind, industries, c.provinceCode, c.maturity, range?.min ?? null, range?.max ?? null, !range, l.publishedAt, endOfChinaDay(c.validUntil), tokens];
    });
    await insertRows(db, 'listing_fts',
      ['listing_id', 'side', 'kind', 'industries', 'province_code', 'maturity', 'price_min', 'price_max', 'negotiable', 'published_at', 'valid_until', 'tsv'],
      rows, { tsv: `to_tsvector('simple', ?)` });
  }));
  const built = await buildIndexes(db, { listing_fts_tsv_gin: 'CREATE INDEX listing_fts_tsv_gin ON listing_fts USING gin (tsv)', ...filterIndexes('listing_fts') });
  await db.query('ANALYZE listing_fts');
  return { fillMs, ...built };
}

/**
 * Baseline (b): `listing_trgm` with `doc` = title, keywords and summary, and a pg_trgm GIN index
 * on it; filled from the listing tables in SQL.
 */
export async function buildTrgm(db: pg.Pool): Promise<BuildTimes> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await db.query(`CREATE TABLE listing_trgm (${FILTER_COLUMNS}, doc text NOT NULL)`);
  const fillMs = await time(() => db.query(`
    INSERT INTO listing_trgm
    SELECT l.id, l.side::text, v.kind,
           ARRAY(SELECT DISTINCT x FROM unnest(v.industries) AS c, LATERAL (VALUES (split_part(c, '.', 1)), (c)) AS t(x)),
           v."provinceCode", v.maturity,
           CASE WHEN v."priceNegotiable" THEN NULL ELSE v."priceMin" END, CASE WHEN v."priceNegotiable" THEN NULL ELSE v."priceMax" END,
           v."priceNegotiable", l."publishedAt", l."validUntil",
           v.title || ' ' || array_to_string(v.keywords, ' ') || ' ' || v.summary
    FROM "Listing" l JOIN "ListingVersion" v ON v.id = l."publishedVersionId"
    WHERE l.status = 'published'`));
  const built = await buildIndexes(db, { listing_trgm_doc_gin: 'CREATE INDEX listing_trgm_doc_gin ON listing_trgm USING gin (doc gin_trgm_ops)', ...filterIndexes('listing_trgm') });
  await db.query('ANALYZE listing_trgm');
  return { fillMs, ...built };
}

/** The same filters as the search API's Meilisearch filter (buildFilter), as SQL on a baseline table. */
function whereFilters(query: ListingSearchQuery, params: unknown[]): string[] {
  const p = (value: unknown) => `$${params.push(value)}`;
  const where = ['valid_until > now()'];
  if (query.side) where.push(`side = ${p(query.side)}`);
  if (query.kind?.length) where.push(`kind = ANY(${p(query.kind)}::text[])`);
  if (query.industry?.length) where.push(`industries && ${p(query.industry)}::text[]`);
  if (query.province) where.push(`province_code = ${p(query.province)}`);
  if (query.maturity?.length) where.push(`maturity = ANY(${p(query.maturity)}::text[])`);
  if (query.city || query.mode?.length || query.orgType?.length) throw new Error('the baselines do not filter by city, mode or organisation type');
  if (query.priceMin !== undefined || query.priceMax !== undefined) {
    const overlap = [
      query.priceMin !== undefined ? `price_max >= ${p(query.priceMin)}` : undefined,
      query.priceMax !== undefined ? `price_min <= ${p(query.priceMax)}` : undefined,
    ].filter(Boolean);
    where.push(`(negotiable OR (${overlap.join(' AND ')}))`);
  }
  return where;
}

/** A tsquery lexeme in quotes: to_tsquery reads nothing inside as an operator. */
const tsLexeme = (word: string) => `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
/** A LIKE pattern matching the word anywhere. */
const containsPattern = (word: string) => `%${word.replace(/[\\%_]/g, '\\$&')}%`;

const answer = (rows: { listing_id: string; total: string }[]): BaselineAnswer => ({ ids: rows.map((r) => r.listing_id), total: Number(rows[0]?.total ?? 0) });

/** (a): any query word (OR), best ts_rank_cd first, newest among equals. */
export async function queryFts(db: pg.ClientBase, query: ListingSearchQuery): Promise<BaselineAnswer> {
  const words = queryWords(query.q).split(' ').filter(Boolean);
  const params: unknown[] = [];
  if (!words.length) {
    const where = whereFilters(query, params);
    const { rows } = await db.query(`SELECT listing_id, count(*) OVER () AS total FROM listing_fts WHERE ${where.join(' AND ')}
      ORDER BY published_at DESC LIMIT ${query.pageSize}`, params);
    return answer(rows);
  }
  params.push(words.map(tsLexeme).join(' | '));
  const where = ['tsv @@ tsq', ...whereFilters(query, params)];
  const { rows } = await db.query(`SELECT listing_id, count(*) OVER () AS total FROM listing_fts, to_tsquery('simple', $1) AS tsq
    WHERE ${where.join(' AND ')} ORDER BY ts_rank_cd(tsv, tsq) DESC, published_at DESC LIMIT ${query.pageSize}`, params);
  return answer(rows);
}

/** (b): every query word as a substring (one trigram-indexed ILIKE per word), newest first. */
export async function queryTrgm(db: pg.ClientBase, query: ListingSearchQuery): Promise<BaselineAnswer> {
  const words = queryWords(query.q).split(' ').filter(Boolean);
  const params: unknown[] = [];
  const where = whereFilters(query, params);
  // One ILIKE per word, not `ILIKE ALL (array)`: GIN cannot serve an array comparison, so ALL means a sequential scan.
  where.unshift(...words.map((w) => `doc ILIKE $${params.push(containsPattern(w))}`));
  const { rows } = await db.query(`SELECT listing_id, count(*) OVER () AS total FROM listing_trgm WHERE ${where.join(' AND ')}
    ORDER BY published_at DESC LIMIT ${query.pageSize}`, params);
  return answer(rows);
}

/**
 * Whether pg_trgm sees Chinese on this server: with a ctype whose character classes leave out CJK
 * characters, show_trgm returns nothing for Chinese text and the index can only filter on Latin words.
 */
export async function checkTrgm(db: pg.Pool) {
  const { rows } = await db.query(`SELECT datcollate AS collate, datctype AS ctype, pg_encoding_to_char(encoding) AS encoding,
      cardinality(show_trgm('锂电池热失控')) AS trigrams_phrase, cardinality(show_trgm('电池')) AS trigrams_word,
      word_similarity('电池', '锂电池热失控') AS word_similarity_subword, '锂电池热失控' ILIKE '%电池%' AS ilike_subword
    FROM pg_database WHERE datname = current_database()`);
  const r = rows[0];
  const plan = async (q: string) => {
    const { rows: lines } = await db.query(`EXPLAIN SELECT listing_id FROM listing_trgm WHERE doc ILIKE $1`, [containsPattern(q)]);
    return lines.map((l: Record<string, string>) => Object.values(l)[0]).join(' / ');
  };
  return {
    collate: r.collate as string,
    ctype: r.ctype as string,
    encoding: r.encoding as string,
    trigramsOfPhrase: Number(r.trigrams_phrase),
    trigramsOfTwoCharWord: Number(r.trigrams_word),
    wordSimilarityOfSubword: Number(r.word_similarity_subword),
    ilikeFindsSubword: r.ilike_subword as boolean,
    planThreeCharWord: await plan('锂电池'),
    planTwoCharWord: await plan('电池'),
  };
}
