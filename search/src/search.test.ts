import { createDb, type Db } from '@hub/db';
import { ListingSearchQuery, type ListingSearchResult } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildListingRows, type ListingRowOverrides } from '../../server/test/listing-factory.ts';
import { createTestServices } from '../../server/test/harness.ts';
import { createSearchClient, type SearchClient } from './client.ts';
import { LISTING_FOR_INDEX, listingDocument } from './documents.ts';
import { searchListings } from './query.ts';
import { reindex, type ReindexProgress } from './reindex.ts';
import { applySettings, indexName } from './settings.ts';
import { reconcile, syncListing } from './sync.ts';
import { settled } from './tasks.ts';

let db: Db;
let client: SearchClient;
let prefix: string;
let uid: string;
let cleanup: () => Promise<void>;
const ids: Record<string, string> = {};

const SECRET = '鳄梨蜂鸟鲲鹏';

/** Realistic listings, by a short name the tests use. */
const CORPUS: Record<string, ListingRowOverrides> = {
  thermal: {
    title: '动力锂电池热失控预警与主动防护技术',
    summary: '基于多传感器融合的锂电池热失控早期预警系统，可提前十分钟识别电芯异常温升并联动灭火装置，适用于储能电站和电动汽车。',
    industries: ['new-energy.lithium-battery'],
    keywords: ['热失控', '电池安全', '储能'],
    maturity: 'pilot',
    price: { min: 1_000_000, max: 3_000_000 },
    details: `${SECRET}：电解液添加剂配方`,
  },
  cathode: {
    title: '高镍三元锂电池正极材料量产工艺',
    summary: '通过共沉淀与两段烧结工艺制备高镍三元正极材料，克容量达到205mAh/g，适合动力锂电池规模化生产。',
    industries: ['new-energy.lithium-battery', 'advanced-materials.nano'],
    keywords: ['正极材料', '高镍'],
    maturity: 'industrial',
    price: { min: 5_000_000, max: 8_000_000 },
    provinceCode: '440000',
    cityCode: '440300',
  },
  vision: {
    title: '工业机器人视觉检测与缺陷识别系统',
    summary: '面向3C电子装配线的机器视觉检测方案，利用深度学习识别划痕、缺件和错位，检测精度达到99.5%，支持与工业机器人协同作业。',
    industries: ['robotics.machine-vision'],
    keywords: ['缺陷检测', '深度学习'],
    maturity: 'industrial',
    modes: ['license', 'service'],
    price: 'negotiable',
    provinceCode: '440000',
    cityCode: '440300',
  },
  welding: {
    kind: 'tech_need',
    title: '求购汽车零部件焊接工业机器人集成方案',
    summary: '我司为汽车零部件制造企业，现需引进焊接工业机器人自动化产线集成方案，要求节拍不高于45秒，预算面议，欢迎高校院所对接。',
    industries: ['robotics.industrial'],
    keywords: ['焊接', '自动化产线'],
    maturity: 'industrial',
    modes: ['joint_development'],
    price: { min: 2_000_000, max: 4_000_000 },
    provinceCode: '320000',
    cityCode: '320500',
  },
  ai: {
    title: '人工智能医学影像辅助诊断平台',
    summary: '基于深度卷积神经网络的肺结节和眼底病变辅助诊断软件，已在三甲医院完成多中心临床验证，可提供技术许可和联合开发。',
    industries: ['next-gen-it.ai', 'biomedicine.medical-devices'],
    keywords: ['医学影像', '辅助诊断'],
    maturity: 'pilot',
    price: { min: 300_000, max: 600_000 },
    provinceCode: '110000',
    cityCode: '110100',
  },
  pv: {
    kind: 'tech_need',
    title: '寻求光伏组件回收与银浆再利用技术',
    summary: '某新能源企业计划建设退役光伏组件回收产线，寻求高效拆解、硅料提纯和银浆回收技术，希望以技术转让或合作开发方式合作。',
    industries: ['new-energy.photovoltaic', 'energy-saving.solid-waste'],
    keywords: ['组件回收', '银浆'],
    maturity: 'research',
    modes: ['transfer', 'joint_development'],
    price: { min: 100_000, max: 200_000 },
  },
  script: {
    title: '<script>alert(1)</script>电池管理系统芯片',
    summary: '一种低功耗电池管理系统芯片设计方案，支持16串电芯均衡，包含 <b>粗体</b> & “引号” 的说明文字，用于检验转义是否正确处理。',
    industries: ['electronics.ic'],
    keywords: ['BMS', '芯片'],
    price: { min: 800_000, max: 900_000 },
  },
  withdrawn: {
    title: '已撤回的钠离子电池负极材料技术',
    summary: '一种硬碳负极材料制备方法，用于钠离子电池，首效高，成本低，此条目已被撤回，不应出现在搜索结果中，用于同步测试。',
    industries: ['new-energy.energy-storage'],
    keywords: ['钠离子电池'],
  },
};

beforeAll(async () => {
  const services = await createTestServices();
  cleanup = services.cleanup;
  db = createDb(services.urls.databaseUrl, { max: 4 });
  client = createSearchClient(services.urls.meiliUrl, services.urls.meiliMasterKey);
  prefix = services.config.MEILI_INDEX_PREFIX;
  uid = indexName(prefix);
  await applySettings(client, uid);
  let day = 0;
  for (const [name, overrides] of Object.entries(CORPUS)) {
    const { listing } = await buildListingRows(db, { ...overrides, publishedAt: new Date(Date.UTC(2026, 9, 1 + day++)) });
    ids[name] = listing.id;
    await syncListing(db, client, uid, listing.id);
  }
});
afterAll(async () => {
  const indexes = await client.getIndexes({ limit: 1000 });
  await Promise.all(indexes.results.filter((i) => i.uid.startsWith(prefix)).map((i) => settled(client.deleteIndex(i.uid), 'cleanup')));
  await db.$disconnect();
  await cleanup();
});

const search = (input: Record<string, unknown>): Promise<ListingSearchResult> => searchListings(client, uid, ListingSearchQuery.parse(input));
const hitIds = (r: ListingSearchResult) => r.hits.map((h) => h.id);
const nameOf = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0];
const names = (r: ListingSearchResult) => hitIds(r).map(nameOf);

describe('search documents', () => {
  it('never carry the confidential details', async () => {
    const row = await db.listing.findUniqueOrThrow({ where: { id: ids.thermal! }, include: { organization: true, publishedVersion: true } });
    expect(row.publishedVersion!.details).toContain(SECRET);
    const doc = listingDocument(row);
    expect(JSON.stringify(doc)).not.toContain(SECRET);
    expect(doc).not.toHaveProperty('details');
    expect(doc.industries).toEqual(['new-energy', 'new-energy.lithium-battery']);
    expect(doc.regionName).toBe('浙江省 杭州市');
    expect(doc.terms.split(' ')).toEqual(expect.arrayContaining(['锂电', '电池', '锂电池', '失控']));
    const stored = await client.index(uid).getDocuments({ limit: 100 });
    expect(JSON.stringify(stored.results)).not.toContain(SECRET);
    expect(stored.results.every((d) => !('details' in d))).toBe(true);
    const bySecret = await search({ q: SECRET });
    expect(bySecret.total).toBe(0);
    expect(JSON.stringify(await search({ q: '热失控' }))).not.toContain(SECRET);
    // The index loader omits the column altogether.
    const loaded = await db.listing.findUniqueOrThrow({ where: { id: ids.thermal! }, include: LISTING_FOR_INDEX });
    expect(loaded.publishedVersion).not.toHaveProperty('details');
  });
});

describe('Chinese queries', () => {
  it('锂电池热失控 finds the thermal-runaway listing first', async () => {
    const r = await search({ q: '锂电池热失控' });
    expect(names(r)[0]).toBe('thermal');
    expect(r.hits[0]!.highlight.title).toContain('<mark>');
  });

  it('工业机器人视觉检测 finds the robot vision listing first', async () => {
    expect(names(await search({ q: '工业机器人视觉检测' }))[0]).toBe('vision');
  });

  it('a short word finds the compounds that contain it', async () => {
    const battery = names(await search({ q: '电池' }));
    expect(battery).toEqual(expect.arrayContaining(['thermal', 'cathode', 'script', 'withdrawn']));
    const robot = names(await search({ q: '机器人' }));
    expect(robot).toEqual(expect.arrayContaining(['vision', 'welding']));
    const r = await search({ q: '电池' });
    expect(r.hits.find((h) => h.id === ids.cathode)!.highlight.title).toContain('锂<mark>电池</mark>');
  });

  it('synonyms: 锂离子电池 finds 锂电池, AI finds 人工智能, 太阳能电池 finds 光伏', async () => {
    expect(names(await search({ q: '锂离子电池' }))).toEqual(expect.arrayContaining(['thermal', 'cathode']));
    expect(names(await search({ q: 'AI' }))[0]).toBe('ai');
    expect(names(await search({ q: 'ai' }))[0]).toBe('ai');
    expect(names(await search({ q: '太阳能电池' }))).toContain('pv');
  });

  it('special characters are just text', async () => {
    for (const q of ['"', '"电池', '-电池', '电池 -锂电池', '*', '\\', '[]', '()', '{}', 'AND', 'OR', 'NOT', 'status = "draft"', 'side = supply OR 1=1', "'; DROP TABLE", '\\"', '-', '电池"', '<>&', '%', '?', ':', '_']) {
      const r = await search({ q });
      expect(r.hits, q).toBeInstanceOf(Array);
    }
    // Negation and phrase syntax are neutralised: -电池 still finds battery listings.
    expect(names(await search({ q: '-电池' }))).toContain('thermal');
    expect((await search({ q: 'status = "draft"' })).hits.every((h) => h.id)).toBe(true);
  });

  it('escapes the listing text in highlights; only our <mark> tags are raw', async () => {
    const r = await search({ q: '电池管理系统' });
    const hit = r.hits.find((h) => h.id === ids.script)!;
    expect(hit.highlight.title).not.toContain('<script>');
    expect(hit.highlight.title).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hit.highlight.title).toMatch(/<mark>[^<]*<\/mark>/);
    expect(hit.highlight.summary).toContain('&lt;b&gt;');
    expect(hit.highlight.summary).toContain('&amp;');
    expect(hit.highlight.summary.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect(hit.title).toBe(CORPUS.script!.title); // raw text stays raw in the data field, rendered escaped by the web
  });

  it('crops the summary to about 120 characters around the match', async () => {
    const r = await search({ q: '联动灭火' });
    const summary = r.hits.find((h) => h.id === ids.thermal)!.highlight.summary;
    expect(summary.replace(/<\/?mark>/g, '').length).toBeLessThanOrEqual(122);
    expect(summary).toContain('<mark>');
  });
});

describe('filters, facets, sort, paging', () => {
  it('filters by side and kind', async () => {
    expect(names(await search({ side: 'demand' })).sort()).toEqual(['pv', 'welding']);
    expect(names(await search({ kind: 'tech_need' })).sort()).toEqual(['pv', 'welding']);
    expect((await search({ kind: 'achievement,tech_need' })).total).toBe(8);
  });

  it('a field finds the listings in its sub-fields', async () => {
    expect(names(await search({ industry: 'robotics' })).sort()).toEqual(['vision', 'welding']);
    expect(names(await search({ industry: 'robotics.machine-vision' }))).toEqual(['vision']);
    expect(names(await search({ industry: 'new-energy' })).sort()).toEqual(['cathode', 'pv', 'thermal', 'withdrawn']);
  });

  it('filters by province, city and maturity', async () => {
    expect(names(await search({ province: '440000' })).sort()).toEqual(['cathode', 'vision']);
    expect(names(await search({ city: '320500' }))).toEqual(['welding']);
    expect(names(await search({ maturity: 'research' }))).toEqual(['pv']);
    expect(names(await search({ maturity: 'industrial', province: '440000' })).sort()).toEqual(['cathode', 'vision']);
  });

  it('price overlap keeps negotiable listings', async () => {
    // [1.5M, 2.5M] overlaps thermal [1M,3M], welding [2M,4M] and withdrawn [0.5M,2M]; vision is 面议.
    expect(names(await search({ priceMin: 1_500_000, priceMax: 2_500_000 })).sort()).toEqual(['thermal', 'vision', 'welding', 'withdrawn']);
    expect(names(await search({ priceMin: 2_100_000, priceMax: 2_500_000 })).sort()).toEqual(['thermal', 'vision', 'welding']);
    expect(names(await search({ priceMin: 6_000_000 })).sort()).toEqual(['cathode', 'vision']);
    expect(names(await search({ priceMax: 150_000 })).sort()).toEqual(['pv', 'vision']);
    const vision = (await search({ q: '视觉' })).hits.find((h) => h.id === ids.vision)!;
    expect(vision.price).toEqual({ mode: 'negotiable', min: null, max: null });
  });

  it('counts facets', async () => {
    const r = await search({});
    expect(r.total).toBe(8);
    expect(r.facets.side).toEqual({ supply: 6, demand: 2 });
    expect(r.facets.industry!['new-energy']).toBe(4);
    expect(r.facets.industry!['robotics.industrial']).toBe(1);
    expect(r.facets.province!['440000']).toBe(2);
    expect(r.facets.maturity!.industrial).toBe(3);
    expect(r.facets.mode!.license).toBeGreaterThan(0);
    expect(r.facets.orgType!.enterprise).toBe(8);
    expect(Object.keys(r.facets).sort()).toEqual(['industry', 'kind', 'maturity', 'mode', 'orgType', 'province', 'side']);
  });

  it('counts a filtered facet group as if its own filter were off, and the other groups with it on', async () => {
    const r = await search({ side: 'demand', province: '440000' });
    expect(r.total).toBe(0);
    // side: counted within 广东 only (both Guangdong listings are supply), not restricted to demand.
    expect(r.facets.side).toEqual({ supply: 2 });
    // province: counted among demand listings, whatever the province.
    expect(Object.values(r.facets.province!).reduce((a, b) => a + b, 0)).toBe(2);
    expect(r.facets.province!['440000']).toBeUndefined();
    // a group with no filter of its own follows every filter: nothing is both demand and in 广东.
    expect(r.facets.maturity).toEqual({});
  });

  it('sorts by newest and by price', async () => {
    expect(names(await search({ sort: 'newest' }))[0]).toBe('withdrawn');
    expect(names(await search({ sort: 'newest' })).at(-1)).toBe('thermal');
    const asc = (await search({ sort: 'price_asc' })).hits.filter((h) => h.price.mode === 'range').map((h) => h.price.min!);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    const desc = (await search({ sort: 'price_desc' })).hits.filter((h) => h.price.mode === 'range').map((h) => h.price.max!);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    expect(names(await search({ sort: 'price_desc' }))[0]).toBe('cathode');
  });

  it('pages', async () => {
    const first = await search({ sort: 'newest', pageSize: 3 });
    const third = await search({ sort: 'newest', pageSize: 3, page: 3 });
    expect(first).toMatchObject({ total: 8, page: 1, pageSize: 3 });
    expect(first.hits).toHaveLength(3);
    expect(third.hits).toHaveLength(2);
    expect(new Set([...hitIds(first), ...hitIds(third)]).size).toBe(5);
  });
});

describe('sync and reconcile', () => {
  it('a withdrawn listing disappears after syncListing; republished, it comes back; syncing twice changes nothing', async () => {
    expect(names(await search({ q: '钠离子电池' }))).toContain('withdrawn');
    await db.listing.update({ where: { id: ids.withdrawn! }, data: { status: 'withdrawn', revision: { increment: 1 } } });
    expect(await syncListing(db, client, uid, ids.withdrawn!)).toMatchObject({ action: 'deleted' });
    expect(await syncListing(db, client, uid, ids.withdrawn!)).toMatchObject({ action: 'deleted' });
    expect(names(await search({ q: '钠离子电池' }))).not.toContain('withdrawn');
    await db.listing.update({ where: { id: ids.withdrawn! }, data: { status: 'published', revision: { increment: 1 } } });
    await syncListing(db, client, uid, ids.withdrawn!);
    await syncListing(db, client, uid, ids.withdrawn!);
    expect(names(await search({ q: '钠离子电池' }))).toContain('withdrawn');
  });

  it('an unpublished (pending) listing is never indexed, and an expired one is hidden by the filter at once', async () => {
    const { listing } = await buildListingRows(db, { status: 'pending', title: '待审核的氢燃料电池双极板技术' });
    expect(await syncListing(db, client, uid, listing.id)).toMatchObject({ action: 'deleted' });
    expect((await search({ q: '双极板' })).total).toBe(0);
    // Published but past its valid-until instant (the sweep has not run yet): not shown.
    const { listing: past } = await buildListingRows(db, { title: '已过期的风电叶片检测技术' });
    await db.listing.update({ where: { id: past.id }, data: { validUntil: new Date(Date.now() - 1000) } });
    await syncListing(db, client, uid, past.id);
    expect((await search({ q: '风电叶片' })).total).toBe(0);
    await db.listing.update({ where: { id: past.id }, data: { status: 'expired' } });
    await syncListing(db, client, uid, past.id);
  });

  it('reconcile repairs a document deleted behind its back, a stale revision and a stray document', async () => {
    expect(await reconcile(db, client, uid)).toEqual({ added: 0, updated: 0, removed: 0 });
    const index = client.index(uid);
    await settled(index.deleteDocument(ids.vision!), 'test: delete');
    await db.listing.update({ where: { id: ids.ai! }, data: { revision: { increment: 1 } } });
    const stray = listingDocument((await db.listing.findUniqueOrThrow({ where: { id: ids.pv! }, include: LISTING_FOR_INDEX })));
    await settled(index.addDocuments([{ ...stray, id: '00000000-0000-4000-8000-000000000000' }]), 'test: stray');
    expect((await search({ q: '视觉检测' })).hits.map((h) => h.id)).not.toContain(ids.vision);

    expect(await reconcile(db, client, uid)).toEqual({ added: 1, updated: 1, removed: 1 });
    expect(names(await search({ q: '工业机器人视觉检测' }))[0]).toBe('vision');
    expect(await reconcile(db, client, uid)).toEqual({ added: 0, updated: 0, removed: 0 });
  });
});

describe('reindex', () => {
  it('rebuilds into a new index and swaps it in while the live index keeps answering', async () => {
    const before = (await search({})).total;
    const progress: ReindexProgress[] = [];
    let answered = 0;
    let failed = 0;
    let running = true;
    const probe = (async () => {
      while (running) {
        const r = await search({ q: '电池' }).catch(() => null);
        if (r && r.total > 0) answered++;
        else failed++;
      }
    })();
    const result = await reindex(db, client, prefix, (p) => progress.push(p));
    running = false;
    await probe;
    expect(failed).toBe(0);
    expect(answered).toBeGreaterThan(0);
    expect(result).toMatchObject({ index: uid, indexed: before });
    expect(result.perSecond).toBeGreaterThan(0);
    expect(progress[0]).toEqual({ done: 0, total: before });
    expect(progress.at(-1)).toEqual({ done: before, total: before });
    expect((await search({})).total).toBe(before);
    expect(names(await search({ q: '锂电池热失控' }))[0]).toBe('thermal');
    const leftovers = (await client.getIndexes({ limit: 1000 })).results.filter((i) => i.uid.startsWith(`${uid}_`));
    expect(leftovers).toEqual([]);
    expect((await client.index(uid).getSettings()).synonyms).toHaveProperty('锂电池');
  });
});
