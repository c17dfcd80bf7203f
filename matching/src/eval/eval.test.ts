import { readFile } from 'node:fs/promises';
import { createDb, type Db } from '@hub/db';
import { createSearchClient, type SearchTarget } from '@hub/search';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../server/test/harness.ts';
import { checkDataset, EvalDataset, loadDataset } from './dataset.ts';
import { evaluate } from './run.ts';

let db: Db;
let search: SearchTarget;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const services = await createTestServices();
  cleanup = services.cleanup;
  db = createDb(services.urls.databaseUrl, { max: 4 });
  search = { client: createSearchClient(services.urls.meiliUrl, services.urls.meiliMasterKey), indexUid: `${services.config.MEILI_INDEX_PREFIX}_eval` };
});
afterAll(async () => {
  await search.client.deleteIndex(search.indexUid).catch(() => undefined);
  await db.$disconnect();
  await cleanup();
});

describe('match:eval on the shipped labelled set', () => {
  it('runs the real pipeline and the scorer ranks better than Meilisearch alone, in both directions', { timeout: 180_000 }, async () => {
    const dataset = EvalDataset.parse(JSON.parse(await readFile(new URL('../../eval/dataset.json', import.meta.url), 'utf8')));
    expect(checkDataset(dataset)).toEqual([]);
    expect(dataset.listings.filter((l) => l.side === 'demand').length).toBeGreaterThanOrEqual(60);
    const figures = await evaluate(db, search, dataset, await loadDataset(db, dataset));
    for (const direction of [figures.demandToSupply, figures.supplyToDemand]) {
      for (const run of [direction.scorer, direction.meiliOrder, direction.singleQuery]) {
        for (const value of [run['precision@5'], run['recall@10'], run['nDCG@10'], run.MRR]) expect(value).toBeGreaterThanOrEqual(0);
        expect(run.MRR).toBeLessThanOrEqual(1);
      }
      expect(direction.scorer['nDCG@10']).toBeGreaterThan(direction.meiliOrder['nDCG@10']);
      expect(direction.meiliOrder['nDCG@10']).toBeGreaterThan(direction.singleQuery['nDCG@10']);
      expect(direction['candidateRecall@50']).toBeGreaterThan(0.5);
    }
  });
});

describe('datasets from elsewhere', () => {
  it('loads listings with only the required fields, or with unknown codes, and evaluates them without crashing', async () => {
    const dataset = EvalDataset.parse({
      listings: [
        { id: 'D1', side: 'demand', title: 'Battery thermal runaway warning', summary: 'We need an early warning for thermal runaway in battery packs.' },
        { id: 'D2', side: 'demand', title: '的了和', kind: 'no_such_kind', region: 'nowhere', modes: ['barter'], priceMin: 10 },
        { id: 'S1', side: 'supply', title: '锂电池热失控预警', summary: '电池热失控早期预警系统，thermal runaway warning。', industries: ['no-such-industry'], keywords: ['热失控'] },
        { id: 'S2', side: 'supply', kind: 'financial_product', title: '科技贷', summary: '面向科技型中小企业的信用贷款产品。', priceMin: 5, priceMax: 1 },
      ],
      relevant: [{ demand: 'D1', supply: 'S1', grade: 3 }, { demand: 'D2', supply: 'S1', grade: 1 }],
    });
    expect(checkDataset(dataset)).toEqual([]);
    const sparse = { ...search, indexUid: `${search.indexUid}_sparse` };
    try {
      const figures = await evaluate(db, sparse, dataset, await loadDataset(db, dataset));
      expect(figures.demandToSupply.scorer.queries).toBe(2);
      expect(figures.supplyToDemand.scorer.queries).toBe(1);
    } finally {
      await search.client.deleteIndex(sparse.indexUid).catch(() => undefined);
    }
  });

  it('refuses labels that name missing listings or the wrong side', () => {
    const dataset = EvalDataset.parse({
      listings: [{ id: 'a', side: 'demand', title: '需求甲方', summary: '' }, { id: 'b', side: 'demand', title: '需求乙方', summary: '' }],
      relevant: [{ demand: 'a', supply: 'b', grade: 2 }, { demand: 'zz', supply: 'a', grade: 1 }],
    });
    expect(checkDataset(dataset)).toEqual([
      'relevant.supply b is not a supply listing in the set',
      'relevant.demand zz is not a demand listing in the set',
      'relevant.supply a is not a supply listing in the set',
    ]);
  });
});
