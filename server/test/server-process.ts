import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb } from '@hub/db';
import { serviceEnv, type Config, type ServiceUrls } from '@hub/platform';
import { freePort } from '@hub/platform/services';
import { Redis } from 'ioredis';
import { createTestServices } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  baseUrl: string;
  /** Resolves once the server logged `server listening`; rejects if it exits first. */
  started: Promise<void>;
  /** Resolves with how it ended ("code 0", "signal SIGKILL"). */
  exited: Promise<string>;
  alive(): boolean;
  /** Its last output lines, for failure messages. */
  tail(lines?: number): string;
  /** Signals its whole process group and waits until it is gone (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const running = new Set<ServerProcess>();
// Last resort if the test process itself goes down: never leave a server process group behind.
process.once('exit', () => {
  for (const server of running) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** The environment a server process needs to run on a test file's services (as `npm start` would give it). */
export function serverEnv(config: Config, urls: ServiceUrls, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...serviceEnv(urls),
    REDIS_PREFIX: config.REDIS_PREFIX,
    MEILI_INDEX_PREFIX: config.MEILI_INDEX_PREFIX,
    MESSAGE_LIMIT_PER_MINUTE: String(config.MESSAGE_LIMIT_PER_MINUTE),
    ...(config.EVIDENCE_DIR ? { EVIDENCE_DIR: config.EVIDENCE_DIR } : {}),
    ...extra,
  };
}

/**
 * Starts `node --import tsx server/src/main.ts` — the server process as deployed — on 127.0.0.1:`port`,
 * in its own process group, with only the environment given here (plus PATH/HOME).
 */
export function spawnServer(port: number, env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env, HOST: '127.0.0.1', SERVER_PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  let onStarted: () => void = () => {};
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      if (!line.trim()) continue;
      lines.push(line);
      if (line.includes('"msg":"server listening"')) onStarted();
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (error) => resolve(error.message));
  });
  const tail = (n = 15) => lines.slice(-n).join('\n');
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    void exited.then((how) => reject(new Error(`The server on port ${port} exited (${how}) before it listened:\n${tail()}`)));
  });
  started.catch(() => {});
  const alive = () => child.exitCode === null && child.signalCode === null;
  const server: ServerProcess = {
    child,
    pid: child.pid!,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    started,
    exited,
    alive,
    tail,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (alive()) {
        const send = (sig: NodeJS.Signals) => {
          try {
            process.kill(-child.pid!, sig);
          } catch {
            // The group is gone already.
          }
        };
        send(signal);
        const timer = setTimeout(() => send('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(server);
    },
  };
  running.add(server);
  return server;
}

/** Kills every server process a test left running (afterAll, also after a failure). */
export async function killAllServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop('SIGKILL')));
}

/**
 * Two server processes — `node server/src/main.ts`, as deployed — on different ports, on one test
 * file's own services (its database, Redis prefix and Meilisearch index): they must behave as one hub.
 */
export async function startServerPair(overrides: Record<string, string> = {}) {
  const services = await createTestServices(overrides);
  const db = createDb(services.urls.databaseUrl, { max: 3 });
  const env = serverEnv(services.config, services.urls);
  const one = spawnServer(await freePort(), env);
  const two = spawnServer(await freePort(), env);
  await Promise.all([one.started, two.started]);
  return {
    services,
    db,
    one,
    two,
    /** Stops both, then removes the file's database and Redis keys. */
    async close() {
      // TEST_SERVER_LOGS=1 prints what the two processes logged (for a failure on a loaded machine).
      if (process.env.TEST_SERVER_LOGS) console.log(`server one:\n${one.tail(80)}\n\nserver two:\n${two.tail(80)}`);
      await killAllServers();
      await db.$disconnect();
      const redis = new Redis(services.urls.redisUrl);
      const keys = await redis.keys(`${services.config.REDIS_PREFIX}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await services.cleanup();
    },
  };
}
