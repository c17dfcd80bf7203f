import type { Db, NegotiationRoom } from '@hub/db';
import type { Actor } from '../auth/actor.ts';
import { AppError } from '../http/errors.ts';

/** The refusal for anything added to a frozen room, with staff's reason. */
export const frozenError = (room: NegotiationRoom) =>
  new AppError('room_state_conflict', `Staff have frozen this room${room.frozenReason ? ` (${room.frozenReason})` : ''}; nothing can be added until it is unfrozen.`);

/** Banned-word rules change rarely and are read on every message: kept for a few seconds per process. */
const RULES_TTL_MS = 5_000;

/**
 * The checks every party's addition to a room passes before it is stored: the room is not frozen, the
 * sender is not muted, and the text contains no blocked word. Words that only flag are returned, to
 * be stored with the message and shown to staff.
 */
export class RoomGate {
  private rules: { word: string; action: 'flag' | 'block' }[] = [];
  private loadedAt = 0;

  constructor(private readonly db: Db) {}

  async screen(actor: Actor, room: NegotiationRoom, text: string): Promise<{ flagged: string[] }> {
    const mute = await this.db.roomMute.findUnique({ where: { roomId_userId: { roomId: room.id, userId: actor.userId } } });
    return this.check(room, mute, text);
  }

  /** As `screen`, for a caller that has already read the sender's mute (or its absence). */
  async check(room: NegotiationRoom, mute: { until: Date; reason: string } | null, text: string): Promise<{ flagged: string[] }> {
    if (room.frozenAt) throw frozenError(room);
    if (mute && mute.until > new Date()) {
      const why = mute.reason ? ` (${mute.reason})` : '';
      throw new AppError('participant_muted', `Staff have muted you in this room until ${mute.until.toISOString()}${why}.`);
    }
    const lowered = text.normalize('NFKC').toLowerCase();
    const hits = (await this.bannedWords()).filter((rule) => lowered.includes(rule.word));
    if (hits.some((rule) => rule.action === 'block')) {
      throw new AppError('message_blocked', 'The message contains words this platform does not allow; it was not sent.', {
        fields: [{ path: 'body', message: 'banned_word' }],
      });
    }
    return { flagged: hits.map((rule) => rule.word) };
  }

  /** Drops the cached rules (after an admin changes them on this process). */
  forget() {
    this.loadedAt = 0;
  }

  private async bannedWords() {
    if (Date.now() - this.loadedAt > RULES_TTL_MS) {
      const rows = await this.db.bannedWord.findMany({ select: { word: true, action: true } });
      this.rules = rows.map((r) => ({ word: r.word.normalize('NFKC').toLowerCase(), action: r.action }));
      this.loadedAt = Date.now();
    }
    return this.rules;
  }
}
