import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';

export const silentLog = pino({ level: 'silent' });

/** A temporary directory readable by other users, so the embedded PostgreSQL (run as `postgres` when we are root) keeps its cluster in it. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `hub-${prefix}-`));
  await chmod(dir, 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Services a test started; `stopAll()` in afterAll stops whatever a failed or timed-out test left running. */
export function serviceTracker() {
  const running: Array<{ stop: () => Promise<void> }> = [];
  return {
    track<T extends { stop: () => Promise<void> }>(service: T): T {
      running.push(service);
      return service;
    },
    stopAll: () => Promise.all(running.map((s) => s.stop())),
  };
}
