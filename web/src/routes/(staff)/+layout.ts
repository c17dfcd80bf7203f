import { redirect } from '@sveltejs/kit';
import { session } from '#lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

/** The review console: reviewers and admins only. */
export const load = (async ({ parent, url }) => {
  await parent();
  if (!session.user) redirect(307, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (!session.isReviewer) redirect(307, session.home);
  return {};
}) satisfies LayoutLoad;
