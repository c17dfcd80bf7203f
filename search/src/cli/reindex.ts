import { createDb } from '@hub/db';
import { loadConfig } from '@hub/platform';
import { serviceUrlsForCommand } from '@hub/platform/services';
import { createSearchClient } from '../client.ts';
import { progressReporter } from '../progress.ts';
import { reindex } from '../reindex.ts';

/** `npm run search:reindex`: rebuilds the listings index from Postgres and swaps it in atomically. */
try {
  const config = loadConfig();
  const urls = await serviceUrlsForCommand(config);
  const db = createDb(urls.databaseUrl, { max: 2 });
  const progress = progressReporter();
  try {
    const result = await reindex(db, createSearchClient(urls.meiliUrl, urls.meiliMasterKey), config.MEILI_INDEX_PREFIX, progress.update);
    progress.stop();
    const { added, updated, removed } = result.caughtUp;
    console.log(
      `Reindexed ${result.indexed} listings into ${result.index} in ${(result.ms / 1000).toFixed(1)} s ` +
        `(${Math.round(result.perSecond)} listings/s); caught up after the swap: +${added} ~${updated} -${removed}.`,
    );
  } finally {
    progress.stop();
    await db.$disconnect();
  }
} catch (error) {
  console.error(`search:reindex failed: ${(error as Error).message}`);
  process.exit(1);
}
