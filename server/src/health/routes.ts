import { searchIsHealthy } from '@hub/search';
import { Router } from 'express';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { HubContext } from '../context.ts';

// Generous enough for a first connection on a loaded machine; a probe that hangs longer is a failure.
const CHECK_TIMEOUT_MS = 5000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref()),
  ]);
}

/** Liveness, readiness (every dependency answers) and Prometheus metrics. */
export function healthRoutes(ctx: HubContext, registry: Registry): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks: Record<string, () => Promise<unknown>> = {
      postgres: () => ctx.db.$queryRaw`SELECT 1`,
      redis: () => ctx.redis.ping(),
      meilisearch: async () => {
        if (!(await searchIsHealthy(ctx.search))) throw new Error('not available');
      },
      queue: () => ctx.queue.getJobCounts('waiting'),
    };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check());
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, `failed: ${(error as Error).message}`] as const;
        }
      }),
    );
    const failed = results.filter(([, r]) => r !== 'ok').map(([name]) => name);
    res.status(failed.length ? 503 : 200).json({ status: failed.length ? 'unavailable' : 'ready', failed, checks: Object.fromEntries(results) });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}

export function createMetrics() {
  const registry = new Registry();
  registry.setDefaultLabels({ process: 'server' });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, httpDuration };
}
