import { loadOrError } from '#lib/load.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, params, parent }) => {
  await parent();
  const data = await loadOrError('manageListing', { params: { id: params.id } }, fetch);
  return { listing: data };
}) satisfies PageLoad;
