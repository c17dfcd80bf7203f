import { mkdir } from 'node:fs/promises';
import { migrate } from '@hub/db/migrate';
import { parseConfig } from '@hub/platform';
import { freePort, startMeilisearch } from '@hub/platform/services';
import pg from 'pg';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { TEMPLATE_DATABASE, withAdminClient } from './databases.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    meiliUrl: string;
    meiliMasterKey: string;
  }
}

/**
 * Once per run: a migrated template database that each test file copies, and one Meilisearch
 * (from the pinned npm binary) that each test file uses under its own index prefix.
 */
export default async function setup(project: TestProject) {
  const config = parseConfig(process.env);
  const log = pino({ level: 'warn', name: 'test-setup' });
  await withAdminClient(config.TEST_DATABASE_URL, async (admin) => {
    await dropTestDatabases(admin);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  });
  const templateUrl = new URL(config.TEST_DATABASE_URL);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  await migrate(templateUrl.toString());

  await mkdir('.test-data', { recursive: true });
  const meili = await startMeilisearch({ dir: '.test-data/meili', port: await freePort(), log });
  project.provide('meiliUrl', meili.url);
  project.provide('meiliMasterKey', meili.masterKey);

  return async () => {
    await meili.stop();
    await withAdminClient(config.TEST_DATABASE_URL, dropTestDatabases);
  };
}

async function dropTestDatabases(admin: pg.Client) {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'hub_test_%'`);
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}
