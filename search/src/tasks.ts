import type { EnqueuedTaskPromise, Task } from 'meilisearch';

/**
 * Waits for a Meilisearch task and throws if it failed: `waitTask` resolves for failed tasks too,
 * and its default 5 s timeout is too short for settings changes on a large index.
 */
export async function settled(task: EnqueuedTaskPromise, what: string, timeoutMs = 60_000, tolerated: string[] = []): Promise<Task> {
  const done = await task.waitTask({ timeout: timeoutMs, interval: 25 });
  if (done.status === 'failed' && !tolerated.includes(done.error?.code ?? '')) {
    throw new Error(`Meilisearch could not ${what}: ${done.error?.code ?? 'unknown'} ${done.error?.message ?? ''}`.trim());
  }
  if (done.status === 'canceled') throw new Error(`Meilisearch task to ${what} was canceled`);
  return done;
}
