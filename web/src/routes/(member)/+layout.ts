import { redirect } from '@sveltejs/kit';
import { session } from '#lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

/** Member pages: signed in, with an organisation (of any review status). */
export const load = (async ({ parent, url }) => {
  await parent();
  if (!session.user) redirect(307, `/login?next=${encodeURIComponent(url.pathname)}`);
  if (!session.organization) redirect(307, session.home);
  return {};
}) satisfies LayoutLoad;
