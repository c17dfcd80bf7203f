import type { Db } from '@hub/db';
import { JOBS, type JobQueue } from '@hub/protocol';
import { describe, expect, it } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { assertProcessorsMatchJobs, PROCESSORS, runJob, type ProcessorDeps } from './index.ts';

/** Deps that fail loudly if a processor is reached: refusals must happen before any work. */
const unreachable = new Proxy({}, {
  get(_target, prop) {
    throw new Error(`processor reached (${String(prop)})`);
  },
});
const deps: ProcessorDeps = {
  db: unreachable as Db,
  broadcast: unreachable as ProcessorDeps['broadcast'],
  queue: unreachable as JobQueue,
  bull: unreachable as ProcessorDeps['bull'],
  matches: unreachable as ProcessorDeps['matches'],
  search: unreachable as ProcessorDeps['search'],
  checkpoints: unreachable as ProcessorDeps['checkpoints'],
};

describe('assertProcessorsMatchJobs', () => {
  it('passes for the real registry', () => {
    expect(() => assertProcessorsMatchJobs()).not.toThrow();
    expect(() => assertProcessorsMatchJobs(PROCESSORS)).not.toThrow();
    expect(Object.keys(PROCESSORS).sort()).toEqual(Object.keys(JOBS).sort());
  });

  it('names a declared job that has no processor', () => {
    for (const name of Object.keys(JOBS)) {
      const rest: Record<string, unknown> = { ...PROCESSORS };
      delete rest[name];
      expect(() => assertProcessorsMatchJobs(rest)).toThrow(`no processor for [${name}], no declared job for [].`);
    }
  });

  it('names a processor that has no declared job', () => {
    const extra = { ...PROCESSORS, 'mine-bitcoin': async () => undefined };
    expect(() => assertProcessorsMatchJobs(extra)).toThrow(/no declared job for \[mine-bitcoin\]/);
    expect(() => assertProcessorsMatchJobs(extra)).not.toThrow(/no processor for \[\w/);
  });
});

describe('runJob', () => {
  it('refuses an invalid payload as unrecoverable (no retries), naming the field, before running the processor', () => {
    expect(() => runJob(deps, 'deliver-notification', { notificationId: 'not-a-uuid' })).toThrow(UnrecoverableError);
    expect(() => runJob(deps, 'deliver-notification', { notificationId: 'not-a-uuid' })).toThrow(/notificationId/);
    expect(() => runJob(deps, 'deliver-notification', {})).toThrow(UnrecoverableError);
    expect(() =>
      runJob(deps, 'deliver-notification', { notificationId: '0b8a3f0e-7c1d-4e55-9a43-2f1c6d7e8a90', extra: true }),
    ).toThrow(UnrecoverableError);
    expect(() => runJob(deps, 'sweep-notifications', { force: true })).toThrow(UnrecoverableError);
  });

  it('refuses an unknown job name', () => {
    expect(() => runJob(deps, 'mine-bitcoin', {})).toThrow(UnrecoverableError);
    expect(() => runJob(deps, 'mine-bitcoin', {})).toThrow('Unknown job mine-bitcoin');
    expect(() => runJob(deps, 'toString', {})).toThrow('Unknown job toString');
    expect(() => runJob(deps, '__proto__', {})).toThrow('Unknown job __proto__');
  });
});
