import net from 'node:net';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { PrerequisiteError } from './errors.ts';
import { assertPortFree } from './ports.ts';
import { reapLeftover, spawned, spawnService, stopProcess, waitUntil, writePidFile } from './process.ts';

export interface EmbeddedService {
  url: string;
  /** Stops the process and waits until it has exited; safe to call twice. */
  stop: () => Promise<void>;
}

export interface RedisServerOptions {
  /** Working directory: the AOF files live here. */
  dir: string;
  port: number;
  log: Logger;
  /** Append-only file on (the default for the embedded Redis, so queued jobs survive a restart). */
  appendonly?: boolean;
  /** Environment of the redis-server process (and PATH used to find it); tests use it to hide the binary. */
  env?: NodeJS.ProcessEnv;
}

const NOT_FOUND =
  'redis-server was not found on PATH and REDIS_URL is not set: install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), or set REDIS_URL.';

/** Sends one inline command and resolves with the first reply line (e.g. "+PONG"). */
export function redisCommand(port: number, command: string, host = '127.0.0.1', timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    let reply = '';
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error('timeout'));
    });
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(reply.slice(0, end));
      }
    });
    socket.once('error', reject);
    socket.once('close', () => resolve(reply));
  });
}

/** Runs `redis-server` from PATH under `dir`, bound to 127.0.0.1, and waits until it answers PING. */
export async function startRedisServer({ dir, port, log, appendonly = true, env }: RedisServerOptions): Promise<EmbeddedService> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const pidFile = path.join(root, 'redis.pid');
  await reapLeftover(pidFile, 'redis-server', log);
  await assertPortFree(port, 'the embedded Redis (used because REDIS_URL is not set)', 'EMBEDDED_REDIS_PORT');

  const args = ['--dir', root, '--appendonly', appendonly ? 'yes' : 'no', '--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  const service = spawnService('redis', 'redis-server', args, {
    log,
    cwd: root,
    ...(env ? { env } : {}),
    level: (line) => (/ # .*WARNING/.test(line) && !/overcommit/.test(line) ? 'warn' : 'debug'),
    failed: `The embedded Redis (redis-server on port ${port}, data in ${root}) failed to start`,
    todo: 'fix what it reports, or set REDIS_URL to a Redis server of your own',
  });
  try {
    await spawned(service);
  } catch (error) {
    if (((error as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new PrerequisiteError(NOT_FOUND);
    throw error;
  }
  await writePidFile(pidFile, service.child.pid);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // SHUTDOWN flushes the AOF before exiting; SIGTERM does the same if the command cannot be sent.
      await redisCommand(port, 'SHUTDOWN').catch(() => undefined);
      await stopProcess(service, 'SIGTERM', 10_000);
      await reapLeftover(pidFile, 'redis-server', log, { graceMs: 0 });
    })());

  try {
    await waitUntil(async () => (await redisCommand(port, 'PING')) === '+PONG', { service, timeoutMs: 15_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
