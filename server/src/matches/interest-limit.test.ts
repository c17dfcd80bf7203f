import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApprovedMember } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { buildListingRows } from '../../test/listing-factory.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ INTEREST_LIMIT_PER_HOUR: '2' });
});
afterAll(async () => {
  await t.close();
});

const need = (title: string) => ({
  kind: 'tech_need' as const,
  title,
  summary: `${title}：我公司需要相关技术支持，寻求有经验的服务机构合作，预算可议。`,
  keywords: ['技术转移'],
  industries: ['modern-services'],
});

describe('raising hands is rate-limited per organisation', () => {
  it('refuses the third hand in an hour with 429 rate_limited and stores nothing for it', async () => {
    const agency = await registerApprovedMember(t.ctx.db, t.baseUrl, { organization: { type: 'service_agency', enterpriseSize: undefined, specialities: ['brokerage'] } });
    const offer = await buildListingRows(t.ctx.db, {
      organizationId: agency.organizationId,
      kind: 'tech_service',
      title: '技术转移全流程代理服务',
      summary: '提供技术评估、交易撮合、合同登记与政策申报的全流程技术转移代理服务。',
      keywords: ['技术转移'],
      industries: ['modern-services'],
    });
    const demands = [await buildListingRows(t.ctx.db, need('专利许可谈判代理')), await buildListingRows(t.ctx.db, need('科技成果评估服务')), await buildListingRows(t.ctx.db, need('技术合同登记服务'))];
    const raise = (demandListingId: string) => agency.client.post('/api/matches/interest', { demandListingId, supplyListingId: offer.listing.id });
    expect((await raise(demands[0]!.listing.id)).status).toBe(201);
    expect((await raise(demands[1]!.listing.id)).status).toBe(201);
    const refused = await raise(demands[2]!.listing.id);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: 'rate_limited', details: { retryAfterSeconds: expect.any(Number) } });
    expect(await t.ctx.db.match.count({ where: { demandListingId: demands[2]!.listing.id } })).toBe(0);
    expect(await t.ctx.db.match.count({ where: { supplyListingId: offer.listing.id } })).toBe(2);
  });
});
