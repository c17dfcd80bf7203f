import { OrganizationStatus } from '@hub/protocol';
import { loadOrError } from '#lib/load.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, parent, url }) => {
  await parent();
  const parsed = OrganizationStatus.safeParse(url.searchParams.get('status') ?? 'pending');
  const status = parsed.success ? parsed.data : 'pending';
  const data = await loadOrError('reviewQueue', { query: { status } }, fetch);
  return { status, organizations: data.organizations };
}) satisfies PageLoad;
