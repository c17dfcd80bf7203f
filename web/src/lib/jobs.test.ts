import { JOBS } from '@hub/protocol';
import { describe, expect, it } from 'vitest';
import { JOB_NAME_LABEL, jobLabel, newFailures, payloadText, stateCounts } from './jobs.ts';

describe('jobLabel', () => {
  it('names every job the worker runs, in the default locale', () => {
    expect(Object.keys(JOB_NAME_LABEL).sort()).toEqual(Object.keys(JOBS).sort());
    expect(jobLabel('match-listing')).toBe('匹配计算');
    expect(jobLabel('index-listing')).toBe('索引同步');
    expect(jobLabel('deliver-notification')).toBe('通知投递');
    expect(jobLabel('match-digest')).toBe('推送汇总');
    expect(jobLabel('sweep-matches')).toBe('匹配巡检');
    expect(jobLabel('reconcile-index')).toBe('索引对账');
    expect(jobLabel('expire-listings')).toBe('到期处理');
    expect(jobLabel('sweep-notifications')).toBe('通知巡检');
  });

  it('has no name for an unknown job, including inherited property names', () => {
    expect(jobLabel('rebuild-everything')).toBeNull();
    expect(jobLabel('toString')).toBeNull();
    expect(jobLabel('__proto__')).toBeNull();
    expect(jobLabel('')).toBeNull();
  });
});

describe('stateCounts', () => {
  it('folds prioritized and waiting-children jobs into waiting', () => {
    expect(stateCounts({ waiting: 2, prioritized: 3, 'waiting-children': 1, active: 1, delayed: 4, completed: 50, failed: 2 })).toEqual({
      waiting: 6,
      active: 1,
      delayed: 4,
      completed: 50,
      failed: 2,
    });
  });

  it('counts a state the queue did not report as 0', () => {
    expect(stateCounts({})).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
    expect(stateCounts({ failed: 1, paused: 7 })).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 1 });
  });
});

describe('payloadText', () => {
  it('is indented JSON, markup left as text', () => {
    expect(payloadText({ listingId: 'not-a-uuid', revision: 0 })).toBe('{\n  "listingId": "not-a-uuid",\n  "revision": 0\n}');
    expect(payloadText({ title: '<script>alert(1)</script>' })).toContain('"<script>alert(1)</script>"');
    expect(payloadText({})).toBe('{}');
    expect(payloadText(null)).toBe('null');
    expect(payloadText('text')).toBe('"text"');
  });

  it('shows a dash for no payload and never throws', () => {
    expect(payloadText(undefined)).toBe('—');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(payloadText(cyclic)).toBe('[object Object]');
    expect(payloadText(10n)).toBe('10');
  });
});

describe('newFailures', () => {
  const jobs = (...ids: string[]) => ids.map((id) => ({ id }));

  it('counts failures not shown before, and none on the first load', () => {
    expect(newFailures(null, jobs('a', 'b'))).toBe(0);
    expect(newFailures(jobs('a'), jobs('c', 'b', 'a'))).toBe(2);
    expect(newFailures(jobs('a', 'b'), jobs('a'))).toBe(0);
  });
});
