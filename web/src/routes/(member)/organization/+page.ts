import { loadOrError } from '#lib/load.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, parent }) => {
  await parent();
  const data = await loadOrError('myOrganization', {}, fetch);
  return { organization: data };
}) satisfies PageLoad;
