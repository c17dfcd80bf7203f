/** Ranking-quality measures over one query's ranked ids and its graded relevance labels (grade 1–3). */
export interface Judged {
  ranked: string[];
  grades: Map<string, number>;
}

const relevantIn = (ids: string[], grades: Map<string, number>) => ids.filter((id) => (grades.get(id) ?? 0) > 0).length;

export const precisionAt = (k: number, { ranked, grades }: Judged) => relevantIn(ranked.slice(0, k), grades) / k;

export const recallAt = (k: number, { ranked, grades }: Judged) => (grades.size ? relevantIn(ranked.slice(0, k), grades) / grades.size : 0);

/** nDCG with gain 2^grade − 1, against the ideal order of the labelled items. */
export function ndcgAt(k: number, { ranked, grades }: Judged): number {
  const dcg = (gains: number[]) => gains.slice(0, k).reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
  const ideal = dcg([...grades.values()].sort((a, b) => b - a));
  return ideal ? dcg(ranked.map((id) => grades.get(id) ?? 0)) / ideal : 0;
}

/** Reciprocal rank of the first relevant item (0 when none is ranked). */
export function reciprocalRank({ ranked, grades }: Judged): number {
  const first = ranked.findIndex((id) => (grades.get(id) ?? 0) > 0);
  return first < 0 ? 0 : 1 / (first + 1);
}

export interface RankingFigures {
  queries: number;
  'precision@5': number;
  'recall@10': number;
  'nDCG@10': number;
  MRR: number;
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
const round = (n: number) => Math.round(n * 1000) / 1000;

/** Mean of each measure over every judged query. */
export function rankingFigures(judged: Judged[]): RankingFigures {
  return {
    queries: judged.length,
    'precision@5': round(mean(judged.map((j) => precisionAt(5, j)))),
    'recall@10': round(mean(judged.map((j) => recallAt(10, j)))),
    'nDCG@10': round(mean(judged.map((j) => ndcgAt(10, j)))),
    MRR: round(mean(judged.map(reciprocalRank))),
  };
}

/** Mean recall of the first `k` candidates (how much the scorer can possibly find). */
export const candidateRecall = (k: number, judged: Judged[]) => round(mean(judged.map((j) => recallAt(k, j))));
