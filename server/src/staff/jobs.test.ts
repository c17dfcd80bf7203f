import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../../worker/src/worker.ts';
import { registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;
let worker: ReturnType<typeof startWorker>;

beforeAll(async () => {
  t = await startTestHub();
  worker = startWorker(t.config, t.urls, pino({ level: 'silent' }), { metricsPort: 0 });
  await worker.listening;
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

describe('GET /api/staff/jobs', () => {
  it('shows staff a malformed job as failed at once, with its schema problem as the reason', async () => {
    // A payload that bypasses `enqueue` (which validates) as a buggy or older producer might send it.
    await t.ctx.queue.add('match-listing', { listingId: 'not-a-uuid', revision: 0 }, { jobId: 'malformed-match-listing', attempts: 5 });
    const moderator = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    let failed: { id: string; name: string; failedReason: string; attemptsMade: number }[] = [];
    await expect
      .poll(async () => {
        failed = (await moderator.client.get('/api/staff/jobs')).body.failed;
        return failed.map((j) => j.id);
      }, { timeout: 20_000, interval: 200 })
      .toContain('malformed-match-listing');
    const job = failed.find((j) => j.id === 'malformed-match-listing')!;
    expect(job.name).toBe('match-listing');
    expect(job.failedReason).toContain('Invalid match-listing payload');
    expect(job.failedReason).toContain('listingId');
    expect(job.attemptsMade).toBe(1);
    const counts = (await moderator.client.get('/api/staff/jobs')).body.counts;
    expect(counts.failed).toBeGreaterThanOrEqual(1);
  });

  it('is for staff only', async () => {
    const member = await registerApprovedMember(t.ctx.db, t.baseUrl);
    expect((await member.client.get('/api/staff/jobs')).status).toBe(403);
  });
});
