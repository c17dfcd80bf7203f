import path from 'node:path';
import type { Logger } from 'pino';
import type { Config, ServiceUrls } from '../config.ts';
import { startMeilisearch } from './meilisearch.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import { startRedisServer, type EmbeddedService } from './redis.ts';

export interface ResolvedServices {
  urls: ServiceUrls;
  /** Which services run embedded in this process ("postgres", "redis", "meilisearch"). */
  embedded: string[];
  /** Stops the embedded services (explicit URLs are left alone); safe to call twice. */
  stop: () => Promise<void>;
}

/**
 * Decides, once for the whole hub, where Postgres, Redis and Meilisearch are: an explicit
 * DATABASE_URL / REDIS_URL / MEILI_URL (+MEILI_MASTER_KEY) wins; otherwise the service is started
 * embedded under DATA_DIR on its EMBEDDED_*_PORT. Embedded services start in parallel; if one fails,
 * the others are stopped before the error is rethrown.
 */
export async function resolveServices(config: Config, log: Logger): Promise<ResolvedServices> {
  const dataDir = path.resolve(config.DATA_DIR);
  const started: Array<{ name: string; service: EmbeddedService }> = [];
  const track = async <T extends EmbeddedService>(name: string, start: Promise<T>): Promise<T> => {
    const began = Date.now();
    const service = await start;
    started.push({ name, service });
    log.info({ service: name, url: redact(service.url), ms: Date.now() - began }, `embedded ${name} is up`);
    return service;
  };
  const stop = async () => {
    await Promise.all(started.map(({ service }) => service.stop()));
  };

  const results = await Promise.allSettled([
    config.DATABASE_URL
      ? Promise.resolve({ url: config.DATABASE_URL })
      : track('postgres', startEmbeddedPostgres({ dir: path.join(dataDir, 'postgres'), port: config.EMBEDDED_POSTGRES_PORT, log })),
    config.REDIS_URL
      ? Promise.resolve({ url: config.REDIS_URL })
      : track('redis', startRedisServer({ dir: path.join(dataDir, 'redis'), port: config.EMBEDDED_REDIS_PORT, log })),
    config.MEILI_URL
      ? Promise.resolve({ url: config.MEILI_URL, masterKey: config.MEILI_MASTER_KEY! })
      : track('meilisearch', startMeilisearch({ dir: path.join(dataDir, 'meili'), port: config.EMBEDDED_MEILI_PORT, log })),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const [database, redis, meili] = results.map((r) => (r as PromiseFulfilledResult<{ url: string; masterKey?: string }>).value);
  return {
    urls: { databaseUrl: database!.url, redisUrl: redis!.url, meiliUrl: meili!.url, meiliMasterKey: meili!.masterKey! },
    embedded: started.map(({ name }) => name),
    stop,
  };
}

/** A URL fit for a log line: the password replaced. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
