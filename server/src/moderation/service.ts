import { appendEvidence, type BannedWord, type Db } from '@hub/db';
import {
  socketRoom,
  type BannedWordInput as BannedWordInputSchema,
  type BannedWordView as BannedWordViewSchema,
  type Broadcaster,
  type RoomEntryView,
  type RoomView,
} from '@hub/protocol';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { AppError, isUniqueViolation } from '../http/errors.ts';
import type { RoomGate } from '../rooms/moderation.ts';
import { appendRoomEntry } from '../rooms/record.ts';
import type { RoomService } from '../rooms/service.ts';

type BannedWordView = z.infer<typeof BannedWordViewSchema>;
type BannedWordInput = z.infer<typeof BannedWordInputSchema>;

export function presentBannedWord(row: BannedWord): BannedWordView {
  return { id: row.id, word: row.word, action: row.action, createdAt: row.createdAt.toISOString() };
}

/** Rules are matched against NFKC-normalised, lower-cased text (see RoomGate): stored the same way, so duplicates are caught. */
const normalizeWord = (word: string) => word.normalize('NFKC').trim().toLowerCase();


/**
 * Staff moderation of negotiation rooms and the banned-word rules. Every act carries its reason and is
 * recorded in the same transaction as the change: banned-word changes in the evidence chain, room acts
 * as a `moderation` entry in the room's own hash-chained record (which the parties see too).
 */
export class ModerationService {
  constructor(
    private readonly db: Db,
    private readonly rooms: RoomService,
    private readonly gate: RoomGate,
    private readonly broadcast: Broadcaster,
  ) {}

  // ── Banned words ───────────────────────────────────────────────────────────────

  async bannedWords(): Promise<{ words: BannedWordView[] }> {
    const rows = await this.db.bannedWord.findMany({ orderBy: [{ createdAt: 'asc' }, { word: 'asc' }] });
    return { words: rows.map(presentBannedWord) };
  }

  async addBannedWord(admin: Actor, input: BannedWordInput): Promise<BannedWordView> {
    const word = normalizeWord(input.word);
    if (!word) throw new AppError('validation_failed', 'The word is empty.', { fields: [{ path: 'word', message: 'word_empty' }] });
    let row: BannedWord;
    try {
      row = await this.db.$transaction(async (tx) => {
        const created = await tx.bannedWord.create({ data: { word, action: input.action, createdById: admin.userId } });
        await appendEvidence(tx, {
          kind: 'moderation.banned_word_added',
          subjectType: 'banned_word',
          subjectId: created.id,
          actorId: admin.userId,
          payload: { word, action: input.action, reason: input.reason },
        });
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('banned_word_conflict', 'This word already has a rule; remove it first to change its action.');
      throw error;
    }
    this.gate.forget();
    return presentBannedWord(row);
  }

  async removeBannedWord(admin: Actor, id: string, reason: string): Promise<BannedWordView> {
    const removed = await this.db.$transaction(async (tx) => {
      const row = await tx.bannedWord.findUnique({ where: { id } });
      if (!row) throw new AppError('banned_word_not_found', 'No such banned-word rule.');
      const { count } = await tx.bannedWord.deleteMany({ where: { id } });
      if (!count) throw new AppError('banned_word_not_found', 'No such banned-word rule.');
      await appendEvidence(tx, {
        kind: 'moderation.banned_word_removed',
        subjectType: 'banned_word',
        subjectId: row.id,
        actorId: admin.userId,
        payload: { word: row.word, action: row.action, reason },
      });
      return row;
    });
    this.gate.forget();
    return presentBannedWord(removed);
  }

  // ── Room acts ──────────────────────────────────────────────────────────────────

  /**
   * Hides a message from the parties. The message itself stays in the record untouched (RoomEntry is
   * append-only and its hash proves it); the hide is a row beside it and a `moderation` entry after it.
   * Returns the hidden message as staff see it (with its text).
   */
  async hide(staff: Actor, roomId: string, seq: number, reason: string): Promise<RoomEntryView> {
    const { room } = await this.rooms.staffAccess(staff, roomId);
    const target = await this.db.roomEntry.findUnique({ where: { roomId_seq: { roomId, seq } } });
    if (!target || (target.kind !== 'message' && target.kind !== 'file')) throw new AppError('not_found', `No message or file with sequence number ${seq} in this room (only those can be hidden).`);
    let result;
    try {
      result = await this.db.$transaction(async (tx) => {
        const hide = await tx.roomEntryHide.create({ data: { roomId, seq, reason, hiddenBy: staff.userId } });
        const entry = await appendRoomEntry(tx, roomId, { kind: 'moderation', authorId: staff.userId, body: '', data: { action: 'hide', seq, reason } });
        if (!entry) throw new AppError('room_not_found', 'No such negotiation room.');
        return { hide, entry };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('room_state_conflict', 'This message is already hidden.');
      throw error;
    }
    this.broadcast.to(socketRoom.negotiation(roomId), 'room:entry-hidden', { roomId, seq, at: result.hide.at.toISOString(), reason });
    await this.rooms.announce(room, result.entry);
    return (await this.rooms.presentEntries(roomId, [target], { staff: true }))[0]!;
  }

  /** Mutes a member of either party, a broker or joined staff in this room for some minutes (a new mute replaces the old one). */
  async mute(staff: Actor, roomId: string, input: { userId: string; minutes: number; reason: string }): Promise<{ room: RoomView; until: Date }> {
    const { room } = await this.rooms.staffAccess(staff, roomId);
    if (!(await this.rooms.isWriter(room, input.userId))) throw new AppError('user_not_found', 'No such participant in this room.');
    const until = new Date(Date.now() + input.minutes * 60_000);
    const entry = await this.db.$transaction(async (tx) => {
      const appended = await appendRoomEntry(tx, roomId, {
        kind: 'moderation',
        authorId: staff.userId,
        body: '',
        data: { action: 'mute', userId: input.userId, until: until.toISOString(), reason: input.reason },
      });
      if (!appended) throw new AppError('room_not_found', 'No such negotiation room.');
      await tx.roomMute.upsert({
        where: { roomId_userId: { roomId, userId: input.userId } },
        create: { roomId, userId: input.userId, until, reason: input.reason },
        update: { until, reason: input.reason },
      });
      return appended;
    });
    await this.rooms.announce(room, entry);
    await this.rooms.announceUpdate(roomId);
    return { room: await this.rooms.view(staff, roomId), until };
  }

  /** Freezes (nobody can add to the room) or unfreezes it; asking for the state it is already in is a conflict. */
  async freeze(staff: Actor, roomId: string, input: { frozen: boolean; reason: string }): Promise<RoomView> {
    const { room } = await this.rooms.staffAccess(staff, roomId);
    const entry = await this.db.$transaction(async (tx) => {
      const { count } = await tx.negotiationRoom.updateMany({
        where: { id: roomId, frozenAt: input.frozen ? null : { not: null } },
        data: input.frozen ? { frozenAt: new Date(), frozenReason: input.reason } : { frozenAt: null, frozenReason: null },
      });
      if (!count) throw new AppError('room_state_conflict', input.frozen ? 'This room is already frozen.' : 'This room is not frozen.');
      const appended = await appendRoomEntry(tx, roomId, {
        kind: 'moderation',
        authorId: staff.userId,
        body: '',
        data: { action: input.frozen ? 'freeze' : 'unfreeze', reason: input.reason },
      });
      if (!appended) throw new AppError('room_not_found', 'No such negotiation room.');
      return appended;
    });
    await this.rooms.announce(room, entry);
    await this.rooms.announceUpdate(roomId);
    return this.rooms.view(staff, roomId);
  }
}
