import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrerequisiteError } from './errors.ts';
import { freePort } from './ports.ts';
import { redisCommand, startRedisServer } from './redis.ts';
import { serviceTracker, silentLog as log, tempDir } from './test-helpers.ts';

/** One RESP command (arguments may contain spaces); resolves with the raw reply. */
function resp(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () =>
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`),
    );
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString('utf8'));
    });
    socket.once('error', reject);
  });
}

describe('startRedisServer', { timeout: 20_000 }, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('redis');
  });
  const services = serviceTracker();
  afterAll(async () => {
    await services.stopAll();
    await tmp.remove();
  });

  it('runs with AOF on, and what was written survives a restart', async () => {
    const port = await freePort();
    const first = services.track(await startRedisServer({ dir: tmp.dir, port, log }));
    expect(first.url).toBe(`redis://127.0.0.1:${port}`);
    expect(await resp(port, 'CONFIG', 'GET', 'appendonly')).toContain('yes');
    expect(await resp(port, 'SET', 'job:1', '匹配 queued')).toBe('+OK\r\n');
    await first.stop();
    await first.stop(); // twice is harmless
    expect(await redisCommand(port, 'PING').catch(() => 'down')).toBe('down');

    const second = services.track(await startRedisServer({ dir: tmp.dir, port, log }));
    try {
      expect(await resp(port, 'GET', 'job:1')).toBe(`$${Buffer.byteLength('匹配 queued')}\r\n匹配 queued\r\n`);
    } finally {
      await second.stop();
    }
  });

  it('says in one sentence what to do when redis-server is not on PATH', async () => {
    const error = await startRedisServer({ dir: tmp.dir, port: await freePort(), log, env: { PATH: '/nonexistent' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toBe(
      'redis-server was not found on PATH and REDIS_URL is not set: install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), or set REDIS_URL.',
    );
  });

  it('refuses a port that is in use, naming the setting that moves it', async () => {
    const port = await freePort();
    const holder = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => holder.once('listening', resolve));
    try {
      await expect(startRedisServer({ dir: tmp.dir, port, log })).rejects.toThrow(
        new PrerequisiteError(
          `Port ${port} on 127.0.0.1 is already in use, so the embedded Redis (used because REDIS_URL is not set) cannot listen on it: stop the program using it or set EMBEDDED_REDIS_PORT to a free port.`,
        ),
      );
    } finally {
      holder.close();
    }
  });

  it('says what failed, what redis-server printed and what to do when it will not start', async () => {
    const dir = path.join(tmp.dir, 'broken');
    await mkdir(path.join(dir, 'appendonlydir'), { recursive: true });
    await writeFile(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'garbage line\n');
    const port = await freePort();
    const error = await startRedisServer({ dir, port, log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The embedded Redis \\(redis-server on port ${port}, data in .*broken\\) failed to start: it exited \\(code 1\\) after printing ".*Invalid AOF manifest file format"; fix what it reports, or set REDIS_URL to a Redis server of your own\\.$`,
      ),
    );
  });
});
