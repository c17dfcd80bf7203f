import { notifyMembers, type Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import { endOfChinaDay, socketRoom, type JobQueue, type ListingReviewed, type ListingReviewInput } from '@hub/protocol';
import type { Actor } from '../auth/actor.ts';
import { refuseOwnOrganization } from '../auth/guards.ts';
import { AppError } from '../http/errors.ts';
import type { Broadcaster } from '@hub/protocol';
import { afterCommit } from '../jobs.ts';
import { recordListingEvidence } from './effects.ts';
import { presentListingSummary, presentOwnerListing } from './presenter.ts';
import { ListingRepository } from './repository.ts';

/** 信息审查: staff approve or reject each submitted version against the checklist, and take listings down. */
export class ListingReviewService {
  private readonly repo: ListingRepository;

  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly broadcast: Broadcaster,
    private readonly log: Logger,
  ) {
    this.repo = new ListingRepository(db);
  }

  async queueOf(state: 'pending' | 'published' | 'rejected') {
    return { listings: (await this.repo.queue(state)).map(presentListingSummary) };
  }

  /** Decides the pending latest version once; a second decision (by anyone) is a conflict and changes nothing. */
  async decide(reviewer: Actor, id: string, input: ListingReviewInput) {
    const listing = await this.repo.findOwnerViewOrFail(id);
    refuseOwnOrganization(reviewer, [listing.organizationId]);
    const version = listing.versions.find((v) => v.version === listing.latestVersion)!;
    if (version.status !== 'pending') throw new AppError('listing_state_conflict', 'This version is not waiting for review.');
    const approve = input.decision === 'approve';
    if (approve && endOfChinaDay(version.validUntil) <= new Date()) {
      throw new AppError('listing_state_conflict', 'Its valid-until day has passed: reject it so the owner can correct the date.');
    }
    const reason = input.reason?.trim() || null;
    const now = new Date();
    const { revision, notificationIds, status } = await this.db.$transaction(async (tx) => {
      const { count } = await tx.listingVersion.updateMany({
        where: { id: version.id, status: 'pending' },
        data: { status: approve ? 'published' : 'rejected', reviewedAt: now, reviewerId: reviewer.userId, reviewReason: reason, checklist: input.checklist },
      });
      if (count === 0) throw new AppError('listing_state_conflict', 'This version has already been decided.');
      let updated;
      if (approve) {
        if (listing.publishedVersionId) await tx.listingVersion.update({ where: { id: listing.publishedVersionId }, data: { status: 'superseded' } });
        updated = await tx.listing.update({
          where: { id },
          data: {
            status: 'published',
            statusReason: null,
            publishedVersionId: version.id,
            publishedAt: now,
            validUntil: endOfChinaDay(version.validUntil),
            expiryWarnedAt: null,
            revision: { increment: 1 },
          },
        });
      } else {
        const neverPublished = ListingRepository.neverPublished.includes(listing.status);
        updated = await tx.listing.update({ where: { id }, data: neverPublished ? { status: 'rejected', statusReason: reason } : { updatedAt: now } });
      }
      await recordListingEvidence(tx, 'listing.reviewed', id, reviewer.userId, {
        version: version.version,
        decision: approve ? 'approved' : 'rejected',
        reason,
        checklist: input.checklist,
      });
      const notificationIds = await notifyMembers(tx, listing.organizationId, approve ? 'listing.approved' : 'listing.rejected', {
        listingId: id,
        title: version.title,
        version: version.version,
        reason,
      });
      return { revision: updated.revision, notificationIds, status: updated.status };
    });
    this.announce({ listingId: id, title: version.title, version: version.version, status, versionStatus: approve ? 'published' : 'rejected', reason, at: now.toISOString() }, listing.organizationId);
    await afterCommit(this.queue, this.log, { index: approve ? { listingId: id, revision } : undefined, notificationIds });
    return presentOwnerListing(await this.repo.findOwnerViewOrFail(id));
  }

  /** Removes a published listing from the platform with a reason the owner sees. */
  async takeDown(staff: Actor, id: string, reason: string) {
    const listing = await this.repo.findOwnerViewOrFail(id);
    refuseOwnOrganization(staff, [listing.organizationId]);
    const now = new Date();
    const { revision, notificationIds } = await this.db.$transaction(async (tx) => {
      const { count } = await tx.listing.updateMany({
        where: { id, status: 'published' },
        data: { status: 'taken_down', statusReason: reason, revision: { increment: 1 } },
      });
      if (count === 0) throw new AppError('listing_state_conflict', 'Only a published listing can be taken down.');
      await recordListingEvidence(tx, 'listing.taken_down', id, staff.userId, { reason });
      const title = listing.publishedVersion?.title ?? '';
      const notificationIds = await notifyMembers(tx, listing.organizationId, 'listing.taken_down', { listingId: id, title, reason });
      return { revision: (await tx.listing.findUniqueOrThrow({ where: { id }, select: { revision: true } })).revision, notificationIds };
    });
    const version = listing.publishedVersion?.version ?? listing.latestVersion;
    this.announce({ listingId: id, title: listing.publishedVersion?.title ?? '', version, status: 'taken_down', versionStatus: listing.publishedVersion?.status ?? 'published', reason, at: now.toISOString() }, listing.organizationId);
    await afterCommit(this.queue, this.log, { index: { listingId: id, revision }, notificationIds });
    return presentOwnerListing(await this.repo.findOwnerViewOrFail(id));
  }

  private announce(event: ListingReviewed, organizationId: string) {
    this.broadcast.to(socketRoom.organization(organizationId), 'listing:reviewed', event);
    this.broadcast.to(socketRoom.staff('reviewer'), 'console:listing-reviewed', event);
  }
}
