import { type CandidateSource, candidateQueries, MATCHING, type MatchingConfig } from '@hub/matching';
import { counterpartKinds, endOfChinaDay, industryField, industryNode } from '@hub/protocol';
import { searchTokens } from '@hub/search';
import type pg from 'pg';
import { inBatches, insertRows, type BenchData } from '../search/load.ts';

/**
 * The baseline's candidate store: one row per loaded listing with the columns the matcher filters on
 * and a `simple` tsvector over the same jieba search-mode tokens as the Meilisearch document's `terms`
 * (title, keywords, summary, industry names), GIN-indexed. Only published listings are loaded, so
 * "published" needs no column. Returns the fill and index times.
 */
export async function buildMatchFts(db: pg.Pool, data: BenchData, count: number) {
  await db.query(`CREATE TABLE match_fts (listing_id uuid PRIMARY KEY, organization_id uuid NOT NULL, side text NOT NULL, kind text NOT NULL,
    industries text[] NOT NULL, published_at timestamptz NOT NULL, valid_until timestamptz NOT NULL, tsv tsvector NOT NULL)`);
  const indexes = Array.from({ length: count }, (_, i) => i);
  let started = performance.now();
  await inBatches(indexes, async (batch) => {
    const rows = batch.map((i) => {
      const l = data.listings[i]!;
      const c = l.content;
      const industries = [...new Set(c.industries.flatMap((code) => [industryField(code), code]))];
      const industryNames = industries.map((code) => industryNode(code)?.name).filter((n): n is string => !!n);
      const tokens = searchTokens([c.title, c.keywords.join(' '), c.summary, industryNames.join(' ')].join('\n')).join(' ');
      return [data.listingIds[i], data.organizationIds[l.organizationIndex], l.side, c.kind, industries, l.publishedAt, endOfChinaDay(c.validUntil), tokens];
    });
    await insertRows(db, 'match_fts', ['listing_id', 'organization_id', 'side', 'kind', 'industries', 'published_at', 'valid_until', 'tsv'], rows,
      { tsv: `to_tsvector('simple', ?)` });
  });
  const fillMs = Math.round(performance.now() - started);
  started = performance.now();
  await db.query('CREATE INDEX match_fts_tsv_gin ON match_fts USING gin (tsv)');
  await db.query('CREATE INDEX match_fts_industries_gin ON match_fts USING gin (industries)');
  await db.query('CREATE INDEX match_fts_side_kind_published ON match_fts (side, kind, published_at DESC)');
  await db.query('ANALYZE match_fts');
  return { fillMs, indexMs: Math.round(performance.now() - started) };
}

/** A tsquery lexeme in quotes: to_tsquery reads nothing inside as an operator. */
const tsLexeme = (word: string) => `'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/**
 * The same candidate search as `meiliCandidates`, answered by Postgres full-text search: the same
 * short queries (`candidateQueries`), each as an OR of its words ranked by ts_rank_cd (normalised to
 * 0–1), `perQuery` hits each; plus the newest `perQuery` listings of the same industry fields;
 * the same filters (other side, answering kinds, not expired, another organisation). One round trip
 * (UNION ALL), like Meilisearch's one multi-search request.
 */
export function pgCandidates(db: pg.Pool, config: MatchingConfig = MATCHING): CandidateSource {
  return async (listing, now) => {
    const params: unknown[] = [
      listing.side === 'supply' ? 'demand' : 'supply',
      counterpartKinds(listing.kind),
      listing.organizationId,
      new Date(now),
    ];
    const filter = 'side = $1 AND kind = ANY($2::text[]) AND organization_id <> $3 AND valid_until > $4';
    const parts = candidateQueries(listing, config).map((q) => {
      const tsquery = q.split(' ').filter(Boolean).map(tsLexeme).join(' | ');
      const p = params.push(tsquery);
      return `(SELECT listing_id, ts_rank_cd(tsv, to_tsquery('simple', $${p}), 32) AS score FROM match_fts
        WHERE tsv @@ to_tsquery('simple', $${p}) AND ${filter} ORDER BY score DESC, published_at DESC LIMIT ${config.candidates.perQuery})`;
    });
    const fields = [...new Set(listing.industries.map(industryField))];
    if (fields.length) {
      const p = params.push(fields);
      parts.push(`(SELECT listing_id, 0::real AS score FROM match_fts WHERE industries && $${p}::text[] AND ${filter}
        ORDER BY published_at DESC LIMIT ${config.candidates.perQuery})`);
    }
    if (!parts.length) return [];
    const { rows } = await db.query<{ listing_id: string; score: number }>(
      `SELECT listing_id, max(score) AS score FROM (${parts.join(' UNION ALL ')}) hits GROUP BY listing_id ORDER BY score DESC`, params);
    return rows.map((r) => r.listing_id);
  };
}
