import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../../worker/src/worker.ts';
import { connected, nextEvent } from '../../test/client.ts';
import { buildListingContent, registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;
let worker: ReturnType<typeof startWorker>;
const approve = { decision: 'approve', checklist: { no_classified_content: true, true_and_accurate: true, current_and_valid: true } };

beforeAll(async () => {
  t = await startTestHub();
  worker = startWorker(t.config, t.urls, pino({ level: 'silent' }), { metricsPort: 0 });
  await worker.listening;
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

describe('publish → match → push', () => {
  it('pushes an explained match to both parties when the second listing is published', async () => {
    const supplier = await registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'university', enterpriseSize: undefined } });
    const demander = await registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'enterprise' } });
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    const supply = await supplier.client.post('/api/listings', {
      side: 'supply',
      content: buildListingContent({
        kind: 'achievement',
        title: '锂离子电池热失控早期预警技术',
        summary: '基于多传感器融合的锂离子电池安全监测系统，可在热失控发生前数分钟发出预警，适用于储能电站和电动汽车电池包。',
        keywords: ['锂离子电池', '热失控', '预警'],
        industries: ['new-energy.lithium-battery'],
        details: 'SECRET-SUPPLY-DETAILS',
      }),
      submit: true,
    });
    await reviewer.client.post(`/api/review/listings/${supply.body.id}/decision`, approve);
    await new Promise((r) => setTimeout(r, 1500));

    const supplierSocket = supplier.client.socket();
    const demanderSocket = demander.client.socket();
    await Promise.all([connected(supplierSocket), connected(demanderSocket)]);
    const toSupplier = nextEvent(supplierSocket, 'match:new', 20_000);
    const toDemander = nextEvent(demanderSocket, 'match:new', 20_000);
    const demand = await demander.client.post('/api/listings', {
      side: 'demand',
      content: buildListingContent({
        kind: 'tech_need',
        title: '储能电池包热失控监测预警方案',
        summary: '我公司生产储能电池包，需要一套能提前发现锂电池热失控的监测预警方案，要求误报率低，可集成到电池管理系统。',
        keywords: ['电池包', '热失控', '监测预警'],
        industries: ['new-energy.energy-storage'],
        details: 'SECRET-DEMAND-DETAILS',
      }),
      submit: true,
    });
    await reviewer.client.post(`/api/review/listings/${demand.body.id}/decision`, approve);
    const [a, b] = await Promise.all([toSupplier, toDemander]);
    expect(a.id).toBe(b.id);
    expect(a.mySide).toBe('supply');
    expect(b.mySide).toBe('demand');
    expect(a.supply.listing.id).toBe(supply.body.id);
    expect(a.demand.listing.id).toBe(demand.body.id);
    expect(a.reasons.map((r) => r.zh).join(' ')).toContain('失控');
    expect(JSON.stringify(b)).not.toContain('SECRET-SUPPLY-DETAILS');
    supplierSocket.close();
    demanderSocket.close();
  });
});
