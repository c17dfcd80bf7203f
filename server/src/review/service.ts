import { appendEvidence, notifyMembers, type Db, type OrganizationStatus } from '@hub/db';
import type { Logger } from '@hub/platform';
import { socketRoom, type OrganizationReviewed, type ReviewDecisionInput } from '@hub/protocol';
import type { Queue } from 'bullmq';
import type { Actor } from '../auth/actor.ts';
import { refuseOwnOrganization } from '../auth/guards.ts';
import { AppError } from '../http/errors.ts';
import { afterCommit } from '../jobs.ts';
import { presentOrganization, presentOrganizationDetail } from '../organizations/presenter.ts';
import { OrganizationRepository } from '../organizations/repository.ts';
import type { Broadcaster } from '@hub/protocol';
import type { AccessChanges } from '../realtime/socket-access.ts';

/** Real-name verification (实名认证): staff approve or reject pending organisations, with reasons. */
export class ReviewService {
  private readonly repo: OrganizationRepository;

  constructor(
    private readonly db: Db,
    private readonly queue: Queue,
    private readonly broadcast: Broadcaster,
    private readonly log: Logger,
    private readonly access: AccessChanges,
  ) {
    this.repo = new OrganizationRepository(db);
  }

  async queueOf(status: OrganizationStatus) {
    const orgs = await this.repo.findByStatus(status);
    return orgs.map((org) => presentOrganization(org, org.reviews[0]));
  }

  async detail(id: string) {
    return presentOrganizationDetail(await this.repo.findDetailOrFail(id));
  }

  /** Decides the current submission once: a second decision (by anyone) is a conflict, and nothing changes. */
  async decide(reviewer: Actor, organizationId: string, input: ReviewDecisionInput) {
    refuseOwnOrganization(reviewer, [organizationId]);
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    const reason = input.reason?.trim() || null;
    const decidedAt = new Date();
    const { org, notificationIds } = await this.db.$transaction(async (tx) => {
      const { count } = await tx.organization.updateMany({
        where: { id: organizationId, status: 'pending' },
        data: { status, reviewedAt: decidedAt },
      });
      if (count === 0) {
        const exists = await tx.organization.count({ where: { id: organizationId } });
        if (!exists) throw new AppError('organization_not_found', 'No such organisation.');
        throw new AppError('review_conflict', 'This application has already been decided.');
      }
      const org = await tx.organization.findUniqueOrThrow({ where: { id: organizationId } });
      await tx.organizationReview.update({
        where: { organizationId_submission: { organizationId, submission: org.submission } },
        data: { decision: status, reason, reviewerId: reviewer.userId, decidedAt },
      });
      await appendEvidence(tx, {
        kind: 'organization.reviewed',
        subjectType: 'organization',
        subjectId: organizationId,
        actorId: reviewer.userId,
        payload: { submission: org.submission, decision: status, reason },
      });
      const notificationIds = await notifyMembers(tx, organizationId, `organization.${status}`, { organizationId, organizationName: org.name, reason });
      return { org, notificationIds };
    });
    const event: OrganizationReviewed = { organizationId, status, reason, reviewedAt: decidedAt.toISOString() };
    // Members' open sockets act with the new status from now on.
    await this.access.changed(socketRoom.organization(organizationId));
    this.broadcast.to(socketRoom.organization(organizationId), 'organization:reviewed', event);
    this.broadcast.to(socketRoom.staff('reviewer'), 'console:organization-reviewed', event);
    await afterCommit(this.queue, this.log, { notificationIds });
    return presentOrganization(org, { decision: status, reason });
  }
}
