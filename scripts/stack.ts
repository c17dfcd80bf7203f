/**
 * The orchestrator behind `npm start`: configuration → services (explicit URLs or embedded) →
 * generated code → migrations → demo seed → server, worker and web → one "Hub is up" block. Ctrl-C
 * (or any child dying) stops the children, then the embedded services, in that order.
 *
 * For trying the orchestrator against stand-ins: `--entry server=/tmp/x/server.ts` (also worker, web,
 * migrate, seed) replaces the script run for that part.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, createLogger, parseConfig, serviceEnv, type Config, type Logger } from '@hub/platform';
import {
  assertPortFree,
  forgetRunningServices,
  isListening,
  PrerequisiteError,
  reapLeftover,
  recordRunningServices,
  redact,
  resolveServices,
  type ResolvedServices,
} from '@hub/platform/services';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Runs a TypeScript file in-process through tsx's loader (the tsx CLI would add a wrapper process
 * that SIGKILLs its child when a signal is not acknowledged within 30 ms, i.e. during a busy shutdown). */
const node = (file: string) => [process.execPath, ['--import', 'tsx', path.resolve(root, file)]] as const;
const began = Date.now();

const entries: Record<'migrate' | 'seed' | 'server' | 'worker' | 'web', string> = {
  migrate: 'prisma/src/migrate.ts',
  seed: 'prisma/src/seed.ts',
  server: 'server/src/main.ts',
  worker: 'worker/src/main.ts',
  web: existsSync(path.join(root, 'web/server.ts')) ? 'web/server.ts' : 'web/server.js',
};
const overridden = new Set<string>();
for (const [i, arg] of process.argv.entries()) {
  const value = arg === '--entry' ? process.argv[i + 1] : arg.startsWith('--entry=') ? arg.slice(8) : undefined;
  const [name, file] = value?.split('=') ?? [];
  if (name && file && name in entries) {
    entries[name as keyof typeof entries] = path.resolve(file);
    overridden.add(name);
  }
}

/** Errors whose message is already one sentence for the person at the terminal. */
function isForHumans(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof PrerequisiteError || error instanceof StartError;
}
class StartError extends Error {}

// ── a. configuration ────────────────────────────────────────────────────────────────────────────
const env: NodeJS.ProcessEnv = { ...process.env }; // the start script hands the environment on to its children
if (!env.DEMO_MODE) env.DEMO_MODE = 'true';
let config: Config;
try {
  config = parseConfig(env);
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(1);
}
const log: Logger = createLogger('start');
const dataDir = path.resolve(root, config.DATA_DIR);
const runDir = path.join(dataDir, 'run');
const probeHost = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;

async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const result = await work();
  log.info({ step: name, ms: Date.now() - start }, name);
  return result;
}

// ── children ────────────────────────────────────────────────────────────────────────────────────
interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<string>;
}
const children: Child[] = [];
let services: ResolvedServices | undefined;
let shuttingDown: Promise<never> | undefined;

function childEnv(): NodeJS.ProcessEnv {
  return { ...env, ...(services ? serviceEnv(services.urls) : {}), DEMO_MODE: String(config.DEMO_MODE) };
}

function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** Runs a one-off step (generate, build, migrate, seed) to completion, output shown as it comes. */
function runOnce(what: string, command: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...childEnv(), ...extraEnv } });
    child.once('error', (error) => reject(new StartError(`${what} could not be run (${error.message}).`)));
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new StartError(`${what} failed (${exitReason(code, signal)}); its output above says why.`)),
    );
  });
}

async function startChild(name: keyof typeof entries): Promise<Child> {
  const options: SpawnOptions = { cwd: root, env: childEnv(), stdio: ['ignore', 'inherit', 'inherit'], detached: true };
  const child = spawn(...node(entries[name]), options);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(exitReason(code, signal)));
    child.once('error', (error) => resolve(error.message));
  });
  const entry: Child = { name, process: child, exited };
  children.push(entry);
  if (child.pid) {
    await writeFile(path.join(runDir, `${name}.pid`), `${child.pid}\n`);
  }
  void exited.then((reason) => {
    if (!shuttingDown) {
      log.error({ child: name, reason }, `the ${name} exited unexpectedly`);
      console.error(`npm start: the ${name} exited unexpectedly (${reason}); stopping the hub.`);
      void shutdown(1);
    }
  });
  return entry;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopChildren(): Promise<void> {
  const live = children.filter((c) => c.process.pid !== undefined);
  for (const c of live) {
    try {
      process.kill(-c.process.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 5000;
  while (live.some((c) => groupAlive(c.process.pid!)) && Date.now() < deadline) await sleep(50);
  for (const c of live) {
    if (groupAlive(c.process.pid!)) {
      log.warn({ child: c.name }, `the ${c.name} did not stop within 5 s; killing it`);
      try {
        process.kill(-c.process.pid!, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
  }
  await Promise.all(live.map((c) => rm(path.join(runDir, `${c.name}.pid`), { force: true })));
}

function shutdown(code: number): Promise<never> {
  shuttingDown ??= (async () => {
    const start = Date.now();
    log.info({ code }, 'stopping the hub');
    await stopChildren().catch((error: unknown) => log.error({ err: error }, 'stopping the children failed'));
    await forgetRunningServices(config).catch(() => {});
    await services?.stop().catch((error: unknown) => log.error({ err: error }, 'stopping the embedded services failed'));
    log.info({ step: 'stopped', ms: Date.now() - start }, 'stopped');
    process.exit(code);
  })();
  return shuttingDown;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    log.info({ signal }, 'received signal');
    void shutdown(0);
  });
}

async function waitReady(child: Child, what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (shuttingDown) return shuttingDown;
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new StartError(`The ${child.name} exited before it was ready (${await child.exited}); its log lines above say why.`);
    }
    if (Date.now() > deadline) {
      throw new StartError(`The ${child.name} did not ${what} within ${timeoutMs / 1000} s; its log lines above say why.`);
    }
    await sleep(100);
  }
}

async function main(): Promise<void> {
  await step('checked configuration and ports', async () => {
    await mkdir(runDir, { recursive: true });
    // Children of a previous run that was killed outright keep running in their own process groups.
    for (const name of ['server', 'worker', 'web'] as const) {
      await reapLeftover(path.join(runDir, `${name}.pid`), entries[name], log, { graceMs: 5000 });
    }
    await assertPortFree(config.SERVER_PORT, 'the API server', 'SERVER_PORT', config.HOST);
    await assertPortFree(config.WEB_PORT, 'the web front end', 'WEB_PORT', config.HOST);
    await assertPortFree(config.WORKER_METRICS_PORT, "the worker's metrics endpoint", 'WORKER_METRICS_PORT', config.HOST);
  });

  services = await step('resolved services', () => resolveServices(config, log));
  await recordRunningServices(config, services.urls);
  log.info(
    {
      database: redact(services.urls.databaseUrl),
      redis: redact(services.urls.redisUrl),
      meilisearch: services.urls.meiliUrl,
      embedded: services.embedded,
    },
    'services',
  );

  // Always (about a second): a client generated from an older schema.prisma would be wrong.
  await step('generated the Prisma client', () => runOnce('`prisma generate`', 'npm', ['run', 'generate', '-w', '@hub/db']));
  if (!overridden.has('web') && webBuildIsStale()) {
    await step('built the web front end', async () => {
      await runOnce('Generating the web messages', 'npm', ['run', 'generate', '-w', '@hub/web']);
      await runOnce('Building the web front end', 'npm', ['run', 'build', '-w', '@hub/web']);
    });
  }

  await step('migrated the database', () => runOnce('The database migration', ...node(entries.migrate)));
  if (config.DEMO_MODE) await step('seeded the demo data', () => runOnce('Seeding the demo data', ...node(entries.seed)));

  await step('started server, worker and web', async () => {
    const server = await startChild('server');
    await startChild('worker');
    const web = await startChild('web');
    const readyz = `http://${probeHost}:${config.SERVER_PORT}/readyz`;
    await Promise.all([
      waitReady(server, `answer GET ${readyz} with 200`, async () => (await fetch(readyz, { signal: AbortSignal.timeout(2000) })).status === 200),
      waitReady(web, `accept connections on port ${config.WEB_PORT}`, () => isListening(config.WEB_PORT, probeHost)),
    ]);
  });

  const url = config.PUBLIC_URL ?? `http://${probeHost}:${config.WEB_PORT}`;
  const lines = [`Hub is up: ${url}`];
  if (config.DEMO_MODE) {
    const accounts = await demoAccounts();
    if (accounts.length > 0) {
      lines.push('', 'Demo accounts (DEMO_MODE=true; set DEMO_MODE=false to run without them):');
      const width = Math.max(...accounts.map((a) => a.label.length));
      const emailWidth = Math.max(...accounts.map((a) => a.email.length));
      for (const a of accounts) lines.push(`  ${a.label.padEnd(width)}  ${a.email.padEnd(emailWidth)}  ${a.password}`);
    }
  }
  lines.push('', `Ready in ${((Date.now() - began) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`);
  const rule = '─'.repeat(Math.max(...lines.map((l) => l.length)) + 2);
  process.stdout.write(`\n${rule}\n${lines.map((l) => ` ${l}`).join('\n')}\n${rule}\n\n`);
  log.info({ url, ms: Date.now() - began }, 'hub is up');
}

/** The web build is missing or older than a source it is built from. */
function webBuildIsStale(): boolean {
  const built = path.join(root, 'web/build/handler.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const sources = ['web/src', 'web/messages', 'web/static', 'protocol/src', 'web/vite.config.ts', 'web/svelte.config.js', 'package-lock.json'];
  const newer = (file: string): boolean => {
    if (!existsSync(file)) return false;
    const stat = statSync(file);
    if (!stat.isDirectory()) return stat.mtimeMs > builtAt;
    return readdirSync(file).some((name) => name !== 'paraglide' && newer(path.join(file, name)));
  };
  return sources.some((source) => newer(path.join(root, source)));
}

async function demoAccounts(): Promise<Array<{ label: string; email: string; password: string }>> {
  const file = path.join(root, 'prisma/src/demo-accounts.ts');
  try {
    const module = (await import(pathToFileURL(file).href)) as { DEMO_ACCOUNTS: Array<{ label: string; email: string; password: string }> };
    return module.DEMO_ACCOUNTS;
  } catch (error) {
    log.warn({ err: error, file }, 'could not read the demo accounts');
    return [];
  }
}

main().catch(async (error: unknown) => {
  if (shuttingDown) return;
  if (isForHumans(error)) {
    console.error(`npm start: ${error.message}`);
  } else {
    log.fatal({ err: error }, 'npm start failed');
    console.error(`npm start: ${(error as Error)?.message ?? String(error)}`);
  }
  await shutdown(1);
});
