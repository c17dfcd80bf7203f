/**
 * Diagnostic behind bench/match's Meilisearch figures (not part of `npm run bench:match`): N listings
 * in a fresh stack, then, one request at a time,
 *  1. the matcher's candidate multi-search for a sample of listings: wall time and Meilisearch's own
 *     processingTimeMs, with gzip-compressed answers (Node's fetch default) and uncompressed ones
 *     (what createSearchClient asks for), and for a few query variants;
 *  2. single-document writes (what each index-listing job does): Meilisearch's processing time per
 *     task with the current index settings and with facet search and/or prefix search turned off.
 *   node --import tsx bench/match/probe-meili.ts --listings 20000 --sample 100 --writes 15
 */
import { parseArgs } from 'node:util';
import { createDb } from '@hub/db';
import { candidateQueries, counterpartFilter, loadMatchable, MATCHING } from '@hub/matching';
import { loadConfig } from '@hub/platform';
import { industryField } from '@hub/protocol';
import { createSearchClient, indexName, LISTING_FOR_INDEX, listingDocument, quote, reindex } from '@hub/search';
import { Meilisearch, type MultiSearchQuery } from 'meilisearch';
import pg from 'pg';
import { pino } from 'pino';
import { generate, loadPostgres } from '../search/load.ts';
import { startStack } from '../search/stack.ts';
import { summarize, type Summary } from '../search/stats.ts';

const { values: args } = parseArgs({
  options: { listings: { type: 'string', default: '20000' }, sample: { type: 'string', default: '100' }, writes: { type: 'string', default: '15' } },
});
const say = (s: string) => console.log(s);
const fmt = (s: Summary) => `p50 ${s.p50.toFixed(1).padStart(6)}  p95 ${s.p95.toFixed(1).padStart(6)}  mean ${s.mean.toFixed(1).padStart(6)}`;
const stack = await startStack(loadConfig(), pino({ level: 'warn' }), say, 'probe');
try {
  const N = Number(args.listings);
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 3 });
  stack.onCleanup(() => db.end());
  const data = generate(N);
  await loadPostgres(db, data);
  const prisma = createDb(stack.databaseUrl, { max: 3 });
  stack.onCleanup(() => prisma.$disconnect());
  const client = createSearchClient(stack.meili.url, stack.meili.masterKey);
  const gzip = new Meilisearch({ host: stack.meili.url, apiKey: stack.meili.masterKey });
  const indexUid = indexName(stack.prefix);
  await reindex(prisma, client, stack.prefix);
  say(`${N} listings indexed`);
  const step = Math.max(1, Math.floor(N / Number(args.sample)));
  const listings = await loadMatchable(prisma, data.listingIds.filter((_, i) => i % step === 0).slice(0, Number(args.sample)));
  const now = Date.now();

  // 1. Candidate multi-search.
  const queriesOf = (l: (typeof listings)[number], over: Partial<MultiSearchQuery> = {}) => {
    const filter = counterpartFilter(l, now);
    const qs: MultiSearchQuery[] = candidateQueries(l).map((q) => ({
      indexUid, q, filter, limit: MATCHING.candidates.perQuery, attributesToRetrieve: ['id'], showRankingScore: true, matchingStrategy: 'frequency', ...over,
    }));
    const fields = [...new Set(l.industries.map(industryField))];
    qs.push({ indexUid, q: '', filter: [...filter, `industries IN [${fields.map(quote).join(', ')}]`], limit: MATCHING.candidates.perQuery, attributesToRetrieve: ['id'] });
    return qs;
  };
  const variants: [string, Meilisearch, (l: (typeof listings)[number]) => MultiSearchQuery[]][] = [
    ['as the matcher (uncompressed)', client, (l) => queriesOf(l)],
    ['as the matcher, gzip answers', gzip, (l) => queriesOf(l)],
    ['industry query only, gzip', gzip, (l) => queriesOf(l).slice(-1)],
    ['industry query only', client, (l) => queriesOf(l).slice(-1)],
    ["matchingStrategy 'all'", client, (l) => queriesOf(l, { matchingStrategy: 'all' })],
    ["matchingStrategy 'last'", client, (l) => queriesOf(l, { matchingStrategy: 'last' })],
    ['without the text queries', client, (l) => queriesOf(l).slice(-1)],
  ];
  say(`\n1. candidate multi-search, ${listings.length} listings one at a time (ms): wall | Σ processingTimeMs`);
  for (const [name, c, queries] of variants) {
    const wall: number[] = [];
    const server: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const l of listings) {
        const t0 = performance.now();
        const { results } = await c.multiSearch({ queries: queries(l) });
        if (round === 0) continue;
        wall.push(performance.now() - t0);
        server.push(results.reduce((s, r) => s + (r.processingTimeMs ?? 0), 0));
      }
    }
    say(`  ${name.padEnd(32)} ${fmt(summarize(wall))} | ${fmt(summarize(server))}`);
  }

  // 2. Single-document writes under settings variants.
  const index = client.index(indexUid);
  const rows = await prisma.listing.findMany({ where: { id: { in: data.listingIds.slice(0, Number(args.writes)) } }, include: LISTING_FOR_INDEX });
  const docs = rows.map(listingDocument);
  const writes = async (label: string) => {
    const processing: number[] = [];
    const wall: number[] = [];
    for (const doc of docs) {
      const t0 = performance.now();
      const task = await index.addDocuments([{ ...doc, revision: doc.revision + 1 }], { primaryKey: 'id' }).waitTask({ interval: 10, timeout: 120_000 });
      wall.push(performance.now() - t0);
      processing.push(Date.parse(task.finishedAt!) - Date.parse(task.startedAt!));
    }
    say(`  ${label.padEnd(40)} processing ${fmt(summarize(processing))} | wall ${fmt(summarize(wall))}`);
  };
  say(`\n2. one-document writes (${docs.length} each, one at a time, ms)`);
  await writes('current settings');
  await index.updateSettings({ facetSearch: false }).waitTask({ timeout: 900_000 });
  await writes('facetSearch: false');
  await index.updateSettings({ facetSearch: false, prefixSearch: 'disabled' }).waitTask({ timeout: 900_000 });
  await writes('facetSearch: false, prefixSearch disabled');
  await index.updateSettings({ facetSearch: true, prefixSearch: 'indexingTime' }).waitTask({ timeout: 900_000 });
  await writes('current settings again');
} finally {
  await stack.cleanup();
}
process.exit(0);
