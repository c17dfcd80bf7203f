import type { MatchFeature } from '@hub/protocol';

/**
 * Every weight and threshold of the matcher, in one place. Weights sum to 1, so the score (×100) reads
 * as a percentage; `npm run match:eval` shows what a change does to ranking quality.
 */
export const MATCHING = {
  weights: {
    text: 0.46,
    industry: 0.18,
    region: 0.05,
    price: 0.07,
    maturity: 0.06,
    modes: 0.07,
    reputation: 0.05,
    freshness: 0.06,
  } satisfies Record<MatchFeature, number>,
  /** A pair below this score (0–100) is not stored; a stored one that falls below it is retracted. */
  threshold: 45,
  /** Pairs with less shared text than this and no shared industry field are not a match whatever else agrees. */
  minText: 0.06,
  /** Stored matches per listing and run (the best ones). */
  maxMatchesPerListing: 20,
  /** A re-score counts as a rise or a fall (and a rise is pushed) when it moves by at least this much. */
  significantChange: 3,
  candidates: {
    /** Hits per candidate query; the union is scored. */
    perQuery: 40,
    /** Keywords extracted from the title and summary (jieba TF-IDF). */
    extractedKeywords: 8,
  },
  /** Freshness halves every this many days after publication. */
  freshnessHalfLifeDays: 120,
  /** A reason is given for a feature when its value reaches this. */
  reasonAt: 0.6,
} as const;

export type MatchingConfig = typeof MATCHING;
