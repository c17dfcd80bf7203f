import { loadOrError } from '#lib/load.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, parent }) => {
  await parent();
  const console = await loadOrError('matchConsole', {}, fetch);
  return { console };
}) satisfies PageLoad;
