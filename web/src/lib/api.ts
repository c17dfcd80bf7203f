import { API, ErrorBody, type ErrorCode, type RouteBody, type RouteName, type RouteSpec, z } from '@hub/protocol';

type Spec<N extends RouteName> = (typeof API)[N];
type Part<S, K extends 'params' | 'query' | 'body'> = S extends { [P in K]: infer Schema extends z.ZodType }
  ? { [P in K]: z.input<Schema> }
  : { [P in K]?: never };

/** What a call to route N takes: its params, query and body, typed from the protocol's schemas. */
export type RouteInput<N extends RouteName> = Part<Spec<N>, 'params'> & Part<Spec<N>, 'query'> & Part<Spec<N>, 'body'>;

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ErrorBody };

const FALLBACK_CODE: Record<number, ErrorCode> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'review_conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'service_unavailable',
};

let onUnauthenticated: (() => void) | undefined;

/** Called when any route other than the session check answers 401 `unauthenticated` (the session ended). */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/**
 * Calls one route of the API (same origin, session cookie). Never throws: a network failure is
 * reported as `service_unavailable` with status 0.
 */
export async function api<N extends RouteName>(
  name: N,
  input: RouteInput<N>,
  fetchFn: typeof fetch = fetch,
): Promise<ApiResult<RouteBody<N>>> {
  const spec: RouteSpec = API[name];
  const { params, query, body } = input as { params?: Record<string, string>; query?: Record<string, string>; body?: unknown };
  let url = spec.path.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(params?.[key] ?? ''));
  if (query) {
    const search = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined));
    if (search.size > 0) url += `?${search}`;
  }
  let response: Response;
  try {
    response = await fetchFn(url, {
      method: spec.method.toUpperCase(),
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, error: { error: 'service_unavailable', message: 'network error' } };
  }
  const json: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (response.ok) return { ok: true, status: response.status, data: json as RouteBody<N> };

  const parsed = ErrorBody.safeParse(json);
  const error: ErrorBody = parsed.success
    ? parsed.data
    : { error: FALLBACK_CODE[response.status] ?? 'internal_error', message: response.statusText };
  if (response.status === 401 && error.error === 'unauthenticated' && name !== 'session') onUnauthenticated?.();
  return { ok: false, status: response.status, error };
}
