import { describe, expect, it } from 'vitest';
import { MATCHING } from './config.ts';
import { compatible, scorePair, type MatchableListing } from './score.ts';

let next = 0;
function listing(overrides: Partial<MatchableListing>): MatchableListing {
  next += 1;
  return {
    id: `l${next}`,
    side: 'supply',
    kind: 'achievement',
    revision: 1,
    organizationId: `org${next}`,
    organizationName: `机构${next}`,
    organizationType: 'university',
    title: '锂离子电池热失控早期预警技术',
    summary: '基于多传感器融合的锂离子电池安全监测系统，可在热失控发生前数分钟发出预警。',
    keywords: ['锂离子电池', '热失控'],
    industries: ['new-energy.lithium-battery'],
    provinceCode: '320000',
    cityCode: '320500',
    maturity: 'pilot',
    modes: ['license'],
    priceMin: 500_000,
    priceMax: 800_000,
    publishedAt: new Date(),
    ipCount: 0,
    confirmedDeals: 0,
    ...overrides,
  };
}

const need = (overrides: Partial<MatchableListing> = {}) =>
  listing({
    side: 'demand',
    kind: 'tech_need',
    organizationType: 'enterprise',
    title: '储能电池包热失控监测预警方案',
    summary: '我公司生产储能电池包，需要一套能提前发现锂电池热失控的监测预警方案，误报率低。',
    keywords: ['电池包', '热失控', '预警'],
    industries: ['new-energy.energy-storage'],
    priceMin: 300_000,
    priceMax: 1_000_000,
    ...overrides,
  });

describe('scorePair', () => {
  it('scores a pair about the same technology above the threshold, with a reason per strong feature in both languages', () => {
    const pair = scorePair(listing({}), need());
    expect(pair.score).toBeGreaterThanOrEqual(MATCHING.threshold);
    const features = pair.reasons.map((r) => r.feature);
    expect(features).toContain('text');
    expect(pair.reasons.find((r) => r.feature === 'industry')).toMatchObject({ zh: '同属新能源领域', en: 'Both in New energy' });
    expect(pair.reasons.find((r) => r.feature === 'price')).toMatchObject({ zh: '预算覆盖报价区间' });
    expect(pair.reasons.find((r) => r.feature === 'region')).toMatchObject({ zh: '同在苏州市', en: 'Both in Suzhou' });
    for (const reason of pair.reasons) expect(reason.en).toMatch(/^[\x20-\x7e\u4e00-\u9fff，、]+$/);
    expect(Object.keys(pair.breakdown).sort()).toEqual(Object.keys(MATCHING.weights).sort());
  });

  it('is symmetric: the same pair scores the same from either side', () => {
    const [s, d] = [listing({}), need()];
    const now = Date.now();
    expect(scorePair(s, d, now)).toEqual(scorePair(d, s, now));
  });

  it('gives an unrelated pair no score, whatever else agrees', () => {
    const unrelated = need({ title: '中药材种植病虫害绿色防控', summary: '寻求中药材种植过程中的病虫害绿色防控技术，减少农药残留。', keywords: ['中药材', '病虫害'], industries: ['biomedicine.tcm'] });
    expect(scorePair(listing({}), unrelated).score).toBe(0);
    // A person who pairs them anyway (staff, a raised hand) gets the features' honest sum instead.
    const judged = scorePair(listing({}), unrelated, Date.now(), MATCHING, true);
    expect(judged.score).toBeGreaterThan(0);
    expect(judged.score).toBeLessThan(MATCHING.threshold);
  });

  it('ranks the supply that fits the budget, maturity and modes above one that does not', () => {
    const demand = need({ maturity: 'industrial', modes: ['license', 'transfer'] });
    const fits = scorePair(listing({ maturity: 'industrial', modes: ['license'], priceMin: 400_000, priceMax: 900_000 }), demand);
    const misfit = scorePair(listing({ maturity: 'research', modes: ['equity'], priceMin: 5_000_000, priceMax: 9_000_000 }), demand);
    expect(fits.score).toBeGreaterThan(misfit.score);
    expect(misfit.breakdown.price.value).toBe(0);
    expect(misfit.breakdown.maturity.value).toBe(0);
    expect(misfit.breakdown.modes.value).toBe(0);
  });

  it('treats missing fields as neutral and never throws on empty text', () => {
    const sparse = need({ title: '的 了 和', summary: '', keywords: [], industries: [], provinceCode: null, cityCode: null, maturity: null, modes: [], priceMin: null, priceMax: null });
    const pair = scorePair(listing({}), sparse);
    expect(pair.score).toBe(0);
    expect(pair.breakdown.region.value).toBe(0.4);
    expect(pair.breakdown.price.value).toBe(0.5);
  });

  it('understands an English title against Chinese text through shared Latin terms', () => {
    const english = need({ title: 'BMS thermal runaway early warning', summary: 'We need BMS based thermal runaway early warning for battery packs.', keywords: ['BMS'] });
    const pair = scorePair(listing({ summary: '可集成到BMS的锂离子电池热失控预警系统。', keywords: ['BMS', '热失控'] }), english);
    expect(pair.breakdown.text.value).toBeGreaterThan(0);
  });
});

describe('compatible', () => {
  it('pairs opposite sides of answering kinds from different organisations only', () => {
    expect(compatible(listing({}), need())).toBe(true);
    expect(compatible(listing({ kind: 'financial_product' }), need())).toBe(false);
    expect(compatible(listing({ kind: 'financial_product' }), need({ kind: 'financing_need' }))).toBe(true);
    expect(compatible(listing({ organizationId: 'same' }), need({ organizationId: 'same' }))).toBe(false);
    expect(compatible(listing({}), listing({}))).toBe(false);
  });
});
