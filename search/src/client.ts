import { Meilisearch } from 'meilisearch';

export type SearchClient = Meilisearch;

/** A Meilisearch client. */
export function createSearchClient(url: string, apiKey: string): SearchClient {
  return new Meilisearch({ host: url, apiKey });
}

/** True when Meilisearch answers its health check. */
export async function searchIsHealthy(client: SearchClient): Promise<boolean> {
  const health = await client.health();
  return health.status === 'available';
}
