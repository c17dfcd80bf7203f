import { loadOrError } from '#lib/load.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, params, parent }) => {
  await parent();
  const match = await loadOrError('match', { params: { id: params.id } }, fetch);
  return { match };
}) satisfies PageLoad;
