export { createSearchClient, searchIsHealthy, type SearchClient } from './client.ts';
export { isIndexable, LISTING_FOR_INDEX, listingDocument, type IndexableListing, type ListingDocument } from './documents.ts';
export { buildFilter, escapeHtml, quote, renderHighlight, searchListings } from './query.ts';
export { reindex, type ReindexProgress, type ReindexResult } from './reindex.ts';
export { queryWords, searchTokens, segmenter } from './segment.ts';
export { applySettings, ensureIndex, FACETS, indexName, LISTING_INDEX_SETTINGS, SYNONYM_GROUPS, synonymMap, type SearchTarget } from './settings.ts';
export { indexListings, reconcile, syncListing, type ReconcileCounts, type SyncResult } from './sync.ts';
export { progressReporter } from './progress.ts';
