/**
 * Search benchmark (issue 4): N generated listings in a fresh Postgres, reindexed into a Meilisearch
 * of our own; a mixed query set answered through the real API, by Meilisearch directly, and by two
 * Postgres full-text baselines built in the same run. `npm run bench:search -- --listings 100000 --rounds 5`
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createDb } from '@hub/db';
import { loadConfig, type Config } from '@hub/platform';
import { ListingSearchQuery } from '@hub/protocol';
import { createSearchClient, indexName, progressReporter, reindex, searchListings } from '@hub/search';
import pg from 'pg';
import { pino } from 'pino';
import { createHub } from '../../server/src/app.ts';
import { createContext } from '../../server/src/context.ts';
import { buildFts, buildTrgm, checkTrgm, queryFts, queryTrgm, type BaselineAnswer } from './baselines.ts';
import { generate, loadPostgres } from './load.ts';
import { QUERIES } from './queries.ts';
import { runBench, startStack } from './stack.ts';
import { ratio, summarize, type Summary } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    listings: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
  },
});
const LISTINGS = Number(args.listings);
const ROUNDS = Number(args.rounds);
if (!Number.isInteger(LISTINGS) || LISTINGS < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: bench/search/run.ts [--listings 100000] [--rounds 5]');
  process.exit(2);
}

const say = (line: string) => console.log(line);
const ms = (n: number) => `${(n / 1000).toFixed(1)} s`;
const config = loadConfig();
const log = pino({ level: 'warn', name: 'bench' });
const stack = await startStack(config, log, say);

await runBench(stack, 'bench:search', main, say, 'database dropped, Meilisearch stopped and removed, Redis keys deleted');

async function main() {
  say(`search benchmark: ${LISTINGS} listings, ${ROUNDS} round(s) of ${QUERIES.length} queries`);
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
  stack.onCleanup(() => pool.end());

  // Data.
  let started = performance.now();
  const data = generate(LISTINGS);
  const generateMs = performance.now() - started;
  say(`generated ${LISTINGS} listings from ${data.organizations.length} organisations in ${ms(generateMs)}`);
  started = performance.now();
  const loaded = await loadPostgres(pool, data);
  const loadMs = performance.now() - started;
  say(`loaded into Postgres in ${ms(loadMs)} (${Math.round(LISTINGS / (loadMs / 1000))} listings/s): ${loaded.organizations} organisations, 1 user, ${loaded.listings} listings + published versions, ${loaded.linked} linked`);

  // Indexing throughput: the production reindex (Prisma read → documents with jieba terms → Meilisearch).
  const db = createDb(stack.databaseUrl, { max: 2 });
  stack.onCleanup(() => db.$disconnect());
  const search = createSearchClient(stack.meili.url, stack.meili.masterKey);
  const progress = progressReporter();
  started = performance.now();
  const indexed = await reindex(db, search, stack.prefix, progress.update);
  const reindexWallMs = performance.now() - started;
  progress.stop();
  say(`reindex: ${indexed.indexed} listings in ${ms(indexed.ms)} = ${Math.round(indexed.perSecond)} listings/s ` +
    `(wall time with swap, delete and reconcile: ${ms(reindexWallMs)})`);
  const stats = await search.index(indexName(stack.prefix)).getStats();
  if (stats.numberOfDocuments !== LISTINGS) throw new Error(`the index holds ${stats.numberOfDocuments} documents, expected ${LISTINGS}`);

  // Postgres baselines.
  say('building Postgres baselines…');
  const fts = await buildFts(pool, data);
  say(`(a) jieba + simple tsvector: table filled in ${ms(fts.fillMs)} (segmenting in Node included), indexes in ${ms(fts.totalIndexMs)} ` +
    `(tsv GIN ${ms(fts.indexMs.listing_fts_tsv_gin ?? 0)})`);
  const trgm = await buildTrgm(pool);
  say(`(b) pg_trgm: table filled in ${ms(trgm.fillMs)}, indexes in ${ms(trgm.totalIndexMs)} (trigram GIN ${ms(trgm.indexMs.listing_trgm_doc_gin ?? 0)})`);
  const trgmCheck = await checkTrgm(pool);
  say(`pg_trgm on Chinese here (ctype ${trgmCheck.ctype}, ${trgmCheck.encoding}): show_trgm('锂电池热失控') has ${trgmCheck.trigramsOfPhrase} trigrams, ` +
    `show_trgm('电池') ${trgmCheck.trigramsOfTwoCharWord}; word_similarity('电池', '锂电池热失控') = ${trgmCheck.wordSimilarityOfSubword}; ` +
    `'锂电池热失控' ILIKE '%电池%' = ${trgmCheck.ilikeFindsSubword}`);
  say(`  plan for ILIKE '%锂电池%': ${trgmCheck.planThreeCharWord}`);
  say(`  plan for ILIKE '%电池%':   ${trgmCheck.planTwoCharWord}`);

  // The hub, in process, on its own Redis prefix and Meilisearch index.
  const hubConfig: Config = Object.freeze({
    ...config,
    LOG_LEVEL: 'warn' as const,
    // Every query comes from one visitor here: measure search, not the per-IP limit.
    SEARCH_LIMIT_PER_MINUTE: 1_000_000,
    REDIS_PREFIX: stack.prefix,
    MEILI_INDEX_PREFIX: stack.prefix,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    MEILI_URL: stack.meili.url,
    MEILI_MASTER_KEY: stack.meili.masterKey,
  });
  const ctx = createContext(hubConfig, { databaseUrl: stack.databaseUrl, redisUrl: stack.redisUrl, meiliUrl: stack.meili.url, meiliMasterKey: stack.meili.masterKey }, pino({ level: 'warn', name: 'server' }));
  const hub = createHub(ctx);
  stack.onCleanup(() => ctx.close());
  stack.onCleanup(() => hub.close());
  await new Promise<void>((resolve) => hub.httpServer.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(hub.httpServer.address() as AddressInfo).port}`;
  say(`hub listening on ${baseUrl}`);

  // One connection per baseline, JIT off (it only adds compile time to these short queries).
  const clientA = new pg.Client({ connectionString: stack.databaseUrl });
  const clientB = new pg.Client({ connectionString: stack.databaseUrl });
  for (const client of [clientA, clientB]) {
    await client.connect();
    stack.onCleanup(() => client.end());
    await client.query('SET jit = off');
  }

  const indexUid = indexName(stack.prefix);
  const systems = {
    api: async (params: Record<string, string>) => {
      const res = await fetch(`${baseUrl}/api/listings/search?${new URLSearchParams(params)}`);
      const body = (await res.json()) as { total: number; hits: { id: string }[] };
      if (!res.ok) throw new Error(`GET /api/listings/search?${new URLSearchParams(params)} answered ${res.status}: ${JSON.stringify(body)}`);
      return { total: body.total, ids: body.hits.map((h) => h.id) };
    },
    meili: async (_params: Record<string, string>, query: ListingSearchQuery) => {
      const result = await searchListings(search, indexUid, query);
      return { total: result.total, ids: result.hits.map((h) => h.id) };
    },
    fts: (_params: Record<string, string>, query: ListingSearchQuery) => queryFts(clientA, query),
    trgm: (_params: Record<string, string>, query: ListingSearchQuery) => queryTrgm(clientB, query),
  } satisfies Record<string, (params: Record<string, string>, query: ListingSearchQuery) => Promise<BaselineAnswer>>;
  type System = keyof typeof systems;
  const names = Object.keys(systems) as System[];

  const parsed = QUERIES.map((q) => ListingSearchQuery.parse(q.params));
  const samples: Record<System, number[]> = { api: [], meili: [], fts: [], trgm: [] };
  const perQuery = QUERIES.map(() => ({ api: [] as number[], meili: [] as number[], fts: [] as number[], trgm: [] as number[] }));
  const totals = QUERIES.map(() => ({}) as Record<System, number>);
  // Pass 0 warms up every system (not measured); the systems take turns query by query.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [i, q] of QUERIES.entries()) {
      for (const name of names) {
        const t0 = performance.now();
        const result = await systems[name](q.params, parsed[i]!);
        const elapsed = performance.now() - t0;
        totals[i]![name] = result.total;
        if (round > 0) {
          samples[name].push(elapsed);
          perQuery[i]![name].push(elapsed);
        }
      }
    }
    say(round === 0 ? 'warm-up pass done' : `round ${round}/${ROUNDS} done`);
  }

  // Per query: hits and median latency.
  const median = (xs: number[]) => summarize(xs).p50;
  say('\nper query: hits (Meilisearch via API | (a) jieba tsvector | (b) pg_trgm) and p50 ms (API | Meili | a | b)');
  const rows = QUERIES.map((q, i) => ({
    query: q.label,
    hits: totals[i]!,
    p50: { api: median(perQuery[i]!.api), meili: median(perQuery[i]!.meili), fts: median(perQuery[i]!.fts), trgm: median(perQuery[i]!.trgm) },
  }));
  for (const r of rows) {
    say(`  ${r.query.padEnd(44)} ${String(r.hits.api).padStart(6)} | ${String(r.hits.fts).padStart(6)} | ${String(r.hits.trgm).padStart(6)}` +
      `   ${r.p50.api.toFixed(1).padStart(7)} | ${r.p50.meili.toFixed(1).padStart(6)} | ${r.p50.fts.toFixed(1).padStart(7)} | ${r.p50.trgm.toFixed(1).padStart(7)}`);
  }
  const mismatch = rows.filter((r) => r.hits.api !== r.hits.meili);
  if (mismatch.length) say(`note: API and Meilisearch-direct totals differ for ${mismatch.map((r) => r.query).join(', ')}`);
  const missed = (system: 'fts' | 'trgm') => rows.filter((r) => r.hits[system] === 0 && r.hits.api > 0).map((r) => r.query);
  const nothing = (system: System) => rows.filter((r) => r.hits[system] === 0).map((r) => r.query);
  const misses = { fts: missed('fts'), trgm: missed('trgm') };
  say(`queries Meilisearch answers but (a) finds nothing for: ${misses.fts.length} ${misses.fts.length ? `(${misses.fts.join(', ')})` : ''}`);
  say(`queries Meilisearch answers but (b) finds nothing for: ${misses.trgm.length} ${misses.trgm.length ? `(${misses.trgm.join(', ')})` : ''}`);
  say(`queries with no hits at all: Meilisearch ${nothing('api').length}, (a) ${nothing('fts').length}, (b) ${nothing('trgm').length}`);

  // Latency.
  const latency = Object.fromEntries(names.map((n) => [n, summarize(samples[n])])) as Record<System, Summary>;
  const label: Record<System, string> = { api: 'API (HTTP → server → Meilisearch)', meili: 'Meilisearch direct (searchListings)', fts: '(a) Postgres jieba + simple tsvector', trgm: '(b) Postgres pg_trgm' };
  say(`\nlatency over ${QUERIES.length} queries × ${ROUNDS} rounds (ms)      p50      p95      p99     mean`);
  for (const n of names) {
    const s = latency[n];
    say(`  ${label[n].padEnd(42)} ${s.p50.toFixed(2).padStart(8)} ${s.p95.toFixed(2).padStart(8)} ${s.p99.toFixed(2).padStart(8)} ${s.mean.toFixed(2).padStart(8)}`);
  }

  // The stronger baseline: lower p95, unless it misses clearly more queries than the other (more than 2).
  const comparable = Math.abs(misses.fts.length - misses.trgm.length) <= 2;
  const baseline: 'fts' | 'trgm' = comparable
    ? (latency.fts.p95 <= latency.trgm.p95 ? 'fts' : 'trgm')
    : (misses.fts.length < misses.trgm.length ? 'fts' : 'trgm');
  const b = latency[baseline];
  const ratios = {
    apiP50: ratio(latency.api.p50, b.p50),
    apiP95: ratio(latency.api.p95, b.p95),
    meiliP50: ratio(latency.meili.p50, b.p50),
    meiliP95: ratio(latency.meili.p95, b.p95),
  };
  say(`\nbaseline: ${label[baseline]} (${comparable ? 'lower p95; both miss a comparable number of queries' : 'it misses fewer queries'})`);
  say(`  API ÷ baseline:                p50 ${ratios.apiP50}×   p95 ${ratios.apiP95}×`);
  say(`  Meilisearch direct ÷ baseline: p50 ${ratios.meiliP50}×   p95 ${ratios.meiliP95}×`);
  say(`  indexing throughput (full reindex): ${Math.round(indexed.perSecond)} listings/s`);

  return {
    bench: 'search',
    listings: LISTINGS,
    rounds: ROUNDS,
    queries: QUERIES.length,
    generateMs: Math.round(generateMs),
    loadMs: Math.round(loadMs),
    loadPerSecond: Math.round(LISTINGS / (loadMs / 1000)),
    reindex: { ms: indexed.ms, perSecond: Math.round(indexed.perSecond), wallMs: Math.round(reindexWallMs), indexed: indexed.indexed },
    baselineBuild: { fts, trgm },
    trgmCheck,
    latencyMs: latency,
    baseline,
    ratios,
    zeroHitQueries: { meili: nothing('api').length, fts: nothing('fts').length, trgm: nothing('trgm').length },
    missedVsMeili: { fts: misses.fts, trgm: misses.trgm },
    perQuery: rows,
  };
}
