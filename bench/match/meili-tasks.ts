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

/** "2.16s", "101.01ms", "46.27µs" → milliseconds. */
function traceMs(value: string): number {
  const m = /^([\d.]+)(s|ms|µs|ns)$/.exec(value);
  if (!m) return 0;
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'ms' ? n : m[2] === 'µs' ? n / 1000 : n / 1e6;
}

/**
 * Meilisearch's own trace of its document batches since `since` (`progressTrace`, Meilisearch ≥ 1.13):
 * the mean of each indexing step over all batches and over the slowest 5 %, and the part of
 * "indexing" that no traced step accounts for. Shows whether slow batches are slow in one step.
 */
export async function batchTraceSince(search: SearchTarget, since: Date) {
  const batches: { ms: number; steps: Record<string, number> }[] = [];
  let from: number | null | undefined;
  for (;;) {
    const page = await search.client.batches.getBatches({
      indexUids: [search.indexUid], types: ['documentAdditionOrUpdate'], afterStartedAt: since.toISOString(), limit: 1000, ...(from != null ? { from } : {}),
    });
    for (const b of page.results) {
      const trace = (b.stats.progressTrace ?? {}) as Record<string, string>;
      const steps: Record<string, number> = {};
      let traced = 0;
      for (const [key, value] of Object.entries(trace)) {
        const parts = key.split(' > ');
        if (parts[0] !== 'processing tasks' || parts[1] !== 'indexing' || parts.length !== 3) continue;
        steps[parts[2]!] = traceMs(value);
        traced += traceMs(value);
      }
      const indexing = traceMs(trace['processing tasks > indexing'] ?? '0ms');
      steps['(not traced)'] = Math.max(0, indexing - traced);
      batches.push({ ms: traceMs(trace['processing tasks'] ?? '0ms'), steps });
    }
    from = page.next;
    if (from == null || !page.results.length) break;
  }
  const meanSteps = (list: typeof batches) => {
    const sum: Record<string, number> = {};
    for (const b of list) for (const [k, v] of Object.entries(b.steps)) sum[k] = (sum[k] ?? 0) + v;
    return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, Math.round((v / Math.max(1, list.length)) * 10) / 10] as const).sort((a, b) => b[1] - a[1]).slice(0, 6));
  };
  const slowest = [...batches].sort((a, b) => b.ms - a.ms).slice(0, Math.max(1, Math.ceil(batches.length * 0.05)));
  return { batches: batches.length, allMeanMs: meanSteps(batches), slowest5pctMeanMs: meanSteps(slowest), slowest5pctMs: summarize(slowest.map((b) => b.ms)) };
}
