import { appendEvidence, notifyMembers } from '@hub/db';
import { enqueue, socketRoom, type JobPayload, type ListingReviewed } from '@hub/protocol';
import type { ProcessorDeps } from './index.ts';

const WARN_BEFORE_MS = 7 * 86_400_000;
const BATCH = 200;

/**
 * Repeatable: expires published listings past their valid-until instant and warns owners 7 days
 * ahead. Each listing changes in its own transaction guarded on its current state, so a rerun (or a
 * second worker) finds nothing left to do. Crashes after commit are caught up by the notification
 * sweep and the index reconcile.
 */
export async function expireListings(deps: ProcessorDeps, _payload: JobPayload<'expire-listings'>) {
  const now = new Date();
  let expired = 0;
  let warned = 0;

  for (;;) {
    const due = await deps.db.listing.findMany({
      where: { status: 'published', validUntil: { lt: now } },
      select: { id: true, organizationId: true, validUntil: true, publishedVersion: { select: { version: true, title: true, status: true } } },
      orderBy: { validUntil: 'asc' },
      take: BATCH,
    });
    for (const listing of due) {
      const version = listing.publishedVersion?.version ?? 0;
      const title = listing.publishedVersion?.title ?? '';
      const done = await deps.db.$transaction(async (tx) => {
        const { count } = await tx.listing.updateMany({
          where: { id: listing.id, status: 'published', validUntil: { lt: now } },
          data: { status: 'expired', statusReason: null, revision: { increment: 1 } },
        });
        if (count === 0) return null;
        await appendEvidence(tx, {
          kind: 'listing.expired',
          subjectType: 'listing',
          subjectId: listing.id,
          actorId: null,
          payload: { version, validUntil: listing.validUntil?.toISOString() ?? null },
        });
        const notificationIds = await notifyMembers(tx, listing.organizationId, 'listing.expired', { listingId: listing.id, title, version });
        const { revision } = await tx.listing.findUniqueOrThrow({ where: { id: listing.id }, select: { revision: true } });
        return { revision, notificationIds };
      });
      if (!done) continue;
      expired += 1;
      const event: ListingReviewed = {
        listingId: listing.id,
        title,
        version,
        status: 'expired',
        versionStatus: listing.publishedVersion?.status ?? 'published',
        reason: null,
        at: now.toISOString(),
      };
      deps.broadcast.to(socketRoom.organization(listing.organizationId), 'listing:reviewed', event);
      await enqueue(deps.queue, 'index-listing', [{ listingId: listing.id, revision: done.revision }]);
      await enqueue(deps.queue, 'deliver-notification', done.notificationIds.map((notificationId) => ({ notificationId })));
    }
    if (due.length < BATCH) break;
  }

  const horizon = new Date(now.getTime() + WARN_BEFORE_MS);
  for (;;) {
    const soon = await deps.db.listing.findMany({
      where: { status: 'published', expiryWarnedAt: null, validUntil: { gte: now, lt: horizon } },
      select: { id: true, organizationId: true, validUntil: true, publishedVersion: { select: { version: true, title: true } } },
      orderBy: { validUntil: 'asc' },
      take: BATCH,
    });
    for (const listing of soon) {
      const notificationIds = await deps.db.$transaction(async (tx) => {
        const { count } = await tx.listing.updateMany({ where: { id: listing.id, status: 'published', expiryWarnedAt: null }, data: { expiryWarnedAt: now } });
        if (count === 0) return null;
        return notifyMembers(tx, listing.organizationId, 'listing.expiring', {
          listingId: listing.id,
          title: listing.publishedVersion?.title ?? '',
          version: listing.publishedVersion?.version ?? 0,
          validUntil: listing.validUntil?.toISOString() ?? null,
        });
      });
      if (!notificationIds) continue;
      warned += 1;
      await enqueue(deps.queue, 'deliver-notification', notificationIds.map((notificationId) => ({ notificationId })));
    }
    if (soon.length < BATCH) break;
  }
  return { expired, warned };
}
