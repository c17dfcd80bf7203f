import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Applies the committed Prisma migrations (prisma/migrations) and records them in Prisma's own
 * `_prisma_migrations` table with Prisma's checksum, so `prisma migrate deploy` treats them as
 * applied wherever its schema engine can run. Here it cannot: Prisma 7 downloads that engine at
 * run time and only the npm registry is reachable.
 */
const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
const MIGRATE_LOCK_KEY = 72707369; // the advisory lock key Prisma Migrate uses

export interface MigrateResult {
  applied: string[];
  total: number;
}

export async function migrate(databaseUrl: string, log: (msg: string) => void = () => {}): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    const applied: string[] = [];
    for (const name of names) {
      const sql = await readFile(`${MIGRATIONS_DIR}${name}/migration.sql`, 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = done.get(name);
      if (previous) {
        if (!previous.finished_at) throw new Error(`Migration ${name} started but never finished: repair the database, then start again.`);
        if (previous.checksum !== checksum) throw new Error(`Migration ${name} was edited after it was applied: restore it and add a new migration instead.`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`);
      }
      log(`applied migration ${name}`);
      applied.push(name);
    }
    return { applied, total: names.length };
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadConfig, createLogger, requireServiceUrls } = await import('@hub/platform');
  const log = createLogger('migrate');
  try {
    const { databaseUrl } = requireServiceUrls(loadConfig());
    const started = Date.now();
    const result = await migrate(databaseUrl, (msg) => log.info(msg));
    log.info({ applied: result.applied.length, total: result.total, ms: Date.now() - started }, 'migrations up to date');
  } catch (error) {
    log.fatal((error as Error).message);
    process.exit(1);
  }
}
