// The web process (web/server.ts, serving the web build) as a child of a test, in front of its test hub.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, isListening } from '@hub/platform/services';
import type { TestHub } from './harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Spawns `web/server.ts` (on `port`, or a free one) and resolves once it accepts connections (or rejects if it exits first). */
export async function startWeb(t: TestHub, port?: number): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  port ??= await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'web/server.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      WEB_PORT: String(port),
      API_INTERNAL_URL: t.baseUrl,
      LOG_LEVEL: 'warn',
      DATABASE_URL: t.urls.databaseUrl,
      REDIS_URL: t.urls.redisUrl,
      MEILI_URL: t.urls.meiliUrl,
      MEILI_MASTER_KEY: t.urls.meiliMasterKey,
      REDIS_PREFIX: t.config.REDIS_PREFIX,
      MEILI_INDEX_PREFIX: t.config.MEILI_INDEX_PREFIX,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const deadline = Date.now() + 30_000;
  while (!(await isListening(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`web process exited (${child.exitCode ?? child.signalCode}) before listening:\n${output}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`web process did not listen on ${port} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    child,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
