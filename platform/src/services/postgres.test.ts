import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './ports.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import { serviceTracker, silentLog as log, tempDir } from './test-helpers.ts';

describe('startEmbeddedPostgres', { timeout: 20_000 }, () => {
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
});
