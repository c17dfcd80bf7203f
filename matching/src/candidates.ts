import { counterpartKinds, industryField, industryNode } from '@hub/protocol';
import { queryWords, quote, type ListingDocument, type SearchTarget } from '@hub/search';
import type { MultiSearchQuery } from 'meilisearch';
import { MATCHING, type MatchingConfig } from './config.ts';
import type { MatchableListing } from './score.ts';
import { extractKeywords } from './text.ts';

/** Candidate ids in the source's own relevance order (best first). */
export type CandidateSource = (listing: MatchableListing, now: number) => Promise<string[]>;

/**
 * Several short queries per listing. A listing's whole text as one query finds little: Meilisearch
 * ranks a long query mostly by its first words. So: the author's keywords, the words jieba's TF-IDF
 * finds most telling in the title and summary, the title alone, and the industry terms.
 */
export function candidateQueries(listing: MatchableListing, config: MatchingConfig = MATCHING): string[] {
  const extracted = extractKeywords(`${listing.title}\n${listing.title}\n${listing.summary}`, config.candidates.extractedKeywords);
  const industries = listing.industries.map((code) => industryNode(code)?.name).filter((name): name is string => !!name);
  const queries = [
    listing.keywords.join(' '),
    extracted.join(' '),
    listing.title,
    // The strongest extracted words with the industry: catches candidates that share the field but not the wording.
    [...extracted.slice(0, 3), ...industries].join(' '),
  ].map((q) => queryWords(q));
  return [...new Set(queries.filter((q) => q.length > 0))];
}

/** Published, unexpired listings of the other side, of a kind that answers this one, from another organisation. */
export function counterpartFilter(listing: MatchableListing, now: number): string[] {
  const kinds = counterpartKinds(listing.kind);
  return [
    'status = "published"',
    `validUntilTs > ${now}`,
    `side = ${quote(listing.side === 'supply' ? 'demand' : 'supply')}`,
    `kind IN [${kinds.map(quote).join(', ')}]`,
    `organizationId != ${quote(listing.organizationId)}`,
  ];
}

/**
 * Meilisearch candidates: the union of every query's hits (one multi-search request), ordered by the
 * best ranking score each reached, plus the newest listings of the same industry fields whatever
 * their wording.
 */
export function meiliCandidates(search: SearchTarget, config: MatchingConfig = MATCHING): CandidateSource {
  return async (listing, now) => {
    const filter = counterpartFilter(listing, now);
    const fields = [...new Set(listing.industries.map(industryField))];
    const queries: MultiSearchQuery[] = candidateQueries(listing, config).map((q) => ({
      indexUid: search.indexUid,
      q,
      filter,
      limit: config.candidates.perQuery,
      attributesToRetrieve: ['id'],
      showRankingScore: true,
      matchingStrategy: 'frequency',
    }));
    if (fields.length) {
      queries.push({
        indexUid: search.indexUid,
        q: '',
        filter: [...filter, `industries IN [${fields.map(quote).join(', ')}]`],
        limit: config.candidates.perQuery,
        attributesToRetrieve: ['id'],
      });
    }
    const { results } = await search.client.multiSearch({ queries });
    const best = new Map<string, number>();
    for (const result of results) {
      for (const hit of result.hits as Array<Pick<ListingDocument, 'id'> & { _rankingScore?: number }>) {
        // The industry query has no words: its hits rank below any text hit.
        const score = hit._rankingScore ?? 0;
        best.set(hit.id, Math.max(best.get(hit.id) ?? -1, score));
      }
    }
    return [...best.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
  };
}
