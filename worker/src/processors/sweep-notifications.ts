import { enqueue, type JobPayload } from '@hub/protocol';
import type { ProcessorDeps } from './index.ts';

/** Notifications older than this without a delivery are assumed to have lost their job. */
const STALE_AFTER_MS = 30_000;

/** Finds committed notifications that were never delivered and enqueues their delivery again (ids dedupe). */
export async function sweepNotifications(deps: ProcessorDeps, _payload: JobPayload<'sweep-notifications'>) {
  const stale = await deps.db.notification.findMany({
    where: { deliveredAt: null, createdAt: { lt: new Date(Date.now() - STALE_AFTER_MS) } },
    select: { id: true },
    take: 1000,
  });
  await enqueue(deps.queue, 'deliver-notification', stale.map((n) => ({ notificationId: n.id })));
  return { requeued: stale.length };
}
