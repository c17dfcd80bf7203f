import { redirect } from '@sveltejs/kit';
import { session } from '#lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

/** Staff pages: any staff role (the review console narrows this to reviewers, see review/+layout.ts). */
export const load = (async ({ parent, url }) => {
  await parent();
  if (!session.user) redirect(307, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (!session.isStaff) redirect(307, session.home);
  return {};
}) satisfies LayoutLoad;
