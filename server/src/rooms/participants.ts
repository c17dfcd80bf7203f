import { notifyUser, type Db, type NegotiationRoom, type Prisma, type RoomEntry, type RoomParticipantRole } from '@hub/db';
import type { Logger } from '@hub/platform';
import { socketRoom, type Broadcaster, type JobQueue, type RoomView, type StaffOpenRoomInput } from '@hub/protocol';
import type { Actor } from '../auth/actor.ts';
import { refuseOwnOrganization } from '../auth/guards.ts';
import { AppError, isUniqueViolation } from '../http/errors.ts';
import { afterCommit } from '../jobs.ts';
import { announceRoomOpened, openRoom, type RoomOpening } from './opening.ts';
import { appendRoomEntry, hasEnded, type NewEntry } from './record.ts';
import { partySide, type RoomService } from './service.ts';
import type { RoomSockets } from './socket.ts';

/** Brokers are members of approved service agencies that offer brokerage (技术经纪). */
const BROKER_ORGANIZATION: Prisma.OrganizationWhereInput = { status: 'approved', type: 'service_agency', specialities: { has: 'brokerage' } };


/**
 * Who takes part in a room beyond the parties' own members: a technology broker (技术经纪人) invited
 * by one side, and staff who join visibly instead of observing; and rooms staff open for two
 * organisations without a match. Every change is a `participant` (or `opened`) entry in the room's
 * hash-chained record, written in the same transaction as the change.
 */
export class ParticipantService {
  constructor(
    private readonly db: Db,
    private readonly rooms: RoomService,
    private readonly broadcast: Broadcaster,
    private readonly queue: JobQueue,
    private readonly log: Logger,
    private readonly sockets: RoomSockets,
  ) {}

  /** Brokers a party may invite: not already in the room, not a member of either party. */
  async brokerCandidates(actor: Actor, roomId: string) {
    const { room } = await this.party(actor, roomId);
    const present = await this.rooms.participants(roomId);
    const users = await this.db.user.findMany({
      where: {
        organization: { ...BROKER_ORGANIZATION, id: { notIn: [room.supplyOrganizationId, room.demandOrganizationId] } },
        id: { notIn: present.map((p) => p.userId) },
      },
      select: { id: true, name: true, organization: { select: { id: true, name: true } } },
      orderBy: [{ organization: { name: 'asc' } }, { name: 'asc' }],
      take: 100,
    });
    return { brokers: users.map((u) => ({ id: u.id, name: u.name, organization: u.organization! })) };
  }

  /** A party invites a broker to help its side; the broker is told and finds the room in their list. */
  async inviteBroker(actor: Actor, roomId: string, input: { userId: string; note: string }): Promise<RoomView> {
    const { room, side } = await this.party(actor, roomId);
    if (hasEnded(room)) throw new AppError('room_state_conflict', 'This negotiation has ended.');
    const broker = await this.db.user.findUnique({ where: { id: input.userId }, select: { id: true, name: true, organizationId: true, organization: { select: { name: true } } } });
    if (!broker) throw new AppError('user_not_found', 'No such user.');
    const eligible = await this.db.user.count({ where: { id: broker.id, organization: BROKER_ORGANIZATION } });
    if (!eligible || partySide(room, broker.organizationId)) {
      throw new AppError('broker_not_eligible', 'Only members of an approved service agency offering brokerage, from neither party, can be invited as brokers.');
    }
    const who = { name: broker.name, organizationName: broker.organization?.name ?? null };
    const { entry, notificationIds } = await this.join(room, { userId: broker.id, role: 'broker', side, invitedById: actor.userId }, { ...who, note: input.note }, (tx) =>
      notifyUser(tx, broker.id, 'room.invited', { roomId, title: room.title, side, invitedBy: actor.name }).then((id) => [id]),
    );
    this.log.info({ roomId, brokerId: broker.id, side, userId: actor.userId }, 'broker invited to room');
    const inviter = await this.db.organization.findUniqueOrThrow({ where: { id: actor.organizationId! }, select: { id: true, name: true } });
    this.broadcast.to(socketRoom.user(broker.id), 'room:opened', { roomId, matchId: room.matchId, title: room.title, counterpart: inviter });
    await this.announce(room, entry);
    await afterCommit(this.queue, this.log, { notificationIds });
    return this.rooms.view(actor, roomId);
  }

  /** Staff join a room visibly: the parties see who and why, and the staff member may write. */
  async staffJoin(staff: Actor, roomId: string, reason: string): Promise<RoomView> {
    const { room, role } = await this.rooms.staffAccess(staff, roomId);
    if (role !== 'observer') throw new AppError('participant_conflict', 'You are already in this room.');
    const { entry } = await this.join(room, { userId: staff.userId, role: 'staff', side: null, invitedById: staff.userId }, { name: staff.name, organizationName: null, reason });
    this.log.info({ roomId, staffId: staff.userId, reason }, 'staff joined room');
    await this.announce(room, entry);
    return this.rooms.view(staff, roomId);
  }

  /**
   * Someone leaves: a broker or staff member themselves, or the side that invited a broker removes
   * them. Their earlier entries stay in the record; everyone in the room gets the new list (`room:updated`).
   */
  async remove(actor: Actor, roomId: string, userId: string): Promise<void> {
    const { room, side } = await this.rooms.access(actor, roomId);
    const participant = await this.db.roomParticipant.findUnique({ where: { roomId_userId: { roomId, userId } } });
    if (!participant) throw new AppError('user_not_found', 'No such broker or staff member in this room.');
    const self = userId === actor.userId;
    if (!self && !(participant.role === 'broker' && side === participant.side)) {
      throw new AppError('forbidden', 'Only the side that invited a broker can remove them; others leave by themselves.');
    }
    const user = await this.db.user.findUnique({ where: { id: userId }, select: { name: true, organization: { select: { name: true } } } });
    const entry = await this.db.$transaction(async (tx) => {
      const { count } = await tx.roomParticipant.deleteMany({ where: { roomId, userId } });
      if (!count) throw new AppError('user_not_found', 'No such broker or staff member in this room.');
      return appendRoomEntry(tx, roomId, {
        kind: 'participant',
        authorId: actor.userId,
        body: '',
        data: {
          action: self ? 'left' : 'removed',
          userId,
          name: user?.name ?? '',
          organizationName: user?.organization?.name ?? null,
          role: participant.role,
          side: participant.side,
        },
      });
    });
    this.log.info({ roomId, userId, role: participant.role, by: actor.userId }, self ? 'participant left room' : 'participant removed from room');
    // The one who left hears of it on every open tab, even those about to stop hearing the room.
    await this.rooms.announce(room, entry!, { alsoTo: [socketRoom.user(userId)] });
    // A broker who is gone hears no more of the room (the stream keeps this after the entry); staff stay able to observe.
    if (participant.role === 'broker') this.sockets.stopListening(userId, roomId);
    await this.rooms.announceUpdate(roomId);
    // Presence lists only who takes part: someone who left drops out even with a tab still open.
    await this.sockets.announcePresence(roomId);
  }

  /**
   * Staff open a room for a supply and a demand organisation without a match (a 平台撮合 they arranged
   * offline, a roadshow follow-up). Both organisations are told; the reason is in the room's first entry
   * and in the platform's evidence chain.
   */
  async staffOpen(staff: Actor, input: StaffOpenRoomInput): Promise<RoomView> {
    refuseOwnOrganization(staff, [input.supplyOrganizationId, input.demandOrganizationId]);
    const organizations = await this.db.organization.findMany({
      where: { id: { in: [input.supplyOrganizationId, input.demandOrganizationId] }, status: 'approved' },
      select: { id: true, name: true },
    });
    const named = (id: string) => organizations.find((o) => o.id === id);
    const [supply, demand] = [named(input.supplyOrganizationId), named(input.demandOrganizationId)];
    if (!supply || !demand) throw new AppError('organization_not_found', 'Both organisations must exist and be approved.');
    const opening: RoomOpening = {
      supply,
      demand,
      title: input.title,
      matchId: null,
      openedById: staff.userId,
      evidence: { byStaff: true, reason: input.reason },
      entry: { byStaff: true, reason: input.reason },
      notice: { byStaff: true },
      entryAuthorId: staff.userId,
      notification: 'room.opened',
    };
    const { room, notificationIds } = await this.db.$transaction((tx) => openRoom(tx, opening));
    this.log.info({ roomId: room.id, staffId: staff.userId, supplyOrganizationId: supply.id, demandOrganizationId: demand.id, reason: input.reason }, 'staff opened room');
    announceRoomOpened(this.broadcast, room, opening);
    await afterCommit(this.queue, this.log, { notificationIds });
    return this.rooms.view(staff, room.id);
  }

  /** A party member of the room (brokers and staff do not invite). */
  private async party(actor: Actor, roomId: string) {
    const access = await this.rooms.access(actor, roomId);
    if (!access.side) throw new AppError('forbidden', 'Only the parties invite brokers.');
    return { room: access.room, side: access.side };
  }

  /** Adds the participant and its `joined` entry in one transaction (plus whatever `alsoIn` writes). */
  private async join(
    room: NegotiationRoom,
    who: { userId: string; role: RoomParticipantRole; side: 'supply' | 'demand' | null; invitedById: string },
    details: Record<string, unknown>,
    alsoIn?: (tx: Prisma.TransactionClient) => Promise<string[]>,
  ) {
    try {
      return await this.db.$transaction(async (tx) => {
        await tx.roomParticipant.create({ data: { roomId: room.id, ...who } });
        const entry: NewEntry = { kind: 'participant', authorId: who.invitedById, body: '', data: { action: 'joined', userId: who.userId, role: who.role, side: who.side, ...details } };
        const appended = (await appendRoomEntry(tx, room.id, entry))!;
        return { entry: appended, notificationIds: alsoIn ? await alsoIn(tx) : [] };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('participant_conflict', 'Already in this room.');
      throw error;
    }
  }

  /** The entry goes to the room; its changed participant list and presence to everyone who has it open. */
  private async announce(room: NegotiationRoom, entry: RoomEntry) {
    await this.rooms.announce(room, entry);
    await this.rooms.announceUpdate(room.id);
    // Someone who joins with the room already open (staff who observed) is shown at once.
    await this.sockets.announcePresence(room.id);
  }
}
