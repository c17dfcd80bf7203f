import { error } from '@sveltejs/kit';
import { api } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import type { PageLoad } from './$types';

export const load = (async ({ fetch, params, parent }) => {
  await parent();
  const result = await api('manageListing', { params: { id: params.id } }, fetch);
  if (!result.ok) error(result.status || 503, errorText(result.error));
  return { listing: result.data };
}) satisfies PageLoad;
