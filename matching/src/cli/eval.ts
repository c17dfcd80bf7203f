import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '@hub/db';
import { migrate } from '@hub/db/migrate';
import { loadConfig, type Config, type Logger } from '@hub/platform';
import { freePort, serviceUrlsForCommand, startEmbeddedPostgres, startMeilisearch } from '@hub/platform/services';
import { createSearchClient, progressReporter } from '@hub/search';
import pg from 'pg';
import { pino } from 'pino';
import { checkDataset, EvalDataset, loadDataset } from '../eval/dataset.ts';
import { evaluate, type DirectionFigures } from '../eval/run.ts';

/**
 * `npm run match:eval -- --dataset FILE`: loads a labelled set into a database and a Meilisearch of
 * its own (nothing else is touched), runs the matching pipeline on it and prints ranking quality for
 * both directions beside the Meilisearch-only baselines. The last line is one JSON object.
 */
const USAGE = 'usage: npm run match:eval -- --dataset FILE';

const cleanups: (() => Promise<unknown>)[] = [];
const say = (line: string) => process.stderr.write(`${line}\n`);

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A Postgres server to create the evaluation database on: configured, the running hub's, the local one, or an embedded one. */
async function postgresServer(config: Config, scratch: string, log: Logger): Promise<string> {
  const hub = await serviceUrlsForCommand(config).then((urls) => urls.databaseUrl, () => undefined);
  for (const url of [config.DATABASE_URL, hub, config.TEST_DATABASE_URL]) if (url && (await reachable(url))) return url;
  say('no Postgres answers: starting an embedded one for this evaluation');
  const embedded = await startEmbeddedPostgres({ dir: path.join(scratch, 'postgres'), port: await freePort(), log, database: 'postgres' });
  cleanups.push(() => embedded.stop());
  return embedded.url;
}

function table(title: string, figures: DirectionFigures) {
  const rows = [
    ['full scorer', figures.scorer],
    ['Meilisearch order (same candidates)', figures.meiliOrder],
    ['one whole-text query (Meilisearch)', figures.singleQuery],
  ] as const;
  console.log(`\n${title} (${figures.scorer.queries} labelled listings)`);
  console.log(`  ${'ranking'.padEnd(38)} ${'P@5'.padStart(6)} ${'R@10'.padStart(6)} ${'nDCG@10'.padStart(8)} ${'MRR'.padStart(6)}`);
  for (const [name, f] of rows) {
    console.log(`  ${name.padEnd(38)} ${f['precision@5'].toFixed(3).padStart(6)} ${f['recall@10'].toFixed(3).padStart(6)} ${f['nDCG@10'].toFixed(3).padStart(8)} ${f.MRR.toFixed(3).padStart(6)}`);
  }
  console.log(`  candidate recall@50: ${figures['candidateRecall@50'].toFixed(3)}`);
  console.log(`  pairs the scorer would store (score ≥ threshold): ${figures.stored.pairs}, precision ${figures.stored.precision.toFixed(3)}, recall ${figures.stored.recall.toFixed(3)}`);
}

async function main() {
  const { values } = parseArgs({ options: { dataset: { type: 'string' } }, allowPositionals: false });
  if (!values.dataset) throw new Error(USAGE);
  const parsed = EvalDataset.safeParse(JSON.parse(await readFile(values.dataset, 'utf8')));
  if (!parsed.success) throw new Error(`${values.dataset} is not a valid dataset: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const problems = checkDataset(parsed.data);
  if (problems.length) throw new Error(`${values.dataset}: ${problems.join('; ')}`);

  const config = loadConfig();
  // stdout carries the figures only; service logs (warnings and worse) go to stderr.
  const log = pino({ name: 'match-eval', level: 'warn' }, pino.destination(2));
  const scratch = await mkdtemp(path.join(tmpdir(), 'hub-eval-'));
  cleanups.push(() => rm(scratch, { recursive: true, force: true }));
  const server = await postgresServer(config, scratch, log);
  const database = `hub_eval_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  cleanups.unshift(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });
  const url = new URL(server);
  url.pathname = `/${database}`;
  await migrate(url.toString());
  const meili = await startMeilisearch({ dir: path.join(scratch, 'meili'), port: await freePort(), log });
  cleanups.unshift(() => meili.stop());
  const db = createDb(url.toString(), { max: 4 });
  cleanups.unshift(() => db.$disconnect());
  say(`dataset ${values.dataset}: ${parsed.data.listings.length} listings, ${parsed.data.relevant.length} labelled pairs; database ${database}, Meilisearch ${meili.url}`);

  const ids = await loadDataset(db, parsed.data);
  const progress = progressReporter(process.stderr);
  const figures = await evaluate(db, { client: createSearchClient(meili.url, meili.masterKey), indexUid: 'eval_listings' }, parsed.data, ids, (done, total) => progress.update({ done, total }));
  progress.stop();
  table('demand → supply', figures.demandToSupply);
  table('supply → demand', figures.supplyToDemand);
  console.log(`\nevaluated in ${(figures.ms / 1000).toFixed(1)} s`);
  console.log(JSON.stringify(figures));
}

try {
  await main();
} catch (error) {
  console.error(`match:eval failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  for (const cleanup of cleanups) await cleanup().catch((error: Error) => say(`cleanup: ${error.message}`));
}
