import { redirect } from '@sveltejs/kit';
import { session } from '#lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

/**
 * Pages for the parties and for staff alike: negotiation rooms (对接洽谈). Members see their
 * organisation's rooms and negotiate in them; staff (who have no organisation) see every room and
 * observe. Anyone else is sent to sign in, or home.
 */
export const load = (async ({ parent, url }) => {
  await parent();
  if (!session.user) redirect(307, `/login?next=${encodeURIComponent(url.pathname)}`);
  if (!session.organization && !session.isStaff) redirect(307, session.home);
  return {};
}) satisfies LayoutLoad;
