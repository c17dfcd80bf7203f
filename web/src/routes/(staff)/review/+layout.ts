import { redirect } from '@sveltejs/kit';
import { session } from '#lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

/** The review console: reviewers and admins only (moderators work the match console and live sessions). */
export const load = (async ({ parent }) => {
  await parent();
  if (!session.isReviewer) redirect(307, session.home);
  return {};
}) satisfies LayoutLoad;
