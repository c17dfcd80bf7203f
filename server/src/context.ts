import { CheckpointStore, createDb, evidenceDirOf, type Db } from '@hub/db';
import { createLogger, type Config, type Logger, type ServiceUrls } from '@hub/platform';
import { QUEUE } from '@hub/protocol';
import { createSearchClient, type SearchClient } from '@hub/search';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** The long-lived connections a server process holds, created once and passed to every service. */
export interface HubContext {
  config: Config;
  log: Logger;
  db: Db;
  redis: Redis;
  queue: Queue;
  search: SearchClient;
  /** The evidence chains' signed checkpoints (written by the worker), that verification holds them against. */
  checkpoints: CheckpointStore;
  close(): Promise<void>;
}

export function createContext(config: Config, urls: ServiceUrls, log: Logger = createLogger('server')): HubContext {
  const db = createDb(urls.databaseUrl);
  const redis = new Redis(urls.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis connection error'));
  const queue = new Queue(QUEUE, { connection: redis.duplicate(), prefix: `${config.REDIS_PREFIX}:bull` });
  const search = createSearchClient(urls.meiliUrl, urls.meiliMasterKey);
  return {
    config,
    log,
    db,
    redis,
    queue,
    search,
    checkpoints: new CheckpointStore(evidenceDirOf(config), redis, config.REDIS_PREFIX),
    async close() {
      await queue.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
