import { error } from '@sveltejs/kit';
import { api } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, params }) => {
  const result = await api('publicListing', { params: { id: params.id } }, fetch);
  // Not published (any more): the page says so itself, with a way back to search.
  if (!result.ok && result.status === 404) return { listing: null };
  if (!result.ok) error(result.status || 503, errorText(result.error));
  return { listing: result.data };
}) satisfies PageLoad;
