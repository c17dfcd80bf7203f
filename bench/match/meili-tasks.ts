import type { SearchTarget } from '@hub/search';
import { summarize, type Summary } from '../search/stats.ts';

/**
 * Meilisearch's own account of the document writes since `since`: how long each task waited in its
 * queue (enqueued → started) and how long its batch took (started → finished), and how many tasks
 * Meilisearch's auto-batching put in one batch.
 */
export async function documentTasksSince(search: SearchTarget, since: Date): Promise<{ tasks: number; batches: number; waitMs: Summary; processMs: Summary }> {
  const wait: number[] = [];
  const process: number[] = [];
  const batches = new Set<number>();
  let from: number | null | undefined;
  for (;;) {
    const page = await search.client.tasks.getTasks({
      indexUids: [search.indexUid], types: ['documentAdditionOrUpdate'], statuses: ['succeeded', 'failed'],
      afterEnqueuedAt: since.toISOString(), limit: 1000, ...(from != null ? { from } : {}),
    });
    for (const t of page.results) {
      if (!t.startedAt || !t.finishedAt) continue;
      wait.push(Date.parse(t.startedAt) - Date.parse(t.enqueuedAt));
      process.push(Date.parse(t.finishedAt) - Date.parse(t.startedAt));
      if (t.batchUid !== null) batches.add(t.batchUid);
    }
    from = page.next;
    if (from == null || !page.results.length) break;
  }
  return { tasks: wait.length, batches: batches.size, waitMs: summarize(wait), processMs: summarize(process) };
}
