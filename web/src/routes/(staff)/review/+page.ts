import { error } from '@sveltejs/kit';
import { OrganizationStatus } from '@hub/protocol';
import { api } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, parent, url }) => {
  await parent();
  const parsed = OrganizationStatus.safeParse(url.searchParams.get('status') ?? 'pending');
  const status = parsed.success ? parsed.data : 'pending';
  const result = await api('reviewQueue', { query: { status } }, fetch);
  if (!result.ok) error(result.status || 503, errorText(result.error));
  return { status, organizations: result.data.organizations };
}) satisfies PageLoad;
