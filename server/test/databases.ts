import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Test databases are named `hub_test_<run pid>_...`, so concurrent runs never touch each other's. */
export const testDatabasePrefix = (runPid: number) => `hub_test_${runPid}_`;
export const templateDatabase = (runPid: number) => `${testDatabasePrefix(runPid)}template`;

export async function withAdminClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh, migrated database for one test file (a copy of the run's template); returns its URL and how to drop it. */
export async function createTestDatabase(adminUrl: string, runPid: number): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${testDatabasePrefix(runPid)}${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateDatabase(runPid)}`));
  return {
    url: databaseUrl(adminUrl, name),
    drop: () => withAdminClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** Drops this run's databases, and those of earlier runs whose process is gone. */
export async function dropTestDatabases(admin: pg.Client, runPid: number, { includeOwn }: { includeOwn: boolean }) {
  const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'hub\\_test\\_%'`);
  for (const { datname } of rows) {
    const pid = Number(datname.split('_')[2]);
    const own = pid === runPid;
    if ((own && includeOwn) || (!own && !isAlive(pid))) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
