import type { Logger } from '@hub/platform';
import type { ListingSearchQuery, ListingSearchResult } from '@hub/protocol';
import { indexName, searchListings, type SearchClient } from '@hub/search';
import { MeilisearchApiError } from 'meilisearch';
import { AppError } from '../http/errors.ts';

/** Public search over the listings index; Meilisearch trouble becomes a 503, never a stack trace. */
export class ListingSearch {
  private readonly indexUid: string;

  constructor(
    private readonly client: SearchClient,
    indexPrefix: string,
    private readonly log: Logger,
  ) {
    this.indexUid = indexName(indexPrefix);
  }

  async search(query: ListingSearchQuery): Promise<ListingSearchResult> {
    try {
      return await searchListings(this.client, this.indexUid, query);
    } catch (error) {
      // The worker creates the index at start; until it has, nothing is published in search.
      if (error instanceof MeilisearchApiError && error.cause?.code === 'index_not_found') {
        this.log.warn({ index: this.indexUid }, 'search index does not exist yet');
        return { hits: [], total: 0, page: query.page, pageSize: query.pageSize, facets: {}, tookMs: 0 };
      }
      this.log.error({ err: error }, 'listing search failed');
      throw new AppError('service_unavailable', 'Search is unavailable right now; try again shortly.');
    }
  }
}
