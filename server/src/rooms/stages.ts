import type { Db, NegotiationRoom, Prisma, RoomEntry } from '@hub/db';
import type { Logger } from '@hub/platform';
import { isBindingStage, ROOM_STAGES, type RoomStage, type RoomView } from '@hub/protocol';
import type { Actor } from '../auth/actor.ts';
import { AppError } from '../http/errors.ts';
import type { RoomGate } from './moderation.ts';
import { appendRoomEntry, hasEnded, lockOpenRoom } from './record.ts';
import type { RoomService } from './service.ts';

type Side = 'supply' | 'demand';

/** The room columns that hold a pending stage proposal, emptied: every stage move lapses the proposal. */
export const NO_PROPOSAL = { stageProposal: null, stageProposalSide: null, stageProposalSeq: null, stageProposedAt: null } as const;

const endedError = () => new AppError('room_state_conflict', 'This negotiation has ended.');

/**
 * 洽谈阶段: where a negotiation stands. Either side alone moves it forward through the stages that
 * bind nobody (正式洽谈, 考察评估), and either side may close it without a deal. A stage that binds both
 * (达成意向, 签约) needs both: one side proposes it and the other confirms, so neither can declare a
 * deal alone (达成意向 is also reached when both accept an offer, see offers.ts). One proposal stands
 * at a time; it lapses when the stage moves. Each step is a `stage` entry written in the transaction
 * that changes the room row, under the row's lock, so two requests cannot both pass the same check.
 */
export class StageService {
  constructor(
    private readonly db: Db,
    private readonly rooms: RoomService,
    private readonly gate: RoomGate,
    private readonly log: Logger,
  ) {}

  /** Moves to `stage`; for a binding stage, proposes it, or confirms the other side's proposal of it. */
  async move(actor: Actor, id: string, stage: RoomStage): Promise<RoomView> {
    const side = await this.partySide(actor, id);
    const entry = await this.db.$transaction(async (tx) => {
      const room = await lockOpenRoom(tx, id, endedError);
      if (stage !== 'closed' && ROOM_STAGES.indexOf(stage) <= ROOM_STAGES.indexOf(room.stage)) {
        throw new AppError('room_state_conflict', 'A negotiation moves forward (or closes); it does not go back a stage.');
      }
      if (!isBindingStage(stage)) return this.moveTo(tx, room, stage, actor, { side });
      if (!room.stageProposal) return this.propose(tx, room, stage, actor, side);
      if (room.stageProposalSide === side) {
        throw new AppError('stage_proposal_conflict', `Your side has proposed “${room.stageProposal}”: the other side confirms or declines it, or you withdraw it.`);
      }
      if (room.stageProposal !== stage) {
        throw new AppError('stage_proposal_conflict', `The other side has proposed “${room.stageProposal}”: confirm or decline that first.`);
      }
      return this.moveTo(tx, room, stage, actor, { side, confirms: room.stageProposalSeq });
    });
    return this.recorded(actor, id, entry);
  }

  /** The proposing side withdraws its pending proposal, or the other side declines it. */
  async withdrawProposal(actor: Actor, id: string): Promise<RoomView> {
    const side = await this.partySide(actor, id);
    const entry = await this.db.$transaction(async (tx) => {
      const room = await lockOpenRoom(tx, id, endedError);
      if (!room.stageProposal) throw new AppError('stage_proposal_not_found', 'No stage proposal is waiting in this room.');
      await tx.negotiationRoom.update({ where: { id }, data: NO_PROPOSAL });
      const action = room.stageProposalSide === side ? 'withdrawn' : 'declined';
      return (await appendRoomEntry(tx, id, {
        kind: 'stage',
        authorId: actor.userId,
        body: '',
        data: { action, to: room.stageProposal, side, proposalSeq: room.stageProposalSeq },
      }))!;
    });
    return this.recorded(actor, id, entry);
  }

  /** The actor's side, if they speak for a party of this open room and may act in it now. */
  private async partySide(actor: Actor, id: string): Promise<Side> {
    const { room, side } = await this.rooms.access(actor, id);
    if (!side) throw new AppError('forbidden', 'Only the parties move a negotiation.');
    if (hasEnded(room)) throw endedError();
    await this.gate.screen(actor, room, '');
    return side;
  }

  private async moveTo(tx: Prisma.TransactionClient, room: NegotiationRoom, stage: RoomStage, actor: Actor, facts: { side: Side; confirms?: number | null }) {
    await tx.negotiationRoom.update({ where: { id: room.id }, data: { stage, ...NO_PROPOSAL } });
    return (await appendRoomEntry(tx, room.id, { kind: 'stage', authorId: actor.userId, body: '', data: { from: room.stage, to: stage, ...facts } }))!;
  }

  private async propose(tx: Prisma.TransactionClient, room: NegotiationRoom, stage: RoomStage, actor: Actor, side: Side) {
    const entry = (await appendRoomEntry(tx, room.id, { kind: 'stage', authorId: actor.userId, body: '', data: { action: 'proposed', from: room.stage, to: stage, side } }))!;
    await tx.negotiationRoom.update({
      where: { id: room.id },
      data: { stageProposal: stage, stageProposalSide: side, stageProposalSeq: entry.seq, stageProposedAt: entry.createdAt },
    });
    return entry;
  }

  /** Tells the room of the step (the entry, and the room's new stage or proposal) and answers with the room. */
  private async recorded(actor: Actor, id: string, entry: RoomEntry): Promise<RoomView> {
    this.log.info({ roomId: id, seq: entry.seq, step: entry.data, userId: actor.userId }, 'room stage step');
    const room = await this.db.negotiationRoom.findUniqueOrThrow({ where: { id } });
    await this.rooms.announce(room, entry);
    await this.rooms.announceUpdate(id);
    return this.rooms.view(actor, id);
  }
}
