import type { Db } from '@hub/db';
import {
  candidateQueries, claimUnannounced, compatible, counterpartOf, existingMatches, loadMatchable, markMatched, MATCHING, rankCounterparts, recordMatches, scorePair,
  type CandidateSource, type MatchableListing, type MatchPusher,
} from '@hub/matching';
import type { SearchTarget } from '@hub/search';
import { summarize, type Summary } from '../search/stats.ts';

/** Runs `work` over `items` with `concurrency` in flight (like a worker's concurrency). */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

export interface PassResult {
  ms: number;
  perSecond: number;
  /** Latency of one candidate-source call under this concurrency. */
  sourceMs: Summary;
  /** Latency of one whole rankCounterparts call. */
  rankMs: Summary;
  /** Candidates found per listing. */
  candidates: Summary;
  /** Listing id → candidate ids; listing id → ids of the pairs that would be stored (≥ threshold, best maxMatchesPerListing). */
  found: Map<string, string[]>;
  stored: Map<string, { id: string; score: number }[]>;
}

/** Scoring throughput of one candidate source: rankCounterparts over every listing, `concurrency` at a time. */
export async function scoringPass(db: Db, source: CandidateSource, listings: MatchableListing[], concurrency: number, now: number): Promise<PassResult> {
  const found = new Map<string, string[]>();
  const stored = new Map<string, { id: string; score: number }[]>();
  const sourceMs: number[] = [];
  const rankMs: number[] = [];
  const timed: CandidateSource = async (listing, at) => {
    const t0 = performance.now();
    const ids = await source(listing, at);
    sourceMs.push(performance.now() - t0);
    found.set(listing.id, ids);
    return ids;
  };
  const started = performance.now();
  await pool(listings, concurrency, async (listing) => {
    const t0 = performance.now();
    const ranked = await rankCounterparts({ db, candidates: timed }, listing, [], now);
    rankMs.push(performance.now() - t0);
    const other = (p: (typeof ranked)[number]) => (listing.side === 'supply' ? p.demand : p.supply);
    stored.set(listing.id, ranked.filter((p) => p.score >= MATCHING.threshold).slice(0, MATCHING.maxMatchesPerListing).map((p) => ({ id: other(p).id, score: p.score })));
  });
  const ms = performance.now() - started;
  return {
    ms: Math.round(ms),
    perSecond: Math.round((listings.length / (ms / 1000)) * 10) / 10,
    sourceMs: summarize(sourceMs),
    rankMs: summarize(rankMs),
    candidates: summarize([...found.values()].map((ids) => ids.length)),
    found,
    stored,
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * How much the two sources agree, per listing, averaged: the share of Meilisearch's candidates that
 * Postgres also found, and the share of the pairs Meilisearch would store (≥ threshold, best 20) that
 * Postgres's candidates also lead to; and how many storable pairs each finds and how good they are.
 */
export function overlap(meili: PassResult, pg: PassResult) {
  const candidateRecall: number[] = [];
  const storedRecall: number[] = [];
  const storedCount = { meili: [] as number[], pg: [] as number[] };
  const bestScore = { meili: [] as number[], pg: [] as number[] };
  for (const [id, m] of meili.found) {
    const p = new Set(pg.found.get(id) ?? []);
    if (m.length) candidateRecall.push(m.filter((x) => p.has(x)).length / m.length);
    const ms = meili.stored.get(id) ?? [];
    const ps = pg.stored.get(id) ?? [];
    const pset = new Set(ps.map((x) => x.id));
    if (ms.length) storedRecall.push(ms.filter((x) => pset.has(x.id)).length / ms.length);
    storedCount.meili.push(ms.length);
    storedCount.pg.push(ps.length);
    bestScore.meili.push(ms[0]?.score ?? 0);
    bestScore.pg.push(ps[0]?.score ?? 0);
  }
  return {
    /** Mean share of Meilisearch's candidates that Postgres also returned. */
    candidateRecallOfPg: round3(mean(candidateRecall)),
    /** Mean share of Meilisearch's would-be-stored matches that Postgres's candidates also produce. */
    storedRecallOfPg: round3(mean(storedRecall)),
    storedPerListing: { meili: round3(mean(storedCount.meili)), pg: round3(mean(storedCount.pg)) },
    listingsWithoutMatch: { meili: storedCount.meili.filter((n) => n === 0).length, pg: storedCount.pg.filter((n) => n === 0).length },
    meanBestScore: { meili: round3(mean(bestScore.meili)), pg: round3(mean(bestScore.pg)) },
  };
}

export type Stage =
  | 'getDocument' | 'loadSelf' | 'existing' | 'candidateQueries' | 'candidateSearch' | 'loadCandidates' | 'score' | 'record' | 'claim' | 'announce' | 'markMatched';

/**
 * One listing at a time, the steps of the match-listing job (worker/src/processors/match-listing.ts, as of
 * the announce-before-markMatched order with claimUnannounced)
 * with a timer around each: where a job's time goes when nothing else runs. `candidateSearch` is the
 * whole source call minus `candidateQueries` (which the source computes again inside).
 */
export async function profileJobs(deps: { db: Db; search: SearchTarget; source: CandidateSource; matches: MatchPusher }, ids: string[]) {
  const stages: Record<Stage, number[]> = {
    getDocument: [], loadSelf: [], existing: [], candidateQueries: [], candidateSearch: [], loadCandidates: [], score: [], record: [], claim: [], announce: [], markMatched: [],
  };
  const total: number[] = [];
  let created = 0;
  let scored = 0;
  for (const id of ids) {
    const t = [performance.now()];
    const lap = (stage: Stage) => {
      const at = performance.now();
      stages[stage].push(at - t[0]!);
      t[0] = at;
    };
    const started = t[0]!;
    await deps.search.client.index(deps.search.indexUid).getDocument(id, { fields: ['revision'] });
    lap('getDocument');
    const [listing] = await loadMatchable(deps.db, [id]);
    lap('loadSelf');
    if (!listing) continue;
    const existing = await existingMatches(deps.db, listing);
    lap('existing');
    candidateQueries(listing);
    lap('candidateQueries');
    const now = Date.now();
    const q0 = performance.now();
    const found = await deps.source(listing, now);
    stages.candidateSearch.push(performance.now() - q0 - stages.candidateQueries.at(-1)!);
    t[0] = performance.now();
    const ids2 = [...new Set([...found, ...existing.map((m) => counterpartOf(listing, m))])].filter((x) => x !== listing.id);
    const counterparts = await loadMatchable(deps.db, ids2, new Date(now));
    lap('loadCandidates');
    const ranked = counterparts.filter((o) => compatible(listing, o)).map((o) => scorePair(listing, o, now)).sort((a, b) => b.score - a.score);
    scored += ranked.length;
    lap('score');
    const changes = await recordMatches(deps.db, listing, ranked, existing);
    lap('record');
    const claimed = await claimUnannounced(deps.db, listing);
    created += claimed.length;
    lap('claim');
    await deps.matches.announce(claimed, 'match:new');
    await deps.matches.announce(changes.improved, 'match:updated');
    lap('announce');
    await markMatched(deps.db, listing.id, listing.revision);
    lap('markMatched');
    total.push(performance.now() - started);
  }
  return {
    listings: total.length,
    createdPerListing: round3(created / Math.max(1, total.length)),
    scoredPerListing: round3(scored / Math.max(1, total.length)),
    totalMs: summarize(total),
    stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, summarize(v)])) as Record<Stage, Summary>,
  };
}
