import { endOfChinaDay, isCalendarDay, type Clock } from './china-day.ts';
import { ChainVerification } from './evidence.ts';
import { CooperationMode } from './listings.ts';
import { text } from './text.ts';
import { z } from './zod.ts';

/** 对接洽谈 stages, in order; `closed` ends a room without a deal, from any stage before 签约. */
export const ROOM_STAGES = ['first_contact', 'formal_negotiation', 'evaluation', 'intent', 'signed', 'closed'] as const;
export const RoomStage = z.enum(ROOM_STAGES).openapi('RoomStage');
export type RoomStage = z.infer<typeof RoomStage>;

/**
 * The stages that bind both sides: 达成意向 is reached when both accept an offer, and either stage when
 * one side proposes it and the other confirms. The other stages, and closing, either side moves alone.
 */
export const BINDING_STAGES = ['intent', 'signed'] as const satisfies readonly RoomStage[];
export type BindingStage = (typeof BINDING_STAGES)[number];
export const isBindingStage = (stage: RoomStage): stage is BindingStage => (BINDING_STAGES as readonly RoomStage[]).includes(stage);

/** Longest message body, in characters. */
export const MESSAGE_MAX_CHARS = 4000;
/** Messages one join or history page returns at most. */
export const ROOM_PAGE_MAX = 200;
/** Largest sequence number a room can reach (its column is a Postgres integer); inputs beyond it are refused, not overflowed. */
export const ROOM_SEQ_MAX = 2_147_483_647;

/**
 * What a room entry is: a participant's text or file, or a record of something that happened in the
 * room: its opening, someone joining or leaving, a stage move, an offer (proposed, countered or lapsed),
 * an agreement in principle, a moderation act.
 */
export const RoomEntryKind = z
  .enum(['opened', 'message', 'file', 'participant', 'stage', 'offer', 'agreement', 'moderation'])
  .openapi('RoomEntryKind');
export type RoomEntryKind = z.infer<typeof RoomEntryKind>;

/** A client's idempotency key: a resend with the same key returns the first result. */
const ClientKey = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'client_key_format');

/** A sequence number a client names (as JSON, or `coerce`d from a path or query string). */
const seq = (min: 0 | 1) => z.number().int().min(min).max(ROOM_SEQ_MAX);
const seqParam = (min: 0 | 1) => z.coerce.number().int().min(min).max(ROOM_SEQ_MAX);

const MessageText = text().min(1, 'message_empty').max(MESSAGE_MAX_CHARS, 'message_too_long');

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
    /** Set when staff hid this message or file: parties then get an empty body and no data (in the evidence export too); staff keep it. */
    hidden: z.object({ at: z.string(), reason: z.string() }).nullable(),
    /** Banned words it contains (rules that flag rather than block); shown to staff only, kept beside the record rather than in its hash. */
    flagged: z.array(z.string()),
  })
  .openapi('RoomEntry');
export type RoomEntryView = z.infer<typeof RoomEntryView>;

export const RoomParty = z.object({ id: z.string(), name: z.string() });

/**
 * How someone takes part: `party` speaks for its organisation (messages, offers, stages); a `broker`
 * (技术经纪人, invited by one side) and `staff` who joined visibly may write; an `observer` (staff who
 * did not join) reads without being shown.
 */
export const RoomRole = z.enum(['party', 'broker', 'staff', 'observer']).openapi('RoomRole');
export type RoomRole = z.infer<typeof RoomRole>;

/** A broker or a visibly joined staff member (the parties' own members are not listed one by one). */
export const RoomParticipantView = z
  .object({
    user: z.object({ id: z.string(), name: z.string() }),
    organization: RoomParty.nullable(),
    role: z.enum(['broker', 'staff']),
    /** The side that invited a broker; null for staff. */
    side: z.enum(['supply', 'demand']).nullable(),
    invitedBy: z.object({ id: z.string(), name: z.string() }),
    joinedAt: z.string(),
  })
  .openapi('RoomParticipant');
export type RoomParticipantView = z.infer<typeof RoomParticipantView>;

export const RoomView = z
  .object({
    id: z.string(),
    title: z.string(),
    stage: RoomStage,
    matchId: z.string().nullable(),
    supply: RoomParty,
    demand: RoomParty,
    /** The party the viewer speaks for, or null (brokers and staff speak for no party). */
    mySide: z.enum(['supply', 'demand']).nullable(),
    myRole: RoomRole,
    /** Brokers and visibly joined staff, in the order they joined. */
    participants: z.array(RoomParticipantView),
    lastSeq: z.number().int(),
    /** Messages from others after the viewer's last read one. */
    unread: z.number().int(),
    lastReadSeq: z.number().int(),
    /** How far the other party has read (its members' furthest read receipt), for 已读 on load; 0 for staff. */
    counterpartReadSeq: z.number().int(),
    lastEntryAt: z.string().nullable(),
    createdAt: z.string(),
    /**
     * A binding stage one side proposed (its `stage` entry at `seq`), waiting for the other side to
     * confirm it (or for either to withdraw or decline it). It lapses when the stage moves otherwise.
     */
    stageProposal: z.object({ stage: z.enum(BINDING_STAGES), side: z.enum(['supply', 'demand']), seq: z.number().int(), at: z.string() }).nullable(),
    /** Staff froze the room: nobody can add to it until it is unfrozen. */
    frozen: z.boolean(),
    /** Why staff froze it (shown to everyone in the room). */
    frozenReason: z.string().nullable(),
    /** The largest file the room takes, in bytes (the platform's ROOM_FILE_MAX_BYTES). */
    fileMaxBytes: z.number().int(),
    /** Until when, and why, the viewer is muted in this room, if they are. */
    muted: z.object({ until: z.string(), reason: z.string() }).nullable(),
  })
  .openapi('Room');
export type RoomView = z.infer<typeof RoomView>;

export const RoomList = z.object({ rooms: z.array(RoomView) }).openapi('RoomList');

/** The room as every viewer sees it alike (`room:updated`, the evidence export): without the viewer's own state. */
export const RoomSharedView = RoomView.omit({
  unread: true,
  lastReadSeq: true,
  counterpartReadSeq: true,
  mySide: true,
  myRole: true,
  muted: true,
}).openapi('RoomShared');
export type RoomSharedView = z.infer<typeof RoomSharedView>;

export const RoomHistoryQuery = z.strictObject({
  /** Entries before this sequence number (default: the newest). */
  beforeSeq: seqParam(1).optional(),
  limit: z.coerce.number().int().min(1).max(ROOM_PAGE_MAX).default(50),
});
export type RoomHistoryQuery = z.infer<typeof RoomHistoryQuery>;

export const RoomHistory = z.object({ entries: z.array(RoomEntryView), hasMore: z.boolean() }).openapi('RoomHistory');
export type RoomHistory = z.infer<typeof RoomHistory>;

export const RoomJoinInput = z.strictObject({
  roomId: z.uuid(),
  /** The last sequence number this client holds: the ack brings everything after it (up to a page). */
  afterSeq: seq(0).optional(),
});
export type RoomJoinInput = z.infer<typeof RoomJoinInput>;

export const RoomJoined = z.object({ room: RoomView, entries: z.array(RoomEntryView), hasMore: z.boolean() });
export type RoomJoined = z.infer<typeof RoomJoined>;

export const RoomSendInput = z.strictObject({
  roomId: z.uuid(),
  clientKey: ClientKey,
  body: MessageText,
  replyToSeq: seq(1).optional(),
});
export type RoomSendInput = z.infer<typeof RoomSendInput>;

/**
 * Move to `stage`. A stage that binds both sides is not moved to at once: the first side's request
 * proposes it, and the other side's request for the same stage confirms it and moves the room.
 */
export const RoomStageInput = z.strictObject({ stage: RoomStage }).openapi('RoomStageInput');
export type RoomStageInput = z.infer<typeof RoomStageInput>;

export const RoomTypingInput = z.strictObject({ roomId: z.uuid(), typing: z.boolean() });
export const RoomReadInput = z.strictObject({ roomId: z.uuid(), seq: seq(0) });
export const RoomLeaveInput = z.strictObject({ roomId: z.uuid() });

/** To `room:<id>`: someone started or stopped typing. */
export const RoomTyping = z.object({ roomId: z.string(), user: z.object({ id: z.string(), name: z.string() }), typing: z.boolean() });
export type RoomTyping = z.infer<typeof RoomTyping>;
/** To `room:<id>`: who has the room open now (observing staff are not shown). */
export const RoomPresence = z.object({
  roomId: z.string(),
  online: z.array(z.object({ id: z.string(), name: z.string(), organizationId: z.string().nullable(), role: RoomRole.exclude(['observer']) })),
});
export type RoomPresence = z.infer<typeof RoomPresence>;
/** To `room:<id>`: a participant has read up to `seq` (read receipts). */
export const RoomRead = z.object({ roomId: z.string(), userId: z.string(), organizationId: z.string().nullable(), seq: z.number().int() });
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

/** The room's record verified against its hash chain and its latest checkpoint. */
export const RoomVerification = ChainVerification.openapi('RoomVerification');
export type RoomVerification = ChainVerification;

/**
 * `GET /api/rooms/:id/evidence`: the room's record, its hash chain and the verification result. Each
 * entry's hash covers its content by `contentHash` (sha256 of the canonical JSON of body, replyToSeq
 * and data), so the parties' export, which withholds what staff hid, still verifies on its own
 * (`verifyRoomExport`); staff's export carries everything.
 */
export const RoomEvidence = z
  .object({
    room: RoomSharedView,
    entries: z.array(
      RoomEntryView.extend({
        prevHash: z.string(),
        contentHash: z.string(),
        /** Staff hid it and this export is a party's: body and data are left out, `contentHash` stands for them. */
        withheld: z.boolean(),
      }),
    ),
    verification: RoomVerification,
    exportedAt: z.string(),
  })
  .openapi('RoomEvidence');
export type RoomEvidence = z.infer<typeof RoomEvidence>;

export const RoomEvidenceFormat = z.enum(['json', 'html']);
export type RoomEvidenceFormat = z.infer<typeof RoomEvidenceFormat>;
export const RoomEvidenceQuery = z.strictObject({ format: RoomEvidenceFormat.default('json') });

// ── Offers (意向条款) ─────────────────────────────────────────────────────────────

/** Who owns the intellectual property that the cooperation produces. */
export const IpOwnership = z.enum(['supplier', 'demander', 'joint', 'per_contract']).openapi('IpOwnership');

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date_format')
  .refine(isCalendarDay, 'date_format');
const termText = (max: number) => text().min(1).max(max);

/** The terms of an offer (with its own rule for the last day it can be accepted). */
const offerTerms = (validUntil: z.ZodType<string>) =>
  z
    .strictObject({
      mode: CooperationMode,
      /** Total price in CNY (whole yuan); never negative. */
      priceCny: z.number().int().min(0, 'price_negative').max(100_000_000_000),
      paymentTerms: termText(500),
      milestones: z.array(z.strictObject({ title: termText(100), due: day, paymentPercent: z.number().int().min(0).max(100) })).max(20).default([]),
      scope: termText(2000),
      ipOwnership: IpOwnership,
      confidentiality: text().max(1000).default(''),
      /** Last day the offer can be accepted (China time). */
      validUntil,
    })
    .superRefine((terms, ctx) => {
      const total = terms.milestones.reduce((sum, m) => sum + m.paymentPercent, 0);
      if (terms.milestones.length && total !== 100) ctx.addIssue({ code: 'custom', path: ['milestones'], message: 'payment_percent_total_not_100' });
    });

/** The terms of an offer as proposed, by `now`: what is agreed when both sides accept it; `validUntil` must lie ahead. */
export const offerTermsAt = (now: Clock) => offerTerms(day.refine((v) => endOfChinaDay(v).getTime() > now(), 'valid_until_past'));

export const OfferTerms = offerTermsAt(Date.now).openapi('OfferTerms');
export type OfferTerms = z.infer<typeof OfferTerms>;

/** The terms as stored and shown: an offer's validity may have run out since it was made. */
export const OfferTermsView = offerTerms(day).openapi('OfferTermsView');

export const OfferStatus = z.enum(['open', 'countered', 'accepted', 'withdrawn']).openapi('OfferStatus');

export const OfferView = z
  .object({
    id: z.string(),
    roomId: z.string(),
    /** 1, 2, 3… within the room; a counter-offer links to the version it answers. */
    version: z.number().int(),
    previousId: z.string().nullable(),
    side: z.enum(['supply', 'demand']),
    author: z.object({ id: z.string(), name: z.string() }),
    terms: OfferTermsView,
    status: OfferStatus,
    acceptedBy: z.object({ supply: z.string().nullable(), demand: z.string().nullable() }),
    /** The room entry that recorded it. */
    seq: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('Offer');
export type OfferView = z.infer<typeof OfferView>;

export const OfferList = z.object({ offers: z.array(OfferView) }).openapi('OfferList');

/** Propose terms, or counter an open offer (`previousId`). The client key makes a resend harmless. */
export const OfferInput = z
  .strictObject({ clientKey: ClientKey, terms: OfferTerms, previousId: z.uuid().optional() })
  .openapi('OfferInput');
export type OfferInput = z.infer<typeof OfferInput>;

export const OfferAcceptParams = z.strictObject({ id: z.uuid(), offerId: z.uuid() });

// ── Moderation ───────────────────────────────────────────────────────────────────

const Reason = text().min(2, 'reason_required').max(500);

/** A banned-word rule (admins): `block` refuses the message; `flag` stores it and tells staff. */
export const BannedWordAction = z.enum(['flag', 'block']).openapi('BannedWordAction');
export const BannedWordView = z
  .object({ id: z.string(), word: z.string(), action: BannedWordAction, createdAt: z.string() })
  .openapi('BannedWord');
export const BannedWordList = z.object({ words: z.array(BannedWordView) }).openapi('BannedWordList');
export const BannedWordInput = z
  .strictObject({ word: text().min(1).max(50), action: BannedWordAction, reason: Reason })
  .openapi('BannedWordInput');
export const BannedWordDelete = z.strictObject({ reason: Reason }).openapi('BannedWordDelete');
export const HideEntryInput = z.strictObject({ reason: Reason }).openapi('HideEntryInput');
export const HideEntryParams = z.strictObject({ id: z.uuid(), seq: seqParam(1) });
export const MuteInput = z
  .strictObject({ userId: z.uuid(), minutes: z.number().int().min(1).max(7 * 24 * 60), reason: Reason })
  .openapi('MuteInput');
export const FreezeInput = z.strictObject({ frozen: z.boolean(), reason: Reason }).openapi('FreezeInput');

/** To `room:<id>`: staff hid an entry; parties replace its text with “hidden by staff”. */
export const RoomEntryHidden = z.object({ roomId: z.string(), seq: z.number().int(), at: z.string(), reason: z.string() });
export type RoomEntryHidden = z.infer<typeof RoomEntryHidden>;

// ── Participants ────────────────────────────────────────────────────────────────

/** A technology broker someone in a party may invite: a member of an approved service agency offering brokerage. */
export const BrokerCandidate = z
  .object({ id: z.string(), name: z.string(), organization: RoomParty })
  .openapi('BrokerCandidate');
export const BrokerCandidateList = z.object({ brokers: z.array(BrokerCandidate) }).openapi('BrokerCandidateList');

/** A party invites a broker to help its side; the note is recorded with the invitation. */
export const InviteBrokerInput = z
  .strictObject({ userId: z.uuid(), note: text().max(500).default('') })
  .openapi('InviteBrokerInput');
export const ParticipantParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });

/** Staff join a room visibly (the parties see who and why), or open one for two organisations. */
export const StaffJoinInput = z.strictObject({ reason: Reason }).openapi('StaffJoinInput');
export const StaffOpenRoomInput = z
  .strictObject({
    supplyOrganizationId: z.uuid(),
    demandOrganizationId: z.uuid(),
    title: text().min(2).max(200),
    reason: Reason,
  })
  .refine((v) => v.supplyOrganizationId !== v.demandOrganizationId, { path: ['demandOrganizationId'], message: 'same_organization' })
  .openapi('StaffOpenRoomInput');
export type StaffOpenRoomInput = z.infer<typeof StaffOpenRoomInput>;

// ── Files ───────────────────────────────────────────────────────────────────────

/**
 * The file types a room accepts, by MIME type, with the extensions a name may end in. The server
 * also checks the first bytes, so a renamed executable is refused whatever it is called.
 */
export const ROOM_FILE_TYPES = {
  'application/pdf': ['pdf'],
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/webp': ['webp'],
  'text/plain': ['txt'],
  'text/csv': ['csv'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
  'application/zip': ['zip'],
} as const satisfies Record<string, readonly string[]>;
export type RoomFileType = keyof typeof ROOM_FILE_TYPES;

/** A file as a `file` entry's `data.file` and the download describe it; the sha256 is in the hash chain. */
export const RoomFileView = z
  .object({ id: z.string(), name: z.string(), mime: z.string(), size: z.number().int(), sha256: z.string() })
  .openapi('RoomFile');
export type RoomFileView = z.infer<typeof RoomFileView>;

/**
 * `POST /api/rooms/:id/files?name=…&clientKey=…`, the file's bytes as the body and its type as
 * Content-Type. The client key makes a resend harmless, as for messages: a used key is answered
 * before the body is read, with the first entry if the name, type, reply and declared length match
 * (409 if not).
 */
export const RoomFileUploadQuery = z.strictObject({
  name: text()
    .min(1, 'file_name_empty')
    .max(200, 'file_name_too_long')
    .refine((v) => !/[\\/\t\n\r]/.test(v), 'file_name_characters'),
  clientKey: ClientKey,
  replyToSeq: seqParam(1).optional(),
});
export type RoomFileUploadQuery = z.infer<typeof RoomFileUploadQuery>;
export const RoomFileParams = z.strictObject({ id: z.uuid(), fileId: z.uuid() });
