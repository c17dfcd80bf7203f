import type { Settings } from 'meilisearch';
import type { SearchClient } from './client.ts';
import synonymData from './synonyms.json' with { type: 'json' };
import { settled } from './tasks.ts';

/** The live listings index of one deployment (or one test file): `${prefix}_listings`. */
export const indexName = (prefix: string) => `${prefix}_listings`;

/** Where listing documents go: a client and the uid of the index it writes to. */
export interface SearchTarget {
  client: SearchClient;
  indexUid: string;
}

/** The domain's synonym groups (data, extended by staff): search expands them, the matcher treats a group as one term. */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = synonymData.groups;

/** Every word of a group finds the others (Meilisearch wants the mutual map spelled out). */
export function synonymMap(groups: readonly (readonly string[])[] = SYNONYM_GROUPS): Record<string, string[]> {
  const map: Record<string, string[]> = {};
  for (const group of groups) {
    const words = group.map((w) => w.toLowerCase());
    for (const word of words) map[word] = [...new Set([...(map[word] ?? []), ...words.filter((w) => w !== word)])];
  }
  return map;
}

/** Facets shown next to results, by the query parameter that filters on them. */
export const FACETS = {
  side: 'side',
  kind: 'kind',
  industry: 'industries',
  province: 'provinceCode',
  maturity: 'maturity',
  mode: 'modes',
  orgType: 'organizationType',
} as const;

/** The listings index settings; applying them twice changes nothing. */
export const LISTING_INDEX_SETTINGS = {
  // Order is importance (the `attribute` ranking rule): a match in the title beats one in the summary.
  // `terms` sits right after the author's own words: it holds the sub-words (电池 inside 锂电池) that
  // Meilisearch's segmenter cannot find on its own, so it must rank above the long summary text.
  searchableAttributes: ['title', 'keywords', 'terms', 'summary', 'industryNames', 'organizationName', 'regionName'],
  // `terms` is for matching only; the rest is what a hit shows (never `details`: documents do not carry it).
  displayedAttributes: [
    'id', 'side', 'kind', 'title', 'summary', 'keywords', 'industries', 'industryCodes', 'industryNames', 'provinceCode', 'cityCode',
    'regionName', 'maturity', 'trl', 'modes', 'priceMin', 'priceMax', 'negotiable', 'organizationId', 'organizationName',
    'organizationType', 'status', 'publishedAt', 'validUntil', 'validUntilTs', 'revision',
  ],
  filterableAttributes: [
    'side', 'kind', 'industries', 'provinceCode', 'cityCode', 'maturity', 'modes', 'priceMin', 'priceMax', 'negotiable',
    'organizationType', 'organizationId', 'status', 'validUntilTs',
  ],
  sortableAttributes: ['publishedAt', 'priceMin', 'priceMax'],
  // Meilisearch's defaults, then newer first among equally relevant hits.
  rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness', 'publishedAt:desc'],
  // Short strings of Han characters are sometimes detected as Japanese and segmented by the Japanese
  // dictionary; the listings are Chinese (and English words are segmented the same under any locale).
  localizedAttributes: [{ attributePatterns: ['*'], locales: ['cmn'] }],
  typoTolerance: {
    enabled: true,
    // A typo is allowed only in words of 5+ characters (two in 9+). Chinese words are nearly all 2–4
    // characters, and one different character there is a different word (电池 vs 电驰 vs 电站), so they
    // must match exactly; Latin-script terms (graphene, lidar, MOSFET) keep their typo tolerance.
    minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 },
    // Model, standard and patent numbers (18650, GB/T 2260) must match exactly.
    disableOnNumbers: true,
  },
  synonyms: synonymMap(),
  // Enough for every industry node (~90) and province (34) in one facet list.
  faceting: { maxValuesPerFacet: 200, sortFacetValuesBy: { '*': 'count' } },
  // Deep paging is not a use case; 10,000 hits is 500 pages of 20.
  pagination: { maxTotalHits: 10_000 },
} satisfies Settings;

/** Creates the index if it is missing and applies the settings; waits until Meilisearch has done both. */
export async function applySettings(client: SearchClient, indexUid: string): Promise<void> {
  await ensureIndex(client, indexUid);
  await settled(client.index(indexUid).updateSettings(LISTING_INDEX_SETTINGS), 'apply listing index settings', 600_000);
}

/** Creates an empty index with `id` as its primary key unless it exists. */
export async function ensureIndex(client: SearchClient, indexUid: string): Promise<void> {
  const exists = await client.getIndex(indexUid).then(() => true, (error: { cause?: { code?: string } }) => {
    if (error.cause?.code === 'index_not_found') return false;
    throw error;
  });
  if (!exists) {
    // Two processes may race here: a second create fails with index_already_exists, which is fine.
    await settled(client.createIndex(indexUid, { primaryKey: 'id' }), `create index ${indexUid}`, 60_000, ['index_already_exists']);
  }
}
