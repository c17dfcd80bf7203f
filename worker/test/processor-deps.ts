import { CheckpointStore, createDb, evidenceDirOf } from '@hub/db';
import { MatchPusher } from '@hub/matching';
import type { Config, ServiceUrls } from '@hub/platform';
import { QUEUE, type Broadcaster } from '@hub/protocol';
import { applySettings, createSearchClient, indexName, type SearchTarget } from '@hub/search';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { ProcessorDeps } from '../src/processors/index.ts';

export interface Emitted {
  rooms: string[];
  event: string;
  payload: unknown;
}

/**
 * The deps the worker hands its processors (built as worker.ts builds them), on this test file's
 * database, Redis prefix and index, with a broadcast that records what would reach the sockets.
 */
export async function realProcessorDeps(config: Config, urls: ServiceUrls) {
  const db = createDb(urls.databaseUrl, { max: 5 });
  const redis = new Redis(urls.redisUrl, { maxRetriesPerRequest: null });
  const prefix = `${config.REDIS_PREFIX}:bull`;
  const connections = [redis, redis.duplicate()];
  const queue = new Queue(QUEUE, { connection: connections[1]!, prefix });
  const search: SearchTarget = { client: createSearchClient(urls.meiliUrl, urls.meiliMasterKey), indexUid: indexName(config.MEILI_INDEX_PREFIX) };
  await applySettings(search.client, search.indexUid);
  const emitted: Emitted[] = [];
  const broadcast: Broadcaster = {
    to: (room, event, ...args) => void emitted.push({ rooms: [room].flat(), event, payload: args[0] }),
    toExcept: (room, _except, event, ...args) => void emitted.push({ rooms: [room].flat(), event, payload: args[0] }),
  };
  const matches = new MatchPusher({ db, redis, redisPrefix: config.REDIS_PREFIX, broadcast, queue, pushesPerMinute: config.MATCH_PUSHES_PER_MINUTE });
  const checkpoints = new CheckpointStore(evidenceDirOf(config), redis, config.REDIS_PREFIX);
  const deps: ProcessorDeps = { db, broadcast, queue, bull: queue, matches, search, checkpoints };
  return {
    config,
    deps,
    db,
    redis,
    queue,
    search,
    emitted,
    /** Closes the connections and removes this file's Redis keys and index. */
    async close() {
      await queue.close();
      const keys = await redis.keys(`${config.REDIS_PREFIX}:*`);
      if (keys.length) await redis.del(...keys);
      for (const connection of connections) connection.disconnect();
      await search.client.deleteIndex(search.indexUid).catch(() => undefined);
      await db.$disconnect();
    },
  };
}
