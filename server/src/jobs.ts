import type { Logger } from '@hub/platform';
import { enqueue, type JobQueue } from '@hub/protocol';

/**
 * After a commit: enqueue the search sync and notification deliveries. If Redis is briefly away, the
 * reconcile job and the notification sweep catch up, so a failure here is logged, not thrown.
 */
export async function afterCommit(
  queue: JobQueue,
  log: Logger,
  work: { index?: { listingId: string; revision: number }; notificationIds?: string[] },
): Promise<void> {
  try {
    if (work.index) await enqueue(queue, 'index-listing', [work.index]);
    if (work.notificationIds?.length) await enqueue(queue, 'deliver-notification', work.notificationIds.map((notificationId) => ({ notificationId })));
  } catch (error) {
    log.warn({ err: (error as Error).message, ...work.index }, 'enqueue after commit failed; the sweeps will catch up');
  }
}
