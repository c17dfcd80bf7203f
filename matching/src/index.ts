export { candidateQueries, counterpartFilter, meiliCandidates, type CandidateSource } from './candidates.ts';
export { MATCHING, type MatchingConfig } from './config.ts';
export { MATCH_INCLUDE, matchActivity, presentMatch, sideOf, type MatchRow, type MatchViewer } from './present.ts';
export { MatchPusher, type MatchPushDeps } from './push.ts';
export { loadMatchable, rankCounterparts, type RankDeps } from './rank.ts';
export { compatible, scorePair, type MatchableListing, type ScoredPair } from './score.ts';
export {
  claimUnannounced,
  counterpartOf,
  existingMatches,
  markMatched,
  recordManualMatch,
  recordMatches,
  retractListingMatches,
  type ExistingMatch,
  type MatchChanges,
  type Retraction,
} from './store.ts';
export { extractKeywords, similarity, termVector } from './text.ts';
