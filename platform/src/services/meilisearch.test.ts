import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrerequisiteError } from './errors.ts';
import { startMeilisearch } from './meilisearch.ts';
import { freePort } from './ports.ts';
import { serviceTracker, silentLog as log, tempDir } from './test-helpers.ts';

describe('startMeilisearch', { timeout: 20_000 }, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('meili');
  });
  const services = serviceTracker();
  afterAll(async () => {
    await services.stopAll();
    await tmp.remove();
  });

  it('refuses to run a binary whose sha256 is not the pinned one', async () => {
    const tampered = path.join(tmp.dir, 'meilisearch-tampered');
    await writeFile(tampered, '#!/bin/sh\necho pwned\n', { mode: 0o755 });
    const dir = path.join(tmp.dir, 'refused');
    const error = await startMeilisearch({ dir, port: await freePort(), log, binaryPath: tampered }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toMatch(/^The Meilisearch binary at .*meilisearch-tampered has sha256 [0-9a-f]{64} instead of the pinned 5354d8.*, so it will not be run: .*set MEILI_URL and MEILI_MASTER_KEY.*\.$/);
    await expect(stat(path.join(dir, 'bin', 'meilisearch'))).rejects.toThrow(); // nothing was installed
  });

  it('answers /health, requires its master key, and keeps the key across restarts', async () => {
    const dir = path.join(tmp.dir, 'good');
    const port = await freePort();
    const first = services.track(await startMeilisearch({ dir, port, log }));
    let key: string;
    try {
      expect(first.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
      expect((await fetch(`${first.url}/keys`)).status).toBe(401);
      expect((await fetch(`${first.url}/keys`, { headers: { Authorization: `Bearer ${first.masterKey}` } })).status).toBe(200);
      key = first.masterKey;
      expect((await stat(path.join(dir, 'master-key'))).mode & 0o777).toBe(0o600);
      expect((await stat(path.join(dir, 'bin', 'meilisearch'))).mode & 0o777).toBe(0o755);
    } finally {
      await first.stop();
    }

    // A changed copy is never run: it is replaced from the verified package.
    await writeFile(path.join(dir, 'bin', 'meilisearch'), '#!/bin/sh\nexit 1\n');
    const second = services.track(await startMeilisearch({ dir, port, log }));
    try {
      expect(second.masterKey).toBe(key);
      expect((await readFile(path.join(dir, 'master-key'), 'utf8')).trim()).toBe(key);
      expect((await fetch(`${second.url}/version`, { headers: { Authorization: `Bearer ${key}` } }).then((r) => r.json())) as { pkgVersion: string }).toMatchObject({ pkgVersion: '1.21.0' });
    } finally {
      await second.stop();
    }
  });

  it('starts with a master key that begins with a dash (a generated base64url key can)', async () => {
    const dir = path.join(tmp.dir, 'dash');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'master-key'), '-R8d1cX3KMrv0aYkFQ2pZsLw7NqGhE5t\n', { mode: 0o600 });
    const meili = services.track(await startMeilisearch({ dir, port: await freePort(), log }));
    try {
      expect(meili.masterKey).toBe('-R8d1cX3KMrv0aYkFQ2pZsLw7NqGhE5t');
      expect((await fetch(`${meili.url}/keys`, { headers: { Authorization: `Bearer ${meili.masterKey}` } })).status).toBe(200);
    } finally {
      await meili.stop();
    }
  });

  it('says what failed, what Meilisearch printed and what to do when it will not start', async () => {
    const dir = path.join(tmp.dir, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'data'), 'a file where its database directory belongs\n');
    const port = await freePort();
    const error = await startMeilisearch({ dir, port, log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The embedded Meilisearch \\(port ${port}, data in .*broken\\) failed to start: it exited \\(code 1\\) after printing ".*Error: Not a directory \\(os error 20\\)"; fix what it reports, or set MEILI_URL and MEILI_MASTER_KEY to a Meilisearch of your own\\.$`,
      ),
    );
  });
});
