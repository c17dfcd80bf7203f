import { API, ERROR_STATUS, type ErrorCode, type RouteSpec } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../test/client.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;

const ROUTES = Object.entries(API) as [string, RouteSpec][];
const FAKE_ID = '00000000-0000-4000-8000-000000000000';
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** The error codes a route answers with beyond those it lists itself: its access and its input. */
function impliedCodes(spec: RouteSpec): ErrorCode[] {
  const codes: ErrorCode[] = ['internal_error'];
  if (spec.access !== 'public') codes.push('unauthenticated');
  if (typeof spec.access === 'object' || spec.access === 'member' || spec.access === 'approved_member') codes.push('forbidden');
  if (spec.access === 'approved_member') codes.push('organization_not_approved');
  if (spec.body || spec.query || spec.params) codes.push('validation_failed');
  if (spec.body) codes.push('invalid_json', 'payload_too_large');
  return codes;
}

beforeAll(async () => {
  t = await startTestHub();
  const res = await new ApiClient(t.baseUrl).get('/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => t.close());

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1.0 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
  });

  it.each(ROUTES)('documents %s under its path, method and success status', (_name, spec) => {
    const operation = doc.paths[openApiPath(spec.path)]?.[spec.method];
    expect(operation, `${spec.method.toUpperCase()} ${openApiPath(spec.path)}`).toBeDefined();
    expect(operation.summary).toBe(spec.summary);
    expect(Object.keys(operation.responses)).toContain(String(spec.success.status));
    if (spec.params) expect(operation.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toContain('path:id');
    if (spec.body) expect(operation.requestBody.content['application/json'].schema).toBeDefined();
  });

  it.each(ROUTES)('documents every error code %s can answer with, under its status', (_name, spec) => {
    const { responses } = doc.paths[openApiPath(spec.path)][spec.method];
    for (const code of [...(spec.errors ?? []), ...impliedCodes(spec)]) {
      const response = responses[String(ERROR_STATUS[code])];
      expect(response, `${code} (${ERROR_STATUS[code]})`).toBeDefined();
      expect(response.description.replace(/^Error codes: /, '').split(', '), code).toContain(code);
      expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    }
  });

  it('documents no path the API does not declare', () => {
    const declared = new Set(ROUTES.map(([, s]) => `${s.method} ${openApiPath(s.path)}`));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m} ${path}`));
    expect(new Set(documented)).toEqual(declared);
  });

  it('includes the RegisterInput, Organization and Error schemas', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['RegisterInput', 'Organization', 'Error']));
    expect(doc.components.schemas.Error.required).toEqual(expect.arrayContaining(['error', 'message']));
    expect(doc.components.schemas.RegisterInput.required).toEqual(expect.arrayContaining(['organization', 'user']));
  });
});

describe('no drift between the document and the server', () => {
  const isFallback = (res: { status: number; body?: { error?: string; message?: string } }) =>
    res.status === 404 && res.body?.error === 'not_found' && res.body?.message === 'No such API route.';

  it('answers an undocumented /api path with the fallback 404', async () => {
    const client = new ApiClient(t.baseUrl);
    for (const res of [await client.get('/api/nope'), await client.post('/api/nope', {})]) {
      expect(isFallback(res)).toBe(true);
      expect(res.body.requestId).toEqual(expect.any(String));
    }
  });

  it.each(ROUTES)('implements %s', async (_name, spec) => {
    const client = new ApiClient(t.baseUrl);
    const path = spec.path.replace(/:(\w+)/g, FAKE_ID);
    const res = await client.request(spec.method.toUpperCase(), path, spec.method === 'get' ? undefined : {});
    expect(isFallback(res), `${spec.method.toUpperCase()} ${path} → ${res.status} ${JSON.stringify(res.body)}`).toBe(false);
    expect(res.status).toBeLessThan(500);
  });
});

describe('GET /api/docs', () => {
  it('serves an HTML page whose init script loads /api/openapi.json', async () => {
    const page = await fetch(`${t.baseUrl}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<script src="/api/docs/init.js"></script>');
    expect(html).toContain('/api/docs/assets/swagger-ui-bundle.js');

    const init = await fetch(`${t.baseUrl}/api/docs/init.js`);
    expect(init.status).toBe(200);
    expect(init.headers.get('content-type')).toMatch(/javascript/);
    expect(await init.text()).toContain("url: '/api/openapi.json'");
  });

  it('serves the Swagger UI bundle locally', async () => {
    const res = await fetch(`${t.baseUrl}/api/docs/assets/swagger-ui-bundle.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect((await res.text()).length).toBeGreaterThan(100_000);
  });
});
