import { mkdir, rm } from 'node:fs/promises';
import { migrate } from '@hub/db/migrate';
import { parseConfig } from '@hub/platform';
import { freePort, startMeilisearch } from '@hub/platform/services';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import './harness.ts';
import { databaseUrl, dropTestDatabases, templateDatabase, withAdminClient } from './databases.ts';

/**
 * Once per run: a migrated template database that each test file copies, and one Meilisearch
 * (from the pinned npm binary) that each test file uses under its own index prefix.
 */
export default async function setup(project: TestProject) {
  const config = parseConfig(process.env);
  const log = pino({ level: 'warn', name: 'test-setup' });
  const runPid = process.pid;
  await withAdminClient(config.TEST_DATABASE_URL, async (admin) => {
    await dropTestDatabases(admin, runPid, { includeOwn: true });
    await admin.query(`CREATE DATABASE ${templateDatabase(runPid)}`);
  });
  await migrate(databaseUrl(config.TEST_DATABASE_URL, templateDatabase(runPid)));

  // Per run, so that two runs on one machine never stop each other's Meilisearch.
  const meiliDir = `.test-data/meili-${runPid}`;
  await mkdir(meiliDir, { recursive: true });
  const meili = await startMeilisearch({ dir: meiliDir, port: await freePort(), log });
  project.provide('runPid', runPid);
  project.provide('meiliUrl', meili.url);
  project.provide('meiliMasterKey', meili.masterKey);

  return async () => {
    await meili.stop();
    await rm(meiliDir, { recursive: true, force: true });
    await withAdminClient(config.TEST_DATABASE_URL, (admin) => dropTestDatabases(admin, runPid, { includeOwn: true }));
  };
}
