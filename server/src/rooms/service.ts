import { createHash } from 'node:crypto';
import { appendEvidence, type CheckpointReader, type Db, type NegotiationRoom, type Prisma, type RoomEntry, type RoomParticipantRole } from '@hub/db';
import type { Logger } from '@hub/platform';
import {
  ALL_STAFF_ROOMS,
  ROOM_PAGE_MAX,
  RoomSharedView,
  socketRoom,
  type Broadcaster,
  type RoomEntryView,
  type RoomEvidence,
  type RoomEvidenceFormat,
  type RoomHistory,
  type RoomHistoryQuery,
  type RoomJoined,
  type RoomJoinInput,
  type RoomRead,
  type RoomSendInput,
  type RoomRole,
  type RoomView,
} from '@hub/protocol';
import { canonicalJson } from '@hub/protocol/evidence-hash';
import type { Actor } from '../auth/actor.ts';
import { refuseOwnOrganization } from '../auth/guards.ts';
import { AppError, isUniqueViolation } from '../http/errors.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import type { RoomGate } from './moderation.ts';
import { authorsOf, participantsOf, presentEntry, presentEvidenceEntry, presentRoom, type EntryViewer, type Hidden } from './presenter.ts';
import { appendRoomEntry, verifyRoomRecord } from './record.ts';

const notFound = () => new AppError('room_not_found', 'No such negotiation room.');
const viewerOf = (actor: Actor): EntryViewer => ({ staff: actor.staffRole !== null });
/** What a room list shows of the latest entry: a message's start, or a file's name. */
function previewOf(entry: RoomEntryView): string {
  if (entry.kind === 'file') return `[附件] ${String((entry.data.file as { name?: string } | undefined)?.name ?? '')}`.slice(0, 80);
  return entry.body.slice(0, 80);
}

/** The party an organisation's members speak for in this room, if any. */
export function partySide(room: NegotiationRoom, organizationId: string | null): 'supply' | 'demand' | null {
  if (organizationId === room.supplyOrganizationId) return 'supply';
  if (organizationId === room.demandOrganizationId) return 'demand';
  return null;
}

/** The other party's organisation, when the viewer is a party. */
function counterpartOrganization(room: NegotiationRoom, organizationId: string | null): string | null {
  if (organizationId === room.supplyOrganizationId) return room.demandOrganizationId;
  if (organizationId === room.demandOrganizationId) return room.supplyOrganizationId;
  return null;
}

/** What `send` learns about the sender alongside the room row. */
interface SendFacts {
  participantRole: RoomParticipantRole | null;
  muteUntil: Date | null;
  muteReason: string | null;
  earlierSeq: number | null;
  participantIds: string[];
}

/** Who the actor is in a room: a party (its side), a broker or joined staff, or staff observing. */
export interface Access {
  room: NegotiationRoom;
  side: 'supply' | 'demand' | null;
  role: RoomRole;
}

/**
 * 对接洽谈: negotiation rooms. Every entry (message, stage move) is written with the room's next
 * sequence number and its hash link before anyone is told of it; a resend with the same client key
 * returns the first result; a reconnecting client asks for everything after the last sequence it saw.
 */
export class RoomService {
  constructor(
    private readonly db: Db,
    private readonly broadcast: Broadcaster,
    private readonly limits: RateLimits,
    private readonly gate: RoomGate,
    /** The rooms' signed checkpoints, that an export's verification holds each record against. */
    private readonly checkpoints: CheckpointReader,
    private readonly log: Logger,
    /** The largest file a room takes (shown in the room view, enforced by the file service). */
    private readonly fileMaxBytes: number,
  ) {}

  async list(actor: Actor): Promise<{ rooms: RoomView[] }> {
    const organizationId = actor.organizationId;
    // A staff row counts while its user is still staff (as in `roleOf`).
    const joined: Prisma.RoomParticipantWhereInput = actor.staffRole ? { userId: actor.userId } : { userId: actor.userId, role: { not: 'staff' } };
    const mine: Prisma.NegotiationRoomWhereInput[] = [{ participants: { some: joined } }];
    if (organizationId) mine.push({ supplyOrganizationId: organizationId }, { demandOrganizationId: organizationId });
    const rooms = await this.db.negotiationRoom.findMany({
      where: actor.staffRole && !organizationId ? {} : { OR: mine },
      orderBy: [{ lastEntryAt: { sort: 'desc', nulls: 'last' } }, { createdAt: 'desc' }],
      take: 200,
    });
    return { rooms: await this.present(actor, rooms) };
  }

  async view(actor: Actor, id: string): Promise<RoomView> {
    const { room } = await this.access(actor, id);
    return (await this.present(actor, [room]))[0]!;
  }

  /** A page of the record going backwards: entries before `beforeSeq`, oldest first within the page. */
  async history(actor: Actor, id: string, query: RoomHistoryQuery): Promise<RoomHistory> {
    await this.access(actor, id);
    const rows = await this.db.roomEntry.findMany({
      where: { roomId: id, ...(query.beforeSeq ? { seq: { lt: query.beforeSeq } } : {}) },
      orderBy: { seq: 'desc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit).reverse();
    return { entries: await this.presentEntries(id, page, viewerOf(actor)), hasMore: rows.length > query.limit };
  }

  /**
   * What a socket gets when it opens a room: the room, and every entry after `afterSeq` (a reconnect's
   * catch-up) or else the latest page. `hasMore` says the catch-up needs another round (or history).
   */
  async join(actor: Actor, input: RoomJoinInput): Promise<RoomJoined> {
    const { room } = await this.access(actor, input.roomId);
    let entries;
    let hasMore: boolean;
    if (input.afterSeq !== undefined) {
      const rows = await this.db.roomEntry.findMany({ where: { roomId: room.id, seq: { gt: input.afterSeq } }, orderBy: { seq: 'asc' }, take: ROOM_PAGE_MAX + 1 });
      entries = rows.slice(0, ROOM_PAGE_MAX);
      hasMore = rows.length > ROOM_PAGE_MAX;
    } else {
      const history = await this.history(actor, room.id, { limit: 50 });
      return { room: (await this.present(actor, [room]))[0]!, ...history };
    }
    return { room: (await this.present(actor, [room]))[0]!, entries: await this.presentEntries(room.id, entries, viewerOf(actor)), hasMore };
  }

  /**
   * Stores a message, then acks and broadcasts it. A resend with the same client key returns the
   * stored entry (without a second broadcast); the same key with another body is refused (409). The
   * hot path of a live room: one query for everything the checks need, one statement to append.
   */
  async send(actor: Actor, input: RoomSendInput): Promise<RoomEntryView> {
    const { room, role, mute, earlierSeq, participantIds } = await this.sendContext(actor, input.roomId, input.clientKey);
    const requestHash = createHash('sha256').update(canonicalJson({ body: input.body, replyToSeq: input.replyToSeq ?? null })).digest('hex');
    if (earlierSeq !== null) return this.resent(await this.entryAt(room.id, earlierSeq), requestHash);
    if (role === 'observer') throw new AppError('forbidden', 'Staff observe this room; join it visibly to write in it.');
    if (room.stage === 'closed') throw new AppError('room_state_conflict', 'This negotiation is closed; the record can be read and exported, not added to.');
    if (input.replyToSeq !== undefined && input.replyToSeq > room.lastSeq) {
      throw new AppError('validation_failed', 'The message replied to does not exist in this room.', { fields: [{ path: 'replyToSeq', message: 'reply_not_found' }] });
    }
    const { flagged } = await this.gate.check(room, mute, input.body);
    await this.limits.beforeMessage(actor.userId, room.id);
    let entry;
    try {
      entry = (await appendRoomEntry(this.db, room.id, {
        kind: 'message',
        authorId: actor.userId,
        body: input.body,
        replyToSeq: input.replyToSeq,
        flagged,
        clientKey: input.clientKey,
        requestHash,
      }))!;
    } catch (error) {
      // The same key sent twice at once: the other attempt stored it first.
      if (isUniqueViolation(error, 'clientKey')) {
        const stored = await this.byClientKey(room.id, actor.userId, input.clientKey);
        if (stored) return this.resent(stored, requestHash);
      }
      throw error;
    }
    const author = { id: actor.userId, name: actor.name, organizationId: actor.organizationId };
    const view = await this.announce(room, entry, { author, participantIds });
    if (flagged.length) {
      this.log.warn({ roomId: room.id, seq: entry.seq, words: flagged }, 'room message flagged');
      this.broadcast.to(ALL_STAFF_ROOMS, 'console:room-flagged', { roomId: room.id, seq: entry.seq, words: flagged, title: room.title });
    }
    return view;
  }

  /**
   * Everything `send` checks, in one query: the room, the sender's place in it (as `access` decides
   * it), their mute, an entry already stored under this client key, and who else follows the room.
   */
  private async sendContext(actor: Actor, roomId: string, clientKey: string) {
    const [row] = await this.db.$queryRaw<(NegotiationRoom & SendFacts)[]>`/* prepared: room_send_context */
      SELECT r.*, p.role AS "participantRole", m.until AS "muteUntil", m.reason AS "muteReason", e.seq AS "earlierSeq",
        ARRAY(SELECT "userId"::text FROM "RoomParticipant" WHERE "roomId" = r.id) AS "participantIds"
      FROM "NegotiationRoom" r
      LEFT JOIN "RoomParticipant" p ON p."roomId" = r.id AND p."userId" = ${actor.userId}::uuid
      LEFT JOIN "RoomMute" m ON m."roomId" = r.id AND m."userId" = ${actor.userId}::uuid
      LEFT JOIN "RoomEntry" e ON e."roomId" = r.id AND e."authorId" = ${actor.userId}::uuid AND e."clientKey" = ${clientKey}
      WHERE r.id = ${roomId}::uuid`;
    if (!row) throw notFound();
    const { participantRole, muteUntil, muteReason, earlierSeq, participantIds, ...room } = row;
    const role = this.roleOf(actor, room, participantRole);
    return { room, role, mute: muteUntil ? { until: muteUntil, reason: muteReason ?? '' } : null, earlierSeq, participantIds };
  }

  /** Read receipt: remembers the furthest entry the user has read and tells the room. */
  async markRead(actor: Actor, input: { roomId: string; seq: number }): Promise<RoomRead> {
    const { room, role } = await this.access(actor, input.roomId);
    // A receipt names its reader: staff observing unseen would announce themselves.
    if (role === 'observer') throw new AppError('forbidden', 'Staff observing a room send no read receipts.');
    const seq = Math.min(input.seq, room.lastSeq);
    await this.db.$executeRaw`
      INSERT INTO "RoomReadState" ("roomId", "userId", "lastReadSeq", "updatedAt") VALUES (${room.id}::uuid, ${actor.userId}::uuid, ${seq}, now())
      ON CONFLICT ("roomId", "userId") DO UPDATE SET "lastReadSeq" = GREATEST("RoomReadState"."lastReadSeq", EXCLUDED."lastReadSeq"), "updatedAt" = now()`;
    const read = { roomId: room.id, userId: actor.userId, organizationId: actor.organizationId, seq };
    this.broadcast.to(socketRoom.negotiation(room.id), 'room:read', read);
    return read;
  }

  /**
   * The record with its hash chain and whether it verifies (parties and staff only). Staff get every
   * entry whole; parties get what staff hid withheld, by its content hash, so their copy still verifies.
   * Each export is itself recorded in the platform's evidence chain: who took the record, how, and what it showed.
   */
  async evidence(actor: Actor, id: string, format: RoomEvidenceFormat): Promise<RoomEvidence> {
    const { room, role } = await this.access(actor, id);
    const [rows, verification, [view]] = await Promise.all([
      // Up to the room row just read, so the entries and the room's last sequence number agree.
      this.db.roomEntry.findMany({ where: { roomId: id, seq: { lte: room.lastSeq } }, orderBy: { seq: 'asc' } }),
      verifyRoomRecord(this.db, id, this.checkpoints),
      this.present(actor, [room]),
    ]);
    const [authors, hidden] = await Promise.all([authorsOf(this.db, rows), this.hiddenIn(id)]);
    await this.db.$transaction((tx) =>
      appendEvidence(tx, {
        kind: 'room.exported',
        subjectType: 'room',
        subjectId: id,
        actorId: actor.userId,
        payload: { format, role, staffRole: actor.staffRole, entries: rows.length, lastHash: rows.at(-1)?.hash ?? null, verified: verification.ok },
      }),
    );
    return {
      room: RoomSharedView.parse(view),
      entries: rows.map((row) => presentEvidenceEntry(row, authors, hidden, viewerOf(actor))),
      verification,
      exportedAt: new Date().toISOString(),
    };
  }

  /**
   * Staff opening a room unseen (as observers) leave a trace the parties cannot see: one platform
   * evidence entry per room opened on a socket (not per entry read). Anyone else passes.
   */
  async observe(actor: Actor, roomId: string): Promise<void> {
    const { role } = await this.access(actor, roomId);
    if (role !== 'observer') return;
    await this.db.$transaction((tx) =>
      appendEvidence(tx, { kind: 'room.observed', subjectType: 'room', subjectId: roomId, actorId: actor.userId, payload: { staffRole: actor.staffRole } }),
    );
  }

  /** The room row, unchecked (for presence, which lists only who may be seen there). */
  room(id: string) {
    return this.db.negotiationRoom.findUnique({ where: { id } });
  }

  /** Brokers and joined staff of a room, unchecked (for presence). */
  participants(roomId: string) {
    return this.db.roomParticipant.findMany({ where: { roomId }, select: { userId: true, role: true } });
  }

  /**
   * Parties (members of either approved organisation), brokers and staff who joined, and staff who
   * observe; to anyone else the room does not exist.
   */
  async access(actor: Actor, id: string): Promise<Access> {
    const room = await this.db.negotiationRoom.findUnique({ where: { id } });
    if (!room) throw notFound();
    const side = partySide(room, actor.organizationId);
    const participant = side ? null : await this.db.roomParticipant.findUnique({ where: { roomId_userId: { roomId: id, userId: actor.userId } } });
    return { room, side, role: this.roleOf(actor, room, participant?.role ?? null) };
  }

  /** The actor's role in the room (given their participant row's role, if any); outsiders get 404, unapproved members 403. */
  private roleOf(actor: Actor, room: NegotiationRoom, joinedAs: RoomParticipantRole | null): RoomRole {
    const side = partySide(room, actor.organizationId);
    // Staff take part by their role: someone no longer staff keeps no place from a row written when they were.
    const participantRole = joinedAs === 'staff' && !actor.staffRole ? null : joinedAs;
    if (!side && !participantRole && !actor.staffRole) throw notFound();
    const role: RoomRole = side ? 'party' : (participantRole ?? 'observer');
    if ((role === 'party' || role === 'broker') && actor.organizationStatus !== 'approved') {
      throw new AppError('organization_not_approved', 'Your organisation is not approved.');
    }
    return role;
  }

  /**
   * As `access`, for staff acting on the room as staff (joining, moderating): refused when their own
   * organisation is in it, as a party or as a broker's.
   */
  async staffAccess(staff: Actor, id: string): Promise<Access> {
    const access = await this.access(staff, id);
    if (!staff.organizationId) return access;
    const brokers = await this.db.$queryRaw<{ organizationId: string | null }[]>`
      SELECT u."organizationId" FROM "RoomParticipant" p JOIN "User" u ON u.id = p."userId" WHERE p."roomId" = ${id}::uuid AND p.role = 'broker'`;
    refuseOwnOrganization(staff, [access.room.supplyOrganizationId, access.room.demandOrganizationId, ...brokers.map((b) => b.organizationId)]);
    return access;
  }

  /** As `access`, for someone about to add to the record: parties, brokers and staff who joined; observers only read. */
  async writer(actor: Actor, id: string): Promise<Access> {
    const access = await this.access(actor, id);
    if (access.role === 'observer') throw new AppError('forbidden', 'Staff observe this room; join it visibly to write in it.');
    return access;
  }

  /** Whether this user may write in the room: a member of either party, or a broker or staff member who joined it. */
  async isWriter(room: NegotiationRoom, userId: string): Promise<boolean> {
    const user = await this.db.user.findUnique({ where: { id: userId }, select: { organizationId: true } });
    if (partySide(room, user?.organizationId ?? null)) return true;
    return (await this.db.roomParticipant.count({ where: { roomId: room.id, userId } })) > 0;
  }

  /**
   * Tells the room's open sockets (and `alsoTo`) of the stored entry, and the room lists of both
   * parties, the room's brokers and joined staff, and every staff console of the activity (sockets
   * that have the room open get only the entry). A caller
   * that knows the entry's author and the room's participants passes them, and nothing is re-read.
   */
  async announce(
    room: NegotiationRoom,
    entry: RoomEntry,
    known: { alsoTo?: string[]; author?: RoomEntryView['author']; participantIds?: string[] } = {},
  ): Promise<RoomEntryView> {
    const [view, participantIds] = await Promise.all([
      known.author ? presentEntry(entry, new Map([[known.author.id, known.author]]), new Map(), { staff: false }) : this.presentEntries(room.id, [entry], { staff: false }).then(([v]) => v!),
      known.participantIds ?? this.participants(room.id).then((rows) => rows.map((p) => p.userId)),
    ]);
    this.broadcast.to([socketRoom.negotiation(room.id), ...(known.alsoTo ?? [])], 'room:entry', view);
    const lists = [socketRoom.organization(room.supplyOrganizationId), socketRoom.organization(room.demandOrganizationId), ...participantIds.map(socketRoom.user)];
    // Sockets with the room open have just had the entry itself.
    this.broadcast.toExcept([...lists, ...ALL_STAFF_ROOMS], socketRoom.negotiation(room.id), 'room:activity', {
      roomId: room.id,
      lastSeq: entry.seq,
      lastEntryAt: entry.createdAt.toISOString(),
      kind: view.kind,
      authorId: entry.authorId,
      preview: previewOf(view),
    });
    return view;
  }

  /** The room as everyone sees it (nothing viewer-specific): what `room:updated` carries. */
  async shared(room: NegotiationRoom): Promise<RoomSharedView> {
    const organizations = await this.db.organization.findMany({
      where: { id: { in: [room.supplyOrganizationId, room.demandOrganizationId] } },
      select: { id: true, name: true },
    });
    const participants = (await participantsOf(this.db, [room.id])).get(room.id) ?? [];
    const view = presentRoom(room, new Map(organizations.map((o) => [o.id, o])), participants, {
      side: null,
      role: 'observer',
      lastReadSeq: 0,
      counterpartReadSeq: 0,
      unread: 0,
      mute: null,
    }, this.fileMaxBytes);
    return RoomSharedView.parse(view);
  }

  /** Tells the room's open sockets that the room changed (stage, frozen, a mute): each re-reads what concerns it. */
  async announceUpdate(roomId: string): Promise<void> {
    const room = await this.db.negotiationRoom.findUnique({ where: { id: roomId } });
    if (room) this.broadcast.to(socketRoom.negotiation(room.id), 'room:updated', await this.shared(room));
  }

  private entryAt(roomId: string, seq: number) {
    return this.db.roomEntry.findUniqueOrThrow({ where: { roomId_seq: { roomId, seq } } });
  }

  private byClientKey(roomId: string, authorId: string, clientKey: string) {
    return this.db.roomEntry.findUnique({ where: { roomId_authorId_clientKey: { roomId, authorId, clientKey } } });
  }

  private async resent(entry: NonNullable<Awaited<ReturnType<RoomService['byClientKey']>>>, requestHash: string) {
    if (entry.requestHash !== requestHash) {
      throw new AppError('idempotency_conflict', 'This client key was already used for a different message.');
    }
    return (await this.presentEntries(entry.roomId, [entry], { staff: false }))[0]!;
  }

  /** Entries as this viewer may see them (hidden messages without their text for the parties). */
  async presentEntries(roomId: string, rows: Parameters<typeof presentEntry>[0][], viewer: EntryViewer) {
    const [authors, hidden] = await Promise.all([authorsOf(this.db, rows), this.hiddenIn(roomId, rows.map((r) => r.seq))]);
    return rows.map((row) => presentEntry(row, authors, hidden, viewer));
  }

  private async hiddenIn(roomId: string, seqs?: number[]): Promise<Hidden> {
    const rows = await this.db.roomEntryHide.findMany({ where: { roomId, ...(seqs ? { seq: { in: seqs } } : {}) } });
    return new Map(rows.map((r) => [r.seq, { at: r.at, reason: r.reason }]));
  }

  private async present(actor: Actor, rooms: NegotiationRoom[]): Promise<RoomView[]> {
    if (!rooms.length) return [];
    const ids = rooms.map((r) => r.id);
    const organizations = await this.db.organization.findMany({
      where: { id: { in: [...new Set(rooms.flatMap((r) => [r.supplyOrganizationId, r.demandOrganizationId]))] } },
      select: { id: true, name: true },
    });
    const [reads, mutes, participants] = await Promise.all([
      this.db.roomReadState.findMany({ where: { roomId: { in: ids }, userId: actor.userId } }),
      this.db.roomMute.findMany({ where: { roomId: { in: ids }, userId: actor.userId } }),
      participantsOf(this.db, ids),
    ]);
    const muteIn = new Map(mutes.map((m) => [m.roomId, m]));
    const lastRead = new Map(reads.map((r) => [r.roomId, r.lastReadSeq]));
    const unread = await this.db.$queryRaw<{ roomId: string; unread: bigint }[]>`
      SELECT e."roomId", count(*) AS unread FROM "RoomEntry" e
      LEFT JOIN "RoomReadState" r ON r."roomId" = e."roomId" AND r."userId" = ${actor.userId}::uuid
      WHERE e."roomId" = ANY(${ids}::uuid[]) AND e.kind IN ('message', 'file') AND e."authorId" IS DISTINCT FROM ${actor.userId}::uuid
        AND e.seq > COALESCE(r."lastReadSeq", 0)
      GROUP BY e."roomId"`;
    const unreadBy = new Map(unread.map((u) => [u.roomId, Number(u.unread)]));
    // Each organisation's furthest read receipt per room: the viewer's counterpart's is what 已读 shows.
    const partyReads = await this.db.$queryRaw<{ roomId: string; organizationId: string; seq: number }[]>`
      SELECT r."roomId", u."organizationId", max(r."lastReadSeq")::int AS seq FROM "RoomReadState" r
      JOIN "User" u ON u.id = r."userId"
      WHERE r."roomId" = ANY(${ids}::uuid[]) AND u."organizationId" IS NOT NULL
      GROUP BY 1, 2`;
    const readBy = new Map(partyReads.map((r) => [`${r.roomId}:${r.organizationId}`, r.seq]));
    const names = new Map(organizations.map((o) => [o.id, o]));
    return rooms.map((room) => {
      const side = partySide(room, actor.organizationId);
      const joined = participants.get(room.id) ?? [];
      const counterpart = counterpartOrganization(room, actor.organizationId);
      return presentRoom(room, names, joined, {
        side,
        role: side ? 'party' : (joined.find((p) => p.user.id === actor.userId)?.role ?? 'observer'),
        lastReadSeq: lastRead.get(room.id) ?? 0,
        counterpartReadSeq: counterpart ? (readBy.get(`${room.id}:${counterpart}`) ?? 0) : 0,
        unread: unreadBy.get(room.id) ?? 0,
        mute: muteIn.get(room.id) ?? null,
      }, this.fileMaxBytes);
    });
  }
}
