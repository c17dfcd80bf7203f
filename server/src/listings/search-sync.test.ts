import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../../worker/src/worker.ts';
import { ApiClient } from '../../test/client.ts';
import { buildListingContent, registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

/** The longest a change may take to reach search (typically well under a second; generous for a loaded CI machine). */
const SYNC_DELAY_MS = 10_000;

let t: TestHub;
let worker: ReturnType<typeof startWorker>;
let owner: Awaited<ReturnType<typeof registerApprovedMember>>;
let reviewer: Awaited<ReturnType<typeof signInStaff>>;
const anyone = () => new ApiClient(t.baseUrl);
const approve = { decision: 'approve', checklist: { no_classified_content: true, true_and_accurate: true, current_and_valid: true } };

beforeAll(async () => {
  t = await startTestHub();
  worker = startWorker(t.config, t.urls, pino({ level: 'silent' }), { metricsPort: 0 });
  await worker.listening;
  owner = await registerApprovedMember(t.ctx.db, t.baseUrl);
  reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

async function hitIds(q: string): Promise<string[]> {
  const res = await anyone().get(`/api/listings/search?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return res.body.hits.map((h: { id: string }) => h.id);
}

describe('search follows Postgres within the sync delay', () => {
  it('a listing appears once approved, never before, and disappears when withdrawn or taken down', async () => {
    const marker = `钠离子电池正极材料${Date.now() % 100000}`;
    const created = await owner.client.post('/api/listings', {
      side: 'supply',
      content: buildListingContent({ title: `${marker} 低成本制备技术`, keywords: ['钠离子电池', '正极材料'] }),
      submit: true,
    });
    const id = created.body.id as string;
    await new Promise((r) => setTimeout(r, 500));
    expect(await hitIds(marker)).not.toContain(id);

    await reviewer.client.post(`/api/review/listings/${id}/decision`, approve);
    await expect.poll(() => hitIds(marker), { timeout: SYNC_DELAY_MS, interval: 100 }).toContain(id);
    const hit = (await anyone().get(`/api/listings/search?q=${encodeURIComponent(marker)}`)).body.hits[0];
    expect(JSON.stringify(hit)).not.toContain('SECRET-');

    await owner.client.post(`/api/listings/${id}/withdraw`);
    await expect.poll(() => hitIds(marker), { timeout: SYNC_DELAY_MS, interval: 100 }).not.toContain(id);
  });

  it('a take-down leaves search within the delay', async () => {
    const marker = `固态电解质界面修饰${Date.now() % 100000}`;
    const created = await owner.client.post('/api/listings', { side: 'supply', content: buildListingContent({ title: `${marker} 技术` }), submit: true });
    const id = created.body.id as string;
    await reviewer.client.post(`/api/review/listings/${id}/decision`, approve);
    await expect.poll(() => hitIds(marker), { timeout: SYNC_DELAY_MS, interval: 100 }).toContain(id);
    await reviewer.client.post(`/api/review/listings/${id}/take-down`, { reason: '信息不实' });
    await expect.poll(() => hitIds(marker), { timeout: SYNC_DELAY_MS, interval: 100 }).not.toContain(id);
  });

  it('refuses an unknown filter with 400 and treats Meilisearch syntax in the query as text', async () => {
    const unknown = await anyone().get('/api/listings/search?q=电池&secretFilter=1');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('validation_failed');
    for (const q of ['"', 'status = draft OR 1=1', '\\', '*', '-电池', '(AND)', '电池" OR status = "draft']) {
      expect((await anyone().get(`/api/listings/search?q=${encodeURIComponent(q)}`)).status).toBe(200);
    }
    expect((await anyone().get('/api/listings/search?industry=unknown-field')).status).toBe(400);
    expect((await anyone().get('/api/listings/search?priceMin=10&priceMax=1')).status).toBe(400);
  });
});
