import type { Db } from '@hub/db';
import { applySettings, indexListings, queryWords, type SearchTarget } from '@hub/search';
import { counterpartFilter, meiliCandidates, type CandidateSource } from '../candidates.ts';
import { MATCHING } from '../config.ts';
import { loadMatchable, rankCounterparts } from '../rank.ts';
import { compatible } from '../score.ts';
import type { EvalDataset } from './dataset.ts';
import { candidateRecall, rankingFigures, type Judged, type RankingFigures } from './metrics.ts';

/** One direction's figures: the full scorer, the candidates in Meilisearch's order, and one whole-text query. */
export interface DirectionFigures {
  scorer: RankingFigures;
  meiliOrder: RankingFigures;
  singleQuery: RankingFigures;
  /** Share of labelled counterparts among the first 50 candidates (what the scorer can possibly rank). */
  'candidateRecall@50': number;
  /** Of pairs the scorer would store (score ≥ threshold): how many are labelled relevant, and how many labelled pairs get stored. */
  stored: { precision: number; recall: number; pairs: number };
}

export interface EvalFigures {
  listings: number;
  labelledPairs: number;
  demandToSupply: DirectionFigures;
  supplyToDemand: DirectionFigures;
  ms: number;
}

export type EvalProgress = (done: number, total: number) => void;

/**
 * Runs the real pipeline on a loaded set: indexes it, then for every labelled listing asks the same
 * candidate source and scorer the worker uses for its ranking, and measures it against the labels,
 * beside two Meilisearch-only baselines.
 */
export async function evaluate(db: Db, search: SearchTarget, dataset: EvalDataset, ids: Map<string, string>, progress?: EvalProgress): Promise<EvalFigures> {
  const started = performance.now();
  await applySettings(search.client, search.indexUid);
  await indexListings(db, search.client, search.indexUid, [...ids.values()]);
  const setId = new Map([...ids].map(([key, id]) => [id, key]));
  const labels = (side: 'demand' | 'supply') => {
    const map = new Map<string, Map<string, number>>();
    for (const pair of dataset.relevant) {
      const [from, to] = side === 'demand' ? [pair.demand, pair.supply] : [pair.supply, pair.demand];
      map.set(from, (map.get(from) ?? new Map()).set(to, pair.grade));
    }
    return map;
  };
  const directions = { demand: labels('demand'), supply: labels('supply') };
  const total = directions.demand.size + directions.supply.size;
  let done = 0;
  const meili = meiliCandidates(search);
  const measure = async (labelled: Map<string, Map<string, number>>): Promise<DirectionFigures> => {
    const runs = { scorer: [] as Judged[], meiliOrder: [] as Judged[], singleQuery: [] as Judged[], candidates: [] as Judged[] };
    let storedPairs = 0;
    let storedRelevant = 0;
    let labelledPairs = 0;
    for (const [from, grades] of labelled) {
      const [listing] = await loadMatchable(db, [ids.get(from)!]);
      if (!listing) continue;
      labelledPairs += grades.size;
      const toSet = (rowIds: string[]) => rowIds.map((id) => setId.get(id) ?? id);
      // Keeps the candidates in Meilisearch's order for the baseline while the scorer ranks them.
      let order: string[] = [];
      const candidates: CandidateSource = async (l, now) => (order = await meili(l, now));
      const ranked = await rankCounterparts({ db, candidates }, listing);
      const counterparts = new Set(ranked.map((p) => (listing.side === 'supply' ? p.demand.id : p.supply.id)));
      runs.scorer.push({ ranked: toSet([...counterparts]), grades });
      // The same candidates, compatible ones only, in the order Meilisearch gave them.
      runs.meiliOrder.push({ ranked: toSet(order.filter((id) => counterparts.has(id))), grades });
      runs.candidates.push({ ranked: toSet(order), grades });
      runs.singleQuery.push({ ranked: toSet(await singleQuery(db, search, listing)), grades });
      for (const pair of ranked.filter((p) => p.score >= MATCHING.threshold)) {
        storedPairs += 1;
        if (grades.has(setId.get(listing.side === 'supply' ? pair.demand.id : pair.supply.id)!)) storedRelevant += 1;
      }
      progress?.(++done, total);
    }
    const storedRecall = labelledPairs ? storedRelevant / labelledPairs : 0;
    return {
      scorer: rankingFigures(runs.scorer),
      meiliOrder: rankingFigures(runs.meiliOrder),
      singleQuery: rankingFigures(runs.singleQuery),
      'candidateRecall@50': candidateRecall(50, runs.candidates),
      stored: { precision: round(storedPairs ? storedRelevant / storedPairs : 0), recall: round(storedRecall), pairs: storedPairs },
    };
  };
  const demandToSupply = await measure(directions.demand);
  const supplyToDemand = await measure(directions.supply);
  return { listings: dataset.listings.length, labelledPairs: dataset.relevant.length, demandToSupply, supplyToDemand, ms: Math.round(performance.now() - started) };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** The naive baseline: title and summary as one query, Meilisearch's default matching strategy and order. */
async function singleQuery(db: Db, search: SearchTarget, listing: Awaited<ReturnType<typeof loadMatchable>>[number]): Promise<string[]> {
  const now = Date.now();
  const result = await search.client.index(search.indexUid).search(queryWords(`${listing.title} ${listing.summary}`), {
    filter: counterpartFilter(listing, now),
    limit: 50,
    attributesToRetrieve: ['id'],
  });
  const ids = result.hits.map((h) => String(h.id));
  const found = await loadMatchable(db, ids);
  return found.filter((other) => compatible(listing, other)).map((other) => other.id);
}
