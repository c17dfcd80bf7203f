import {
  isBindingStage,
  type BindingStage,
  type RoomActivity,
  type RoomEntryHidden,
  type RoomEntryView,
  type RoomParticipantView,
  type RoomPresence,
  type RoomRole,
  type RoomSharedView,
  type RoomStage,
  type RoomView,
} from '@hub/protocol';

/** The stages a negotiation moves through, in order (`closed` ends it without a deal from any of them before 签约). */
export const STAGE_PATH = ['first_contact', 'formal_negotiation', 'evaluation', 'intent', 'signed'] as const satisfies readonly RoomStage[];

/** The stage after this one, or null once the negotiation has ended (签约 or closed). */
export function nextStage(stage: RoomStage): RoomStage | null {
  const index = STAGE_PATH.indexOf(stage as (typeof STAGE_PATH)[number]);
  if (index === -1 || index === STAGE_PATH.length - 1) return null;
  return STAGE_PATH[index + 1]!;
}

/** Whether the parties can still move the room (forward or to closed). */
export const isOpenStage = (stage: RoomStage) => stage !== 'signed' && stage !== 'closed';

/**
 * How one step of the stage bar looks: passed, the current one, or ahead. A closed room shows the
 * steps it passed before it was closed (`closedFrom`, from its stage entry) as passed.
 */
export function stepState(step: RoomStage, current: RoomStage, closedFrom: RoomStage | null = null): 'done' | 'current' | 'todo' {
  const at = current === 'closed' ? closedFrom : current;
  if (step === current) return 'current';
  if (at === null) return 'todo';
  const stepIndex = STAGE_PATH.indexOf(step as (typeof STAGE_PATH)[number]);
  const atIndex = STAGE_PATH.indexOf(at as (typeof STAGE_PATH)[number]);
  if (current === 'closed') return stepIndex <= atIndex ? 'done' : 'todo';
  return stepIndex < atIndex ? 'done' : 'todo';
}

// ── The record: entries by sequence number ─────────────────────────────────────

/**
 * Merges entries into a list held in sequence order: one entry per `seq` (a newer copy of an entry,
 * e.g. one staff hid meanwhile, replaces the held one), whatever order or overlap they arrive in.
 */
export function mergeEntries(held: readonly RoomEntryView[], incoming: readonly RoomEntryView[]): RoomEntryView[] {
  if (incoming.length === 0) return held as RoomEntryView[];
  const bySeq = new Map<number, RoomEntryView>();
  for (const entry of held) bySeq.set(entry.seq, entry);
  for (const entry of incoming) bySeq.set(entry.seq, entry);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The last sequence number held without a gap from the oldest entry held: what a (re)join asks to
 * continue after, so a missing entry is fetched again rather than skipped. 0 when nothing is held.
 */
export function heldThrough(entries: readonly RoomEntryView[]): number {
  if (entries.length === 0) return 0;
  let last = entries[0]!.seq;
  for (const entry of entries.slice(1)) {
    if (entry.seq !== last + 1) break;
    last = entry.seq;
  }
  return last;
}

/** Applies a live "staff hid this entry": parties lose its text, staff keep it (greyed, with the reason). */
/** What someone else adds that waits to be read: their messages and files (not system entries). */
export const countsAsUnread = (kind: RoomEntryView['kind']) => kind === 'message' || kind === 'file';

export function hideEntry(entries: readonly RoomEntryView[], event: RoomEntryHidden, staff: boolean): RoomEntryView[] {
  return entries.map((entry) =>
    entry.seq === event.seq
      ? // As the server shows it to parties: a hidden file loses its name and hash too.
        { ...entry, hidden: { at: event.at, reason: event.reason }, body: staff ? entry.body : '', data: staff || entry.kind !== 'file' ? entry.data : {} }
      : entry,
  );
}

/**
 * Where the "new messages" divider goes: before the first message from someone else after the
 * viewer's last read one, among those that were there when the room was opened (`upToSeq`), so
 * messages arriving while the viewer reads do not move it. As older pages load, it finds its place.
 */
export function unreadDividerSeq(entries: readonly RoomEntryView[], lastReadSeq: number, me: string | undefined, upToSeq = Infinity): number | null {
  const first = entries.find((e) => e.seq > lastReadSeq && e.seq <= upToSeq && countsAsUnread(e.kind) && e.author?.id !== me);
  return first ? first.seq : null;
}

// ── Messages being sent ──────────────────────────────────────────────────────────

/** A message written here and not yet acknowledged as stored. */
export interface PendingMessage {
  /** The idempotency key: a resend (after a reconnect) with it cannot store the message twice. */
  clientKey: string;
  body: string;
  replyToSeq: number | null;
  /** The last sequence number held when it was written: its stored entry comes after it. */
  afterSeq: number;
  /** sending: emitted, waiting for the ack; queued: waiting for the connection; failed: refused (with why). */
  status: 'sending' | 'queued' | 'failed';
  error: string | null;
}

/** A client key for a message or an offer (the protocol wants 8–64 of `A-Za-z0-9_-`). */
export function newClientKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

/**
 * The pending messages still to show as pending. The own message's live entry may arrive before the
 * ack that settles it (or a reconnect's catch-up may bring it before the resend's ack): such a pending
 * message is already in the list as an entry and is not shown twice. Each entry settles at most one
 * pending message, the earliest written with the same text and reply after which it was stored.
 */
export function visiblePending(pending: readonly PendingMessage[], entries: readonly RoomEntryView[], me: string | undefined): PendingMessage[] {
  if (!me) return [...pending];
  const claimed = new Set<number>();
  return pending.filter((message) => {
    const body = message.body.trim();
    const stored = entries.find(
      (e) =>
        !claimed.has(e.seq) &&
        e.kind === 'message' &&
        e.author?.id === me &&
        e.seq > message.afterSeq &&
        e.body === body &&
        (e.replyToSeq ?? null) === message.replyToSeq,
    );
    if (!stored) return true;
    claimed.add(stored.seq);
    return false;
  });
}

// ── Room lists ───────────────────────────────────────────────────────────────────

/** The room list's order: latest activity first (rooms without entries last), then the newest room. */
export function compareRooms(a: Pick<RoomView, 'lastEntryAt' | 'createdAt'>, b: Pick<RoomView, 'lastEntryAt' | 'createdAt'>): number {
  if (a.lastEntryAt !== b.lastEntryAt) {
    if (a.lastEntryAt === null) return 1;
    if (b.lastEntryAt === null) return -1;
    return a.lastEntryAt < b.lastEntryAt ? 1 : -1;
  }
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

/** Puts a room into the list (replacing the one with its id) in list order. */
export function placeRoom<T extends Pick<RoomView, 'id' | 'lastEntryAt' | 'createdAt'>>(list: readonly T[], room: T): T[] {
  return [...list.filter((r) => r.id !== room.id), room].sort(compareRooms);
}

/**
 * Applies a room's activity to the list: its last entry and time, one more unread message when
 * someone else wrote it, and its new place. Stale or repeated activity (a `lastSeq` the row already
 * has) changes nothing. Returns null when the room is not in the list (the caller fetches it).
 */
export function applyActivity(list: readonly RoomView[], activity: RoomActivity, me: string | undefined): RoomView[] | null {
  const room = list.find((r) => r.id === activity.roomId);
  if (!room) return null;
  if (activity.lastSeq <= room.lastSeq) return list as RoomView[];
  const counts = countsAsUnread(activity.kind) && activity.authorId !== me;
  const updated: RoomView = {
    ...room,
    lastSeq: activity.lastSeq,
    lastEntryAt: activity.lastEntryAt,
    unread: room.unread + (counts ? 1 : 0),
  };
  return placeRoom(list, updated);
}

/** The other party of a room as the viewer sees it (null for staff, who see both). */
export function counterpartOfRoom(room: Pick<RoomView, 'mySide' | 'supply' | 'demand'>): RoomView['supply'] | null {
  if (room.mySide === 'supply') return room.demand;
  if (room.mySide === 'demand') return room.supply;
  return null;
}

/** A room changed for everyone (`room:updated`): the viewer's own fields (role, side, reads, mute) stay. */
export function updateRoom(room: RoomView, update: RoomSharedView): RoomView {
  return {
    ...room,
    ...update,
    myRole: room.myRole,
    mySide: room.mySide,
    muted: room.muted,
    unread: room.unread,
    lastReadSeq: room.lastReadSeq,
    counterpartReadSeq: room.counterpartReadSeq,
  };
}

/** Whether the viewer is muted right now. */
export function isMuted(room: Pick<RoomView, 'muted'>, now: number): boolean {
  return room.muted !== null && Date.parse(room.muted.until) > now;
}

// ── Who takes part ───────────────────────────────────────────────────────────────

/** Whether this role may write in the room (messages, typing): everyone but observing staff. */
export const canWrite = (role: RoomRole) => role !== 'observer';

/**
 * What the viewer may do about one broker or staff member listed in the room: leave (it is
 * themselves), remove (a broker their own side invited, for a party member), or nothing.
 */
export function participantAction(
  room: Pick<RoomView, 'myRole' | 'mySide'>,
  participant: Pick<RoomParticipantView, 'user' | 'role' | 'side'>,
  me: string | undefined,
): 'leave' | 'remove' | null {
  if (me !== undefined && participant.user.id === me) return 'leave';
  if (room.myRole === 'party' && participant.role === 'broker' && participant.side !== null && participant.side === room.mySide) return 'remove';
  return null;
}

/** Someone named in the room's record beyond its author: a broker's or staff member's name and agency. */
/** How someone online is described: a party member by their organisation; brokers and staff by their role. */
export type PresenceLabel = { kind: 'party'; organization: string } | { kind: 'broker'; organization: string | null } | { kind: 'staff' } | { kind: 'unknown' };

export function presenceLabel(
  room: Pick<RoomView, 'participants' | 'supply' | 'demand'>,
  user: RoomPresence['online'][number],
): PresenceLabel {
  if (user.role === 'staff') return { kind: 'staff' };
  if (user.role === 'broker') {
    const listed = room.participants.find((p) => p.user.id === user.id);
    return { kind: 'broker', organization: listed?.organization?.name ?? null };
  }
  if (user.organizationId === room.supply.id) return { kind: 'party', organization: room.supply.name };
  if (user.organizationId === room.demand.id) return { kind: 'party', organization: room.demand.name };
  return { kind: 'unknown' };
}

// ── Typing ───────────────────────────────────────────────────────────────────────

/** Who is typing, and until when that holds without another signal (a lost "stopped" must not stick). */
export type TypingState = ReadonlyMap<string, { name: string; until: number }>;

export const TYPING_SHOW_MS = 6_000;
/** A typist repeats "typing" at most this often. */
export const TYPING_THROTTLE_MS = 2_500;
/** …and says "stopped" after this long without a keystroke. */
export const TYPING_IDLE_MS = 4_000;

export function setTyping(state: TypingState, user: { id: string; name: string }, typing: boolean, now: number): Map<string, { name: string; until: number }> {
  const next = new Map(state);
  if (typing) next.set(user.id, { name: user.name, until: now + TYPING_SHOW_MS });
  else next.delete(user.id);
  return next;
}

/** Those typing now (other than the viewer). */
export function typingUsers(state: TypingState, now: number, me: string | undefined): { id: string; name: string }[] {
  return [...state].filter(([id, t]) => id !== me && t.until > now).map(([id, t]) => ({ id, name: t.name }));
}

/** The names of those typing now (other than the viewer). */
export function typingNames(state: TypingState, now: number, me: string | undefined): string[] {
  return typingUsers(state, now, me).map((u) => u.name);
}

/** Whether a typist should send "typing" again now. */
export const shouldSendTyping = (lastSentAt: number, now: number) => now - lastSentAt >= TYPING_THROTTLE_MS;

// ── System lines ─────────────────────────────────────────────────────────────────

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The facts of a stage move (`data: { from, to }`), if the entry records one (a proposal about a stage is not a move). */
export function stageMove(entry: Pick<RoomEntryView, 'data'>): { from: RoomStage | null; to: RoomStage } | null {
  if (entry.data.action !== undefined) return null;
  const to = str(entry.data.to);
  if (!to || !(STAGE_PATH as readonly string[]).concat('closed').includes(to)) return null;
  const from = str(entry.data.from);
  return { from: from && (STAGE_PATH as readonly string[]).concat('closed').includes(from) ? (from as RoomStage) : null, to: to as RoomStage };
}

/**
 * A stage entry about a proposal of a stage that binds both sides (`data: { action, to, side }`):
 * made, withdrawn by its side or declined by the other. Null for a move.
 */
export function stageProposalFacts(entry: Pick<RoomEntryView, 'data'>): { action: 'proposed' | 'withdrawn' | 'declined'; to: BindingStage } | null {
  const action = str(entry.data.action);
  const to = str(entry.data.to);
  if ((action !== 'proposed' && action !== 'withdrawn' && action !== 'declined') || !to || !isBindingStage(to as RoomStage)) return null;
  return { action, to: to as BindingStage };
}

/** The stage a closed room was in when it was closed (from its last stage entry to `closed`). */
export function closedFrom(entries: readonly RoomEntryView[]): RoomStage | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const move = entries[i]!.kind === 'stage' ? stageMove(entries[i]!) : null;
    if (move?.to === 'closed') return move.from;
  }
  return null;
}

/**
 * An offer or agreement entry's facts (`data: { offerId, version, previousId }`), as far as it has
 * them. An offer entry without an author that says `action: 'lapsed'` records an open offer whose
 * validity ran out (`validUntil`, withdrawn when a new one was made).
 */
export function offerFacts(entry: Pick<RoomEntryView, 'data'>): {
  offerId: string | null;
  version: number | null;
  counter: boolean;
  lapsed: boolean;
  validUntil: string | null;
} {
  const lapsed = entry.data.action === 'lapsed';
  return {
    offerId: str(entry.data.offerId),
    version: num(entry.data.version),
    counter: !lapsed && (str(entry.data.previousId) !== null || entry.data.counter === true),
    lapsed,
    validUntil: str(entry.data.validUntil),
  };
}

/** An opening entry's facts: staff opened the room without a match (`data: { byStaff: true, reason }`). */
export function openedFacts(entry: Pick<RoomEntryView, 'data'>): { byStaff: boolean; reason: string | null } {
  return { byStaff: entry.data.byStaff === true, reason: str(entry.data.reason) };
}

/**
 * A participant entry's facts (`data: { action, userId, name, organizationName, role, side, note?, reason? }`:
 * the entry names the person, who may since have left), or null when it lacks them.
 */
export function participantFacts(entry: Pick<RoomEntryView, 'data'>): {
  action: 'joined' | 'left' | 'removed';
  userId: string | null;
  name: string | null;
  organization: string | null;
  role: 'broker' | 'staff';
  side: 'supply' | 'demand' | null;
  note: string | null;
  reason: string | null;
} | null {
  const { action, role, side } = entry.data;
  if (action !== 'joined' && action !== 'left' && action !== 'removed') return null;
  if (role !== 'broker' && role !== 'staff') return null;
  return {
    action,
    userId: str(entry.data.userId),
    name: str(entry.data.name),
    organization: str(entry.data.organizationName),
    role,
    side: side === 'supply' || side === 'demand' ? side : null,
    note: str(entry.data.note),
    reason: str(entry.data.reason),
  };
}

/** A moderation entry's facts (`data: { action, reason, seq, until, userId }`), as far as it has them. */
export function moderationFacts(entry: Pick<RoomEntryView, 'data'>): {
  action: string | null;
  reason: string | null;
  seq: number | null;
  until: string | null;
  userId: string | null;
} {
  return { action: str(entry.data.action), reason: str(entry.data.reason), seq: num(entry.data.seq), until: str(entry.data.until), userId: str(entry.data.userId) };
}
