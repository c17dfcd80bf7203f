import type { ListingSearchQuery } from '@hub/protocol';

/** The search page's state lives in the URL (shareable): these are its parameters, as the API names them. */
export const LIST_PARAMS = ['kind', 'industry', 'maturity', 'mode', 'orgType'] as const;
export type ListParam = (typeof LIST_PARAMS)[number];
export const PAGE_SIZE = 20;

export interface SearchState {
  q: string;
  side: string;
  province: string;
  sort: ListingSearchQuery['sort'];
  page: number;
  lists: Record<ListParam, string[]>;
}

const SORTS: readonly ListingSearchQuery['sort'][] = ['relevance', 'newest', 'price_asc', 'price_desc'];

/** Reads the page's URL (unknown parameters are ignored, odd values fall back to defaults). */
export function readSearch(params: { get(name: string): string | null }): SearchState {
  const sort = params.get('sort') as ListingSearchQuery['sort'] | null;
  const page = Number(params.get('page'));
  return {
    q: params.get('q') ?? '',
    side: params.get('side') ?? '',
    province: params.get('province') ?? '',
    sort: sort && SORTS.includes(sort) ? sort : 'relevance',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    lists: Object.fromEntries(LIST_PARAMS.map((key) => [key, (params.get(key) ?? '').split(',').filter(Boolean)])) as Record<ListParam, string[]>,
  };
}

/** The URL query for a state: defaults and empty values are left out, so links stay short. */
export function writeSearch(state: SearchState): URLSearchParams {
  const out = new URLSearchParams();
  if (state.q.trim()) out.set('q', state.q.trim());
  if (state.side) out.set('side', state.side);
  for (const key of LIST_PARAMS) if (state.lists[key].length) out.set(key, state.lists[key].join(','));
  if (state.province) out.set('province', state.province);
  if (state.sort !== 'relevance') out.set('sort', state.sort);
  if (state.page > 1) out.set('page', String(state.page));
  return out;
}

/** The API query (strings, as they go on the wire) for a state. */
export function apiQuery(state: SearchState): Record<string, string> {
  const query: Record<string, string> = Object.fromEntries(writeSearch(state));
  query.pageSize = String(PAGE_SIZE);
  return query;
}

export const hasFilters = (state: SearchState) => Boolean(state.side || state.province || LIST_PARAMS.some((key) => state.lists[key].length));

