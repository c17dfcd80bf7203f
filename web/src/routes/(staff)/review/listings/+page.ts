import { ListingQueueQuery } from '@hub/protocol';
import { loadOrError } from '#lib/load.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, parent, url }) => {
  await parent();
  const parsed = ListingQueueQuery.shape.status.safeParse(url.searchParams.get('status') ?? 'pending');
  const status = parsed.success ? parsed.data : 'pending';
  const data = await loadOrError('listingQueue', { query: { status } }, fetch);
  return { status, listings: data.listings };
}) satisfies PageLoad;
