import { error } from '@sveltejs/kit';
import { ListingQueueQuery } from '@hub/protocol';
import { api } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, parent, url }) => {
  await parent();
  const parsed = ListingQueueQuery.shape.status.safeParse(url.searchParams.get('status') ?? 'pending');
  const status = parsed.success ? parsed.data : 'pending';
  const result = await api('listingQueue', { query: { status } }, fetch);
  if (!result.ok) error(result.status || 503, errorText(result.error));
  return { status, listings: result.data.listings };
}) satisfies PageLoad;
