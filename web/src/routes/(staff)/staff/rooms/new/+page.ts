import { redirect } from '@sveltejs/kit';
import { session } from '#lib/session.svelte.ts';
import type { PageLoad } from './$types';

/** Opening a room for two organisations is for moderators and admins (reviewers only review). */
export const load = (async ({ parent }) => {
  await parent();
  const role = session.user?.staffRole;
  if (role !== 'moderator' && role !== 'admin') redirect(307, session.home);
  return {};
}) satisfies PageLoad;
