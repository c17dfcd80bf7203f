import { session } from '#lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

// The app renders in the browser only: every call to /api and /socket.io then goes same-origin from
// the browser with the httpOnly session cookie, and shared state (session, socket) is per tab, never
// shared between requests on the server. The Node process only serves the shell and the assets.
export const ssr = false;

export const load = (async ({ fetch }) => {
  await session.load(fetch);
  return {};
}) satisfies LayoutLoad;
