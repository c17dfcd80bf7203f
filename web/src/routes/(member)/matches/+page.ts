import { MatchInboxQuery } from '@hub/protocol';
import type { PageLoad } from './$types';

/**
 * The tab comes from the URL; the matches themselves are fetched by the page, so it can show its
 * own loading state, refetch after a digest or a reconnection, and keep live pushes in order.
 */
export const load = (async ({ parent, url }) => {
  await parent();
  const parsed = MatchInboxQuery.shape.status.safeParse(url.searchParams.get('status') ?? 'active');
  return { status: parsed.success ? parsed.data : ('active' as const) };
}) satisfies PageLoad;
