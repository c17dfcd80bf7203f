import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../app.ts';
import { createContext, type HubContext } from '../context.ts';
import { ApiClient } from '../../test/client.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;
let client: ApiClient;

beforeAll(async () => {
  t = await startTestHub();
  client = new ApiClient(t.baseUrl);
});
afterAll(() => t.close());

describe('GET /healthz', () => {
  it('answers 200 while the process runs', async () => {
    const res = await client.get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('GET /readyz', () => {
  it('answers 200 with every dependency ok', async () => {
    const res = await client.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ready',
      failed: [],
      checks: { postgres: 'ok', redis: 'ok', meilisearch: 'ok', queue: 'ok' },
    });
  });

  describe('when Meilisearch does not answer', () => {
    let ctx: HubContext;
    let hub: Hub;
    let broken: ApiClient;

    beforeAll(async () => {
      // Same database and Redis as this file's hub; Meilisearch on a port nothing listens on.
      ctx = createContext(t.config, { ...t.urls, meiliUrl: 'http://127.0.0.1:1' }, pino({ level: 'silent' }));
      hub = createHub(ctx);
      await new Promise<void>((resolve) => hub.httpServer.listen(0, '127.0.0.1', resolve));
      broken = new ApiClient(`http://127.0.0.1:${(hub.httpServer.address() as AddressInfo).port}`);
    });
    afterAll(async () => {
      await hub?.close();
      await ctx?.close();
    });

    it('answers 503 naming only meilisearch as failed', async () => {
      const res = await broken.get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('unavailable');
      expect(res.body.failed).toEqual(['meilisearch']);
      expect(res.body.checks).toMatchObject({ postgres: 'ok', redis: 'ok', queue: 'ok' });
      expect(res.body.checks.meilisearch).toMatch(/^failed: /);
    });

    it('still answers /healthz with 200', async () => {
      expect((await broken.get('/healthz')).status).toBe(200);
    });
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with the request histogram and process metrics', async () => {
    await client.get('/healthz');
    const res = await fetch(`${t.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(/^http_request_duration_seconds_count\{[^}]*route="\/healthz"[^}]*\} \d+/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total\{[^}]*\} [\d.e+-]+$/m);
  });
});
