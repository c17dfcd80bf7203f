import { z } from './zod.ts';

/** 对接洽谈 stages, in order; `closed` ends a room without a deal, from any stage before 签约. */
export const ROOM_STAGES = ['first_contact', 'formal_negotiation', 'evaluation', 'intent', 'signed', 'closed'] as const;
export const RoomStage = z.enum(ROOM_STAGES).openapi('RoomStage');
export type RoomStage = z.infer<typeof RoomStage>;

/** Longest message body, in characters. */
export const MESSAGE_MAX_CHARS = 4000;
/** Messages one join or history page returns at most. */
export const ROOM_PAGE_MAX = 200;

/** What a room entry is: a party's text, or a record of something that happened in the room (its opening, a stage move). */
export const RoomEntryKind = z.enum(['opened', 'message', 'stage']).openapi('RoomEntryKind');
export type RoomEntryKind = z.infer<typeof RoomEntryKind>;

/** A client's idempotency key: a resend with the same key returns the first result. */
const ClientKey = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'client_key_format');

const MessageText = z
  .string()
  .trim()
  .min(1, 'message_empty')
  .max(MESSAGE_MAX_CHARS, 'message_too_long')
  .refine((v) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(v), 'control_characters');

/** One entry of a room's record, in sequence order; each carries the hash linking it to the one before. */
export const RoomEntryView = z
  .object({
    roomId: z.string(),
    seq: z.number().int().positive(),
    kind: RoomEntryKind,
    author: z.object({ id: z.string(), name: z.string(), organizationId: z.string().nullable() }).nullable(),
    /** The message text (kind `message`); empty for other kinds. */
    body: z.string(),
    replyToSeq: z.number().int().nullable(),
    /** Kind-specific facts: `{ from, to }` for a stage move. */
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    hash: z.string(),
  })
  .openapi('RoomEntry');
export type RoomEntryView = z.infer<typeof RoomEntryView>;

export const RoomParty = z.object({ id: z.string(), name: z.string() });

export const RoomView = z
  .object({
    id: z.string(),
    title: z.string(),
    stage: RoomStage,
    matchId: z.string().nullable(),
    supply: RoomParty,
    demand: RoomParty,
    /** The viewer's side, or null for staff. */
    mySide: z.enum(['supply', 'demand']).nullable(),
    lastSeq: z.number().int(),
    /** Messages from others after the viewer's last read one. */
    unread: z.number().int(),
    lastReadSeq: z.number().int(),
    lastEntryAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Room');
export type RoomView = z.infer<typeof RoomView>;

export const RoomList = z.object({ rooms: z.array(RoomView) }).openapi('RoomList');

export const RoomHistoryQuery = z.strictObject({
  /** Entries before this sequence number (default: the newest). */
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(ROOM_PAGE_MAX).default(50),
});
export type RoomHistoryQuery = z.infer<typeof RoomHistoryQuery>;

export const RoomHistory = z.object({ entries: z.array(RoomEntryView), hasMore: z.boolean() }).openapi('RoomHistory');
export type RoomHistory = z.infer<typeof RoomHistory>;

export const RoomJoinInput = z.strictObject({
  roomId: z.uuid(),
  /** The last sequence number this client holds: the ack brings everything after it (up to a page). */
  afterSeq: z.number().int().min(0).optional(),
});
export type RoomJoinInput = z.infer<typeof RoomJoinInput>;

export const RoomJoined = z.object({ room: RoomView, entries: z.array(RoomEntryView), hasMore: z.boolean() });
export type RoomJoined = z.infer<typeof RoomJoined>;

export const RoomSendInput = z.strictObject({
  roomId: z.uuid(),
  clientKey: ClientKey,
  body: MessageText,
  replyToSeq: z.number().int().positive().optional(),
});
export type RoomSendInput = z.infer<typeof RoomSendInput>;

export const RoomStageInput = z.strictObject({ stage: RoomStage }).openapi('RoomStageInput');
export type RoomStageInput = z.infer<typeof RoomStageInput>;

export const RoomTypingInput = z.strictObject({ roomId: z.uuid(), typing: z.boolean() });
export const RoomReadInput = z.strictObject({ roomId: z.uuid(), seq: z.number().int().min(0) });
export const RoomLeaveInput = z.strictObject({ roomId: z.uuid() });

/** To `room:<id>`: someone started or stopped typing. */
export const RoomTyping = z.object({ roomId: z.string(), user: z.object({ id: z.string(), name: z.string() }), typing: z.boolean() });
export type RoomTyping = z.infer<typeof RoomTyping>;
/** To `room:<id>`: who has the room open now. */
export const RoomPresence = z.object({ roomId: z.string(), online: z.array(z.object({ id: z.string(), name: z.string() })) });
export type RoomPresence = z.infer<typeof RoomPresence>;
/** To `room:<id>`: a participant has read up to `seq` (read receipts). */
export const RoomRead = z.object({ roomId: z.string(), userId: z.string(), seq: z.number().int() });
export type RoomRead = z.infer<typeof RoomRead>;

/** To both parties: a room has a new entry (for room lists: order, unread counts, preview). */
export const RoomActivity = z.object({
  roomId: z.string(),
  lastSeq: z.number().int(),
  lastEntryAt: z.string(),
  kind: RoomEntryKind,
  authorId: z.string().nullable(),
  preview: z.string(),
});
export type RoomActivity = z.infer<typeof RoomActivity>;

/** The room's record verified against its hash chain. */
export const RoomVerification = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    firstBroken: z.object({ seq: z.number().int(), reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap']) }).nullable(),
  })
  .openapi('RoomVerification');
export type RoomVerification = z.infer<typeof RoomVerification>;

/** `GET /api/rooms/:id/evidence`: the room's full record, its hash chain and the verification result. */
export const RoomEvidence = z
  .object({
    room: RoomView.omit({ unread: true, lastReadSeq: true, mySide: true }),
    entries: z.array(RoomEntryView.extend({ prevHash: z.string() })),
    verification: RoomVerification,
    exportedAt: z.string(),
  })
  .openapi('RoomEvidence');
export type RoomEvidence = z.infer<typeof RoomEvidence>;

export const RoomEvidenceQuery = z.strictObject({ format: z.enum(['json', 'html']).default('json') });
