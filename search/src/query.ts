import type { ListingSearchHit, ListingSearchQuery, ListingSearchResult } from '@hub/protocol';
import type { SearchParams, SearchResponse } from 'meilisearch';
import type { SearchClient } from './client.ts';
import type { ListingDocument } from './documents.ts';
import { queryWords } from './segment.ts';
import { FACETS } from './settings.ts';

/**
 * Highlight tags Meilisearch puts around matches. Control characters: listing text cannot contain
 * them (the protocol refuses them), so they cannot be confused with the author's text, and we turn
 * them into <mark> only after escaping everything else.
 */
const PRE = '\u0001';
const POST = '\u0002';
/** Visible characters of the summary shown in a hit. */
const SUMMARY_CHARS = 120;

/** A filter value, quoted for Meilisearch's filter syntax (values are enum members or validated codes anyway). */
export const quote = (value: string | number | boolean) => `"${String(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
const anyOf = (attribute: string, values: readonly string[]) => `${attribute} IN [${values.map(quote).join(', ')}]`;

/** The Meilisearch filter for a validated query: built from its named fields only, never from raw text. */
export function buildFilter(query: ListingSearchQuery, now = Date.now()): string[] {
  const filter = ['status = "published"', `validUntilTs > ${now}`];
  if (query.side) filter.push(`side = ${quote(query.side)}`);
  if (query.kind?.length) filter.push(anyOf('kind', query.kind));
  if (query.industry?.length) filter.push(anyOf('industries', query.industry));
  if (query.province) filter.push(`provinceCode = ${quote(query.province)}`);
  if (query.city) filter.push(`cityCode = ${quote(query.city)}`);
  if (query.maturity?.length) filter.push(anyOf('maturity', query.maturity));
  if (query.mode?.length) filter.push(anyOf('modes', query.mode));
  if (query.orgType?.length) filter.push(anyOf('organizationType', query.orgType));
  if (query.priceMin !== undefined || query.priceMax !== undefined) {
    // Ranges overlap when each starts before the other ends; 面议 (negotiable) always may.
    const overlap = [
      query.priceMin !== undefined ? `priceMax >= ${Math.trunc(query.priceMin)}` : undefined,
      query.priceMax !== undefined ? `priceMin <= ${Math.trunc(query.priceMax)}` : undefined,
    ].filter(Boolean);
    filter.push(`(negotiable = true OR (${overlap.join(' AND ')}))`);
  }
  return filter;
}

const SORT: Record<ListingSearchQuery['sort'], string[] | undefined> = {
  relevance: undefined,
  newest: ['publishedAt:desc'],
  price_asc: ['priceMin:asc'],
  price_desc: ['priceMax:desc'],
};

/**
 * Searches published, unexpired listings. The query text is segmented with jieba (锂电池热失控 →
 * 锂电池 热 失控) and stripped of Meilisearch's query syntax, so any input is plain text.
 *
 * matchingStrategy `frequency`: hits with every word come first; when there are too few, Meilisearch
 * drops the most common word first. `last` (the default) drops words from the end and always requires
 * the first one, which suits English typed left to right but not segmented Chinese, whose word order
 * says nothing about importance (a leading 基于/一种 would become mandatory). `all` returns nothing for
 * a long natural-language query as soon as one word is missing.
 */
export async function searchListings(client: SearchClient, indexUid: string, query: ListingSearchQuery): Promise<ListingSearchResult> {
  const started = performance.now();
  const q = queryWords(query.q);
  const params = {
    filter: buildFilter(query),
    sort: SORT[query.sort],
    facets: Object.values(FACETS),
    page: query.page,
    hitsPerPage: query.pageSize,
    matchingStrategy: 'frequency',
    attributesToHighlight: ['title', 'summary'],
    highlightPreTag: PRE,
    highlightPostTag: POST,
  } satisfies SearchParams;
  // Each active facet group also gets counts computed without its own filter (one request in all),
  // so ticking 科技成果 still shows how many 技术服务 there are: the usual disjunctive facets.
  const active = (Object.keys(FACETS) as (keyof typeof FACETS)[]).filter((name) => query[name] !== undefined);
  const { results } = await client.multiSearch({
    queries: [
      { indexUid, q, ...params },
      ...active.map((name) => ({
        indexUid,
        q,
        filter: buildFilter({ ...query, [name]: undefined }),
        facets: [FACETS[name]],
        hitsPerPage: 0,
        matchingStrategy: 'frequency' as const,
      })),
    ],
  });
  const [result, ...others] = results as unknown as Array<SearchResponse<ListingDocument>>;
  const words = q.split(' ').filter(Boolean);
  const facets: Record<string, Record<string, number>> = {};
  for (const [name, attribute] of Object.entries(FACETS)) facets[name] = result!.facetDistribution?.[attribute] ?? {};
  active.forEach((name, i) => {
    facets[name] = others[i]?.facetDistribution?.[FACETS[name]] ?? {};
  });
  return {
    hits: result!.hits.map((hit) => presentHit(hit, hit._formatted ?? {}, words)),
    total: result!.totalHits ?? 0,
    page: query.page,
    pageSize: query.pageSize,
    facets,
    tookMs: Math.round(performance.now() - started),
  };
}

function presentHit(doc: ListingDocument, formatted: Partial<Record<keyof ListingDocument, unknown>>, words: string[]): ListingSearchHit {
  return {
    id: doc.id,
    side: doc.side,
    kind: doc.kind,
    title: doc.title,
    summary: doc.summary,
    industries: doc.industryCodes,
    keywords: doc.keywords,
    provinceCode: doc.provinceCode,
    cityCode: doc.cityCode,
    maturity: doc.maturity,
    modes: doc.modes,
    price: doc.negotiable ? { mode: 'negotiable', min: null, max: null } : { mode: 'range', min: doc.priceMin, max: doc.priceMax },
    publishedAt: new Date(doc.publishedAt).toISOString(),
    validUntil: doc.validUntil,
    organization: { id: doc.organizationId, name: doc.organizationName, type: doc.organizationType },
    highlight: {
      title: renderHighlight(String(formatted.title ?? doc.title), words),
      summary: renderHighlight(String(formatted.summary ?? doc.summary), words, SUMMARY_CHARS),
    },
  };
}

interface Segment {
  text: string;
  marked: boolean;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Splits Meilisearch's highlighted text at its tags. */
function parseHighlight(formatted: string): Segment[] {
  const segments: Segment[] = [];
  for (const [i, part] of formatted.split(new RegExp(`[${PRE}${POST}]`)).entries()) {
    if (part) segments.push({ text: part, marked: i % 2 === 1 });
  }
  return segments;
}

/**
 * Also marks query words found inside longer words: Meilisearch matched 电池 in `terms`, but its
 * highlighter does not mark the 电池 inside the title's 锂电池.
 */
function markWords(segments: Segment[], words: string[]): Segment[] {
  const needles = [...new Set(words.map((w) => w.toLowerCase()))].sort((a, b) => b.length - a.length);
  if (!needles.length) return segments;
  // Latin words match whole (ai must not light up inside maintain); Chinese has no word boundaries to respect.
  const source = (w: string) => {
    const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return /^[a-z0-9]+$/.test(w) ? `(?<![a-z0-9])${escaped}(?![a-z0-9])` : escaped;
  };
  const pattern = new RegExp(needles.map(source).join('|'), 'giu');
  return segments.flatMap((segment) => {
    if (segment.marked) return [segment];
    const out: Segment[] = [];
    let last = 0;
    for (const match of segment.text.matchAll(pattern)) {
      if (match.index > last) out.push({ text: segment.text.slice(last, match.index), marked: false });
      out.push({ text: match[0], marked: true });
      last = match.index + match[0].length;
    }
    if (last < segment.text.length) out.push({ text: segment.text.slice(last), marked: false });
    return out;
  });
}

/** Keeps about `limit` visible characters, starting a little before the first match. */
function crop(segments: Segment[], limit: number): Segment[] {
  const length = segments.reduce((n, s) => n + s.text.length, 0);
  if (length <= limit) return segments;
  let firstMark = 0;
  for (const s of segments) {
    if (s.marked) break;
    firstMark += s.text.length;
  }
  if (firstMark >= length) firstMark = 0;
  const start = Math.max(0, Math.min(firstMark - 20, length - limit));
  const end = start + limit;
  const out: Segment[] = [];
  let offset = 0;
  for (const s of segments) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + s.text.length);
    if (from < to) out.push({ text: s.text.slice(from - offset, to - offset), marked: s.marked });
    offset += s.text.length;
  }
  if (start > 0) out.unshift({ text: '…', marked: false });
  if (end < length) out.push({ text: '…', marked: false });
  return out;
}

/** Escapes the author's text and wraps matches in <mark>: the only raw HTML in the result is ours. */
export function renderHighlight(formatted: string, words: string[], limit?: number): string {
  let segments = markWords(parseHighlight(formatted), words);
  if (limit) segments = crop(segments, limit);
  return segments.map((s) => (s.marked ? `<mark>${escapeHtml(s.text)}</mark>` : escapeHtml(s.text))).join('');
}
