import { randomUUID } from 'node:crypto';
import { appendEvidence, type Db, type Prisma } from '@hub/db';
import type { Logger } from '@hub/platform';
import {
  type Broadcaster,
  type JobQueue,
  type MatchActivity,
  type MatchConsole,
  type MatchInboxQuery,
  type MatchInterestInput,
  type MatchList,
  type MatchRecommendInput,
  type MatchRespondInput,
  type MatchView,
} from '@hub/protocol';
import {
  compatible,
  loadMatchable,
  MATCH_INCLUDE,
  MATCHING,
  matchActivity,
  presentMatch,
  recordManualMatch,
  scorePair,
  sideOf,
  type MatchableListing,
  type MatchPusher,
  type MatchRow,
} from '@hub/matching';
import type { Actor } from '../auth/actor.ts';
import { refuseOwnOrganization } from '../auth/guards.ts';
import { AppError } from '../http/errors.ts';
import { afterCommit } from '../jobs.ts';
import { announceRoomOpened, openRoom, type RoomOpening } from '../rooms/opening.ts';

const notFound = () => new AppError('match_not_found', 'No such match.');
const withdrawn = () => new AppError('match_state_conflict', 'This match was withdrawn: one of the listings is no longer on offer.');
const STATUS_FILTER: Record<MatchInboxQuery['status'], Prisma.MatchWhereInput> = {
  active: { status: { in: ['open', 'confirmed'] } },
  open: { status: 'open' },
  confirmed: { status: 'confirmed' },
  declined: { status: 'declined' },
  retracted: { status: 'retracted' },
  all: {},
};

/** Staff see both sides' confidential details only as outsiders: in their own organisation's matches they are a party like any other. */
/** The room a confirmed match opens: titled after the need (or the supply), its origin the match and both listings. */
function roomOpeningOf(row: MatchRow, actor: Actor): RoomOpening {
  return {
    id: randomUUID(),
    supply: row.supplyListing.organization!,
    demand: row.demandListing.organization!,
    title: row.demandListing.publishedVersion?.title ?? row.supplyListing.publishedVersion?.title ?? '',
    matchId: row.id,
    openedById: actor.userId,
    evidence: { matchId: row.id },
    entry: { matchId: row.id, supplyListingId: row.supplyListingId, demandListingId: row.demandListingId },
    notice: { matchId: row.id },
    entryAuthorId: null,
    notification: 'match.confirmed',
  };
}

const viewerOf = (actor: Actor, row: MatchRow) => ({ organizationId: actor.organizationId, staff: actor.staffRole !== null && !sideOf(row, actor.organizationId) });

/** 供需匹配: the match inbox, the two sides' answers, confirmation, staff recommendations and raised hands. */
export class MatchService {
  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly broadcast: Broadcaster,
    private readonly pusher: MatchPusher,
    private readonly log: Logger,
  ) {}

  async inbox(actor: Actor, query: MatchInboxQuery): Promise<MatchList> {
    const organizationId = actor.organizationId!;
    const where: Prisma.MatchWhereInput = {
      AND: [
        { OR: [{ supplyOrganizationId: organizationId }, { demandOrganizationId: organizationId }] },
        STATUS_FILTER[query.status],
        query.listingId ? { OR: [{ supplyListingId: query.listingId }, { demandListingId: query.listingId }] } : {},
      ],
    };
    const [rows, total] = await Promise.all([
      this.db.match.findMany({
        where,
        include: MATCH_INCLUDE,
        orderBy: [{ score: 'desc' }, { createdAt: 'desc' }],
        skip: (query.page - 1) * query.pageSize,
        take: query.pageSize,
      }),
      this.db.match.count({ where }),
    ]);
    return { matches: rows.map((row) => presentMatch(row, viewerOf(actor, row))), total };
  }

  /**
   * Parties and staff see a match; to anyone else it does not exist. Staff reading both sides'
   * confidential details is recorded in the evidence chain, once per read.
   */
  async view(actor: Actor, id: string): Promise<MatchView> {
    const row = await this.db.match.findUnique({ where: { id }, include: MATCH_INCLUDE });
    if (!row) throw notFound();
    const viewer = viewerOf(actor, row);
    if (!viewer.staff && !sideOf(row, actor.organizationId)) throw notFound();
    if (viewer.staff) {
      await this.db.$transaction((tx) =>
        appendEvidence(tx, { kind: 'match.details_viewed', subjectType: 'match', subjectId: id, actorId: actor.userId, payload: { staffRole: actor.staffRole } }),
      );
    }
    return presentMatch(row, viewer);
  }

  /**
   * One side answers. Answers may change until the match is confirmed; when both sides are
   * interested it is confirmed at once: confidential details open to both, and a negotiation room is
   * created for them. Guarded on the state read, so two answers racing cannot both confirm, and on
   * both listings still being published.
   */
  async respond(actor: Actor, id: string, input: MatchRespondInput): Promise<MatchView> {
    const row = await this.db.match.findUnique({ where: { id }, include: MATCH_INCLUDE });
    const side = row ? sideOf(row, actor.organizationId) : null;
    if (!row || !side) throw notFound();
    if (row.status === 'retracted') throw withdrawn();
    if (row.status === 'confirmed') throw new AppError('match_state_conflict', 'This match is already confirmed; continue in its negotiation room.');
    const other = side === 'supply' ? row.demandResponse : row.supplyResponse;
    const mine = side === 'supply' ? row.supplyResponse : row.demandResponse;
    const confirms = input.response === 'interested' && other === 'interested';
    const status = confirms ? 'confirmed' : input.response === 'declined' || other === 'declined' ? 'declined' : 'open';
    const now = new Date();
    const answer = side === 'supply' ? { supplyResponse: input.response, supplyRespondedAt: now } : { demandResponse: input.response, demandRespondedAt: now };

    const { notificationIds, room, opening } = await this.db.$transaction(async (tx) => {
      await requirePublished(tx, row);
      const { count } = await tx.match.updateMany({
        where: { id, status: row.status, [side === 'supply' ? 'supplyResponse' : 'demandResponse']: mine },
        data: { ...answer, status, ...(confirms ? { confirmedAt: now } : {}) },
      });
      if (count === 0) throw new AppError('match_state_conflict', 'This match changed meanwhile; reload it.');
      await appendEvidence(tx, { kind: 'match.responded', subjectType: 'match', subjectId: id, actorId: actor.userId, payload: { side, response: input.response } });
      if (!confirms) return { notificationIds: [], room: null, opening: null };
      return this.confirm(tx, row, actor);
    });

    const updated = await this.db.match.findUniqueOrThrow({ where: { id }, include: MATCH_INCLUDE });
    await this.pusher.changed(updated, confirms ? 'confirmed' : status === 'declined' ? 'declined' : 'updated');
    if (room && opening) announceRoomOpened(this.broadcast, room, opening);
    await afterCommit(this.queue, this.log, { notificationIds });
    return presentMatch(updated, viewerOf(actor, updated));
  }

  /** Staff pair two published listings by hand; both parties hear of it as a match marked as recommended. */
  async recommend(staff: Actor, input: MatchRecommendInput): Promise<MatchView> {
    const [supply, demand] = await this.loadPair(input.supplyListingId, input.demandListingId);
    refuseOwnOrganization(staff, [supply.organizationId, demand.organizationId]);
    return this.recordMade(staff, supply, demand, { source: 'staff', note: input.note, recommendedById: staff.userId }, 'match.recommended');
  }

  /** A supplier raises its hand on an open demand with one of its own published supply listings. */
  async signalInterest(actor: Actor, input: MatchInterestInput): Promise<MatchView> {
    const [supply, demand] = await this.loadPair(input.supplyListingId, input.demandListingId);
    if (supply.organizationId !== actor.organizationId) throw new AppError('listing_not_found', 'Offer one of your own published supply listings.');
    return this.recordMade(actor, supply, demand, { source: 'interest', note: input.note?.trim() || null, recommendedById: null }, 'match.interest');
  }

  /** The staff console: the latest activity, matches made per minute over the last hour, and totals. */
  async console(): Promise<MatchConsole> {
    const since = new Date(Date.now() - 60 * 60_000);
    const [recent, perMinute, totals] = await Promise.all([
      this.db.match.findMany({ include: MATCH_INCLUDE, orderBy: { updatedAt: 'desc' }, take: 50 }),
      this.db.$queryRaw<{ minute: Date; created: bigint }[]>`
        SELECT date_trunc('minute', "createdAt") AS minute, count(*) AS created FROM "Match"
        WHERE "createdAt" >= ${since} GROUP BY 1 ORDER BY 1`,
      this.db.match.groupBy({ by: ['status'], _count: { _all: true } }),
    ]);
    const count = (status: string) => totals.find((t) => t.status === status)?._count._all ?? 0;
    return {
      recent: recent.map((row) => matchActivity(row, activityOf(row), row.updatedAt)),
      perMinute: perMinute.map((m) => ({ minute: m.minute.toISOString(), created: Number(m.created) })),
      totals: { open: count('open'), confirmed: count('confirmed'), declined: count('declined'), retracted: count('retracted') },
    };
  }

  private async confirm(tx: Prisma.TransactionClient, row: MatchRow, actor: Actor) {
    const opening = roomOpeningOf(row, actor);
    await appendEvidence(tx, { kind: 'match.confirmed', subjectType: 'match', subjectId: row.id, actorId: actor.userId, payload: { roomId: opening.id } });
    const { room, notificationIds } = await openRoom(tx, opening);
    return { notificationIds, room, opening };
  }

  /** Both listings published, on their sides, of kinds that answer each other, from two organisations. */
  private async loadPair(supplyId: string, demandId: string): Promise<[MatchableListing, MatchableListing]> {
    const listings = await loadMatchable(this.db, [supplyId, demandId]);
    const supply = listings.find((l) => l.id === supplyId && l.side === 'supply');
    const demand = listings.find((l) => l.id === demandId && l.side === 'demand');
    if (!supply) throw new AppError('listing_not_found', 'The supply listing is not published (or is not a supply listing).');
    if (!demand) throw new AppError('listing_not_found', 'The demand listing is not published (or is not a demand listing).');
    if (!compatible(supply, demand)) {
      throw new AppError('match_not_eligible', supply.organizationId === demand.organizationId
        ? 'Both listings belong to the same organisation.'
        : 'These kinds do not answer each other (for example, a financing need is met only by a financial product).');
    }
    return [supply, demand];
  }

  private async recordMade(
    actor: Actor,
    supply: MatchableListing,
    demand: MatchableListing,
    made: { source: 'staff' | 'interest'; note: string | null; recommendedById: string | null },
    kind: 'match.recommended' | 'match.interest',
  ): Promise<MatchView> {
    const pair = scorePair(supply, demand, Date.now(), MATCHING, true);
    const recorded = await this.db.$transaction(async (tx) => {
      const result = await recordManualMatch(tx, pair, made);
      if (!result) throw new AppError('match_state_conflict', 'These two listings are already a confirmed match.');
      await appendEvidence(tx, {
        kind,
        subjectType: 'match',
        subjectId: result.id,
        actorId: actor.userId,
        payload: { supplyListingId: supply.id, demandListingId: demand.id, note: made.note },
      });
      return result;
    });
    this.log.info({ matchId: recorded.id, source: made.source, actorId: actor.userId }, 'match made by hand');
    await this.pusher.announce([recorded.id], recorded.created ? 'match:new' : 'match:updated', recorded.created ? 'created' : 'updated');
    const row = await this.db.match.findUniqueOrThrow({ where: { id: recorded.id }, include: MATCH_INCLUDE });
    return presentMatch(row, viewerOf(actor, row));
  }
}

/**
 * Both listings are published now, not only when the match was made: a take-down or withdrawal
 * retracts its matches in the background, later. Read under a share lock, so a take-down running
 * meanwhile either waits for this answer to commit or is seen by it.
 */
async function requirePublished(tx: Prisma.TransactionClient, row: MatchRow) {
  const listings = await tx.$queryRaw<{ status: string }[]>`
    SELECT status::text FROM "Listing" WHERE id IN (${row.supplyListingId}::uuid, ${row.demandListingId}::uuid) FOR SHARE`;
  if (listings.length !== 2 || listings.some((l) => l.status !== 'published')) throw withdrawn();
}

function activityOf(row: MatchRow): MatchActivity['event'] {
  if (row.status === 'confirmed' || row.status === 'retracted' || row.status === 'declined') return row.status;
  return row.trend === 'new' ? 'created' : 'updated';
}
