import { describe, expect, it } from 'vitest';
import { candidateRecall, ndcgAt, precisionAt, rankingFigures, recallAt, reciprocalRank } from './metrics.ts';

const judged = (ranked: string[], labels: Record<string, number>) => ({ ranked, grades: new Map(Object.entries(labels)) });

describe('ranking measures', () => {
  it('precision@k counts relevant items among the first k, over k', () => {
    expect(precisionAt(5, judged(['a', 'x', 'b', 'y', 'z', 'c'], { a: 1, b: 3, c: 2 }))).toBeCloseTo(2 / 5);
    expect(precisionAt(5, judged([], { a: 1 }))).toBe(0);
  });

  it('recall@k is the share of labelled items found in the first k', () => {
    expect(recallAt(2, judged(['a', 'x', 'b'], { a: 1, b: 1, c: 1, d: 1 }))).toBe(0.25);
    expect(recallAt(10, judged(['a', 'b'], {}))).toBe(0);
  });

  it('nDCG is 1 for the ideal order, lower when a better item is ranked lower, 0 with nothing relevant', () => {
    expect(ndcgAt(10, judged(['b', 'c', 'a'], { a: 1, b: 3, c: 2 }))).toBeCloseTo(1);
    const swapped = ndcgAt(10, judged(['a', 'c', 'b'], { a: 1, b: 3, c: 2 }));
    expect(swapped).toBeLessThan(1);
    expect(swapped).toBeGreaterThan(0);
    // Hand-computed: DCG = 1/1 + 3/log2(3) + 7/2, IDCG = 7 + 3/log2(3) + 1/2.
    expect(swapped).toBeCloseTo((1 + 3 / Math.log2(3) + 7 / 2) / (7 + 3 / Math.log2(3) + 1 / 2));
    expect(ndcgAt(10, judged(['x', 'y'], { a: 2 }))).toBe(0);
  });

  it('MRR takes the first relevant rank', () => {
    expect(reciprocalRank(judged(['x', 'y', 'a', 'b'], { a: 1, b: 3 }))).toBeCloseTo(1 / 3);
    expect(reciprocalRank(judged(['x'], { a: 1 }))).toBe(0);
  });

  it('averages over queries', () => {
    const figures = rankingFigures([judged(['a'], { a: 1 }), judged(['x'], { b: 1 })]);
    expect(figures).toEqual({ queries: 2, 'precision@5': 0.1, 'recall@10': 0.5, 'nDCG@10': 0.5, MRR: 0.5 });
    expect(candidateRecall(1, [judged(['a', 'b'], { a: 1, b: 1 })])).toBe(0.5);
  });
});
