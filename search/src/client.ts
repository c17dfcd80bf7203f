import { Meilisearch } from 'meilisearch';

export type SearchClient = Meilisearch;

/**
 * A Meilisearch client. It asks for uncompressed responses: Meilisearch sends a compressed multi-search
 * answer in pieces, and the last small piece waits for the client's delayed ACK (Nagle), so every
 * multi-search took 40 ms longer than its work (the matcher's candidate search: ~60 ms instead of ~13 ms,
 * measured by bench/match). Its answers are small, and usually travel over loopback or a private network.
 */
export function createSearchClient(url: string, apiKey: string): SearchClient {
  return new Meilisearch({ host: url, apiKey, requestInit: { headers: { 'accept-encoding': 'identity' } } });
}

/** True when Meilisearch answers its health check. */
export async function searchIsHealthy(client: SearchClient): Promise<boolean> {
  const health = await client.health();
  return health.status === 'available';
}
