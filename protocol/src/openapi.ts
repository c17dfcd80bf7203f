import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { API, type Access, type RouteSpec } from './api.ts';
import { ERROR_STATUS, ErrorBody, type ErrorCode } from './errors.ts';

function accessErrors(access: Access): ErrorCode[] {
  if (access === 'public') return [];
  if (access === 'user') return ['unauthenticated'];
  if (access === 'approved_member') return ['unauthenticated', 'forbidden', 'organization_not_approved'];
  return ['unauthenticated', 'forbidden'];
}

function accessText(access: Access): string {
  if (typeof access === 'string') return access.replace('_', ' ');
  return `staff: ${access.staff.join(', ')}`;
}

function errorResponses(spec: RouteSpec) {
  const codes = new Set<ErrorCode>([...accessErrors(spec.access), ...(spec.errors ?? []), 'internal_error']);
  if (spec.body || spec.query || spec.params) codes.add('validation_failed');
  if (spec.body) codes.add('invalid_json').add('payload_too_large');
  if (spec.method !== 'get') codes.add('cross_origin_refused');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      { description: `Error codes: ${list.join(', ')}`, content: { 'application/json': { schema: ErrorBody } } },
    ]),
  );
}

/** The OpenAPI 3.1 document, generated from `API` and the zod schemas. */
export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'hub_session' });
  for (const spec of Object.values(API) as RouteSpec[]) {
    const { body } = spec.success;
    registry.registerPath({
      method: spec.method,
      path: spec.path.replace(/:(\w+)/g, '{$1}'),
      summary: spec.summary,
      description: `Access: ${accessText(spec.access)}.`,
      tags: spec.tags,
      security: spec.access === 'public' ? [] : [{ session: [] }],
      request: {
        ...(spec.params ? { params: spec.params as never } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
        ...(spec.body ? { body: { content: { 'application/json': { schema: spec.body } } } } : {}),
      },
      responses: {
        [spec.success.status]: body
          ? { description: 'Success', content: { 'application/json': { schema: body } } }
          : { description: 'Success, no content' },
        ...errorResponses(spec),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Technology transfer hub API',
      version: '0.1.0',
      description: 'Every error answers `{ error, message, details?, requestId }` with a stable `error` code.',
    },
  });
}
