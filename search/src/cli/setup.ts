import { loadConfig } from '@hub/platform';
import { serviceUrlsForCommand } from '@hub/platform/services';
import { createSearchClient } from '../client.ts';
import { applySettings, indexName } from '../settings.ts';

/** `npm run search:setup`: creates the live listings index if missing and applies the settings in code. */
try {
  const config = loadConfig();
  const urls = await serviceUrlsForCommand(config);
  const uid = indexName(config.MEILI_INDEX_PREFIX);
  await applySettings(createSearchClient(urls.meiliUrl, urls.meiliMasterKey), uid);
  console.log(`Settings applied to ${uid} at ${urls.meiliUrl}.`);
} catch (error) {
  console.error(`search:setup failed: ${(error as Error).message}`);
  process.exit(1);
}
