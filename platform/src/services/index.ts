/**
 * Where Postgres, Redis and Meilisearch come from: explicit URLs from the configuration, or embedded
 * processes that `npm start` (and the test setup) run on this machine.
 */
export { PrerequisiteError } from './errors.ts';
export { assertPortFree, freePort, isListening } from './ports.ts';
export { startEmbeddedPostgres, type EmbeddedPostgresOptions } from './postgres.ts';
export { startRedisServer, redisCommand, type EmbeddedService, type RedisServerOptions } from './redis.ts';
export { startMeilisearch, sha256File, MEILISEARCH_SHA256, type EmbeddedMeilisearch, type MeilisearchOptions } from './meilisearch.ts';
export { resolveServices, redact, type ResolvedServices } from './resolve.ts';
export { reapLeftover } from './process.ts';
export { recordRunningServices, forgetRunningServices, serviceUrlsForCommand } from './running.ts';
