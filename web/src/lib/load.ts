import type { RouteBody, RouteName } from '@hub/protocol';
import { error } from '@sveltejs/kit';
import { api, type RouteInput } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';

/** For load functions: the route's answer, or SvelteKit's error page with the API's message. */
export async function loadOrError<N extends RouteName>(name: N, input: RouteInput<N>, fetchFn: typeof fetch): Promise<RouteBody<N>> {
  const result = await api(name, input, fetchFn);
  if (!result.ok) error(result.status || 503, errorText(result.error));
  return result.data;
}
