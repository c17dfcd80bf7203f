import type {
  ErrorBody,
  OfferView,
  RoomEntryHidden,
  RoomEntryView,
  RoomHistory,
  RoomPresence,
  RoomRead,
  RoomTyping,
  RoomView,
  ServerToClientEvents,
} from '@hub/protocol';
import { api } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import { upsertOffer } from '#lib/offers.ts';
import { m } from '#lib/paraglide/messages.js';
import {
  canWrite,
  heldThrough,
  hideEntry,
  isMuted,
  mergeEntries,
  newClientKey,
  type PendingMessage,
  setTyping,
  shouldSendTyping,
  stageMove,
  TYPING_IDLE_MS,
  type TypingState,
  updateRoom,
  visiblePending,
} from '#lib/rooms.ts';
import { live } from '#lib/socket.svelte.ts';

/** How long to wait before sending a message again whose ack did not come while connected. */
const RESEND_AFTER_MS = 3_000;
/** Read receipts are sent at most this often while the reader scrolls. */
const READ_DEBOUNCE_MS = 400;

type RoomUpdate = Parameters<ServerToClientEvents['room:updated']>[0];

export interface Viewer {
  userId: string | undefined;
  organizationId: string | null;
  staff: boolean;
}

/** Why a message was not stored, as the composer's pending bubble says it. */
function sendErrorText(error: ErrorBody): string {
  const field = error.details?.fields?.[0]?.message;
  if (error.error === 'message_blocked' || field === 'banned_word') return m.error_message_blocked();
  if (field === 'message_too_long') return m.field_message_too_long();
  if (field === 'message_empty') return m.field_message_empty();
  return errorText(error);
}

/**
 * One open room, live: its record held in sequence order (history loaded backwards on demand, new
 * entries appended as they are pushed, a reconnect catching up from the last entry held with no gap),
 * messages being sent (shown at once, resent with the same client key until stored), who is online
 * and typing, read receipts, and the room's offers.
 */
export class RoomSession {
  room = $state() as RoomView;
  entries = $state<RoomEntryView[]>([]);
  hasEarlier = $state(false);
  loadingEarlier = $state(false);
  earlierError = $state<string | null>(null);
  pending = $state<PendingMessage[]>([]);
  offers = $state<OfferView[]>([]);
  online = $state<RoomPresence['online']>([]);
  typing = $state<TypingState>(new Map());
  /** The viewer is no longer in the room (a broker who left or was removed): nothing new arrives. */
  gone = $state(false);
  /** Furthest sequence number each other user has read (read receipts). */
  reads = $state(new Map<string, number>());
  /** Set once the socket has joined the room (after each reconnection). */
  joined = $state(false);
  joinError = $state<string | null>(null);
  /** Ticks every second: typing indicators and mutes lapse on their own. */
  now = $state(Date.now());
  /** Party members seen online here at any time (told apart from brokers and staff by their presence role). */
  #seenParties = $state(new Set<string>());
  /** Whose organisation each read receipt came from (set before `reads` changes, which recomputes 已读). */
  #readers = new Map<string, string>();

  readonly viewer: Viewer;
  readonly shownPending = $derived.by(() => visiblePending(this.pending, this.entries, this.viewer.userId));
  readonly muted = $derived(isMuted(this.room, this.now));
  /** The furthest own entry the other party has read, as far as this page has heard. */
  readonly theirReadSeq = $derived(this.#counterpartReadSeq());

  #joining: Promise<void> | null = null;
  #joinAgain = false;
  #readWanted = 0;
  #readSent = 0;
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  #typingSentAt = 0;
  #typingIdle: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #resendTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Bumped per delivery attempt: a late answer to an older attempt changes nothing. */
  #attempts = new Map<string, number>();
  #closed = false;

  constructor(init: { room: RoomView; history: RoomHistory; offers: OfferView[] }, viewer: Viewer) {
    this.viewer = viewer;
    this.room = init.room;
    this.entries = mergeEntries([], init.history.entries);
    this.hasEarlier = init.history.hasMore;
    this.offers = init.offers.reduce<OfferView[]>((list, offer) => upsertOffer(list, offer), []);
    this.#readSent = init.room.lastReadSeq;
    this.#ticker = setInterval(() => (this.now = Date.now()), 1000);
  }

  get roomId(): string {
    return this.room.id;
  }

  /** Whether the viewer speaks for one of the parties: only they make offers and move the stage. */
  get isParty(): boolean {
    return this.room.myRole === 'party';
  }

  /** Whether the viewer may write here: parties, brokers and staff who joined (observers only read). */
  get canWrite(): boolean {
    return canWrite(this.room.myRole) && !this.gone;
  }

  // ── Joining and catching up ────────────────────────────────────────────────────

  /** The socket (re)connected: the server has forgotten which rooms it was in; join and catch up, then resend. */
  connected(): void {
    this.joined = false;
    void this.catchUp();
  }

  disconnected(): void {
    this.joined = false;
    this.online = [];
    this.typing = new Map();
  }

  /**
   * Joins with `afterSeq` = the last entry held without a gap, merges what the ack brings, and
   * repeats while the server says there is more. Calls made meanwhile (a reconnect while a join is
   * in flight) run once more after it, so the last connection is always the one joined.
   */
  catchUp(): Promise<void> {
    if (this.#joining) {
      this.#joinAgain = true;
      return this.#joining;
    }
    this.#joining = (async () => {
      try {
        for (;;) {
          this.#joinAgain = false;
          const ok = await this.#joinOnce();
          if (this.#closed) return;
          if (this.#joinAgain) continue;
          if (ok) {
            this.joined = true;
            this.#resendAll();
            this.#flushRead();
          }
          return;
        }
      } finally {
        this.#joining = null;
      }
    })();
    return this.#joining;
  }

  /** One join and its catch-up pages; false when it could not join (not connected, or refused). */
  async #joinOnce(): Promise<boolean> {
    for (;;) {
      const ack = await live.request('room:join', { roomId: this.roomId, afterSeq: heldThrough(this.entries) });
      if (ack === null || this.#closed) return false; // not connected: the next connection tries again
      if (!ack.ok) {
        if (this.#outOfRoom(ack)) this.#leftRoom();
        else this.joinError = errorText(ack);
        return false;
      }
      this.joinError = null;
      this.applyRoom(ack.data.room);
      this.#merge(ack.data.entries);
      if (!ack.data.hasMore || ack.data.entries.length === 0) return true;
    }
  }

  /** Tells the server this page no longer shows the room (presence) and stops the timers. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#ticker);
    clearTimeout(this.#readTimer);
    clearTimeout(this.#typingIdle);
    for (const timer of this.#resendTimers.values()) clearTimeout(timer);
    if (this.#typingSentAt) void live.request('room:typing', { roomId: this.roomId, typing: false });
    void live.request('room:leave', { roomId: this.roomId });
  }

  /** The next older page of the record, before the oldest entry held. */
  async loadEarlier(): Promise<void> {
    if (this.loadingEarlier || !this.hasEarlier) return;
    const oldest = this.entries[0]?.seq;
    this.loadingEarlier = true;
    this.earlierError = null;
    const result = await api('roomHistory', { params: { id: this.roomId }, query: { ...(oldest ? { beforeSeq: oldest } : {}), limit: 50 } });
    this.loadingEarlier = false;
    if (!result.ok) {
      this.earlierError = errorText(result.error);
      return;
    }
    this.entries = mergeEntries(this.entries, result.data.entries);
    this.hasEarlier = result.data.hasMore;
  }

  async refreshRoom(): Promise<void> {
    const result = await api('room', { params: { id: this.roomId } });
    if (result.ok) this.applyRoom(result.data);
    else if (this.#outOfRoom(result.error)) this.#leftRoom();
  }

  /** A broker removed from the room is refused it from then on (their sockets stop hearing it first). */
  #outOfRoom(error: ErrorBody): boolean {
    return this.room.myRole === 'broker' && error.error === 'room_not_found';
  }

  async refreshOffers(): Promise<void> {
    const result = await api('offers', { params: { id: this.roomId } });
    if (result.ok) this.offers = result.data.offers.reduce<OfferView[]>((list, offer) => upsertOffer(list, offer), []);
  }

  // ── Pushes ─────────────────────────────────────────────────────────────────────

  /** The server took this socket out of the room: the viewer's rights no longer reach it. */
  onAccessEnded(event: { roomId: string }): void {
    if (event.roomId === this.roomId) this.#leftRoom();
  }

  onEntry(entry: RoomEntryView): void {
    if (entry.roomId !== this.roomId) return;
    const through = heldThrough(this.entries);
    const gap = this.entries.length > 0 && entry.seq > through + 1;
    this.#merge([entry]);
    // An entry past a gap: the ones in between were missed (e.g. pushed while joining); fetch them.
    if (gap) void this.catchUp();
  }

  onHidden(event: RoomEntryHidden): void {
    if (event.roomId !== this.roomId) return;
    this.entries = hideEntry(this.entries, event, this.viewer.staff);
  }

  onTyping(event: RoomTyping): void {
    if (event.roomId !== this.roomId || event.user.id === this.viewer.userId) return;
    this.typing = setTyping(this.typing, event.user, event.typing, Date.now());
  }

  onPresence(event: RoomPresence): void {
    if (event.roomId !== this.roomId) return;
    this.online = event.online;
    const seen = new Set(this.#seenParties);
    for (const user of event.online) if (user.role === 'party') seen.add(user.id);
    if (seen.size !== this.#seenParties.size) this.#seenParties = seen;
  }

  onRead(event: RoomRead): void {
    if (event.roomId !== this.roomId) return;
    if (event.userId === this.viewer.userId) {
      // Read in another tab of the same user.
      if (event.seq > this.room.lastReadSeq) this.room = { ...this.room, lastReadSeq: event.seq };
      return;
    }
    if (event.organizationId !== null) this.#readers.set(event.userId, event.organizationId);
    if ((this.reads.get(event.userId) ?? 0) < event.seq) this.reads = new Map(this.reads).set(event.userId, event.seq);
  }

  onOffer(offer: OfferView): void {
    if (offer.roomId !== this.roomId) return;
    this.offers = upsertOffer(this.offers, offer);
    // Accepting moves the stage (达成意向): the room's own view says so.
    if (offer.status === 'accepted') void this.refreshRoom();
  }

  onUpdated(update: RoomUpdate): void {
    if (update.id !== this.roomId) return;
    this.room = updateRoom(this.room, update);
    // The push leaves out the viewer's own mute and role; read them again.
    void this.refreshRoom();
  }

  // ── Who takes part ─────────────────────────────────────────────────────────────

  /** A party invites a broker to its side; resolves with an error text, or null once invited. */
  async inviteBroker(userId: string, note: string): Promise<string | null> {
    const result = await api('inviteBroker', { params: { id: this.roomId }, body: { userId, note } });
    if (!result.ok) {
      if (result.error.error === 'room_state_conflict' || result.error.error === 'participant_conflict') void this.refreshRoom();
      return errorText(result.error);
    }
    this.applyRoom(result.data);
    return null;
  }

  /**
   * A broker or staff member leaves (`userId` is the viewer), or a party removes the broker its side
   * invited. A broker who left can no longer read the room; staff go back to observing.
   */
  async removeParticipant(userId: string): Promise<string | null> {
    const result = await api('removeParticipant', { params: { id: this.roomId, userId } });
    if (!result.ok) {
      if (result.error.error === 'user_not_found') void this.refreshRoom();
      return errorText(result.error);
    }
    this.room = { ...this.room, participants: this.room.participants.filter((p) => p.user.id !== userId) };
    if (userId === this.viewer.userId && this.room.myRole === 'broker') {
      this.#leftRoom();
      return null;
    }
    await this.refreshRoom();
    return null;
  }

  /** Staff join the room visibly (with a reason both sides see), and may then write. */
  async staffJoin(reason: string): Promise<string | null> {
    const result = await api('staffJoinRoom', { params: { id: this.roomId }, body: { reason } });
    if (!result.ok) {
      if (result.error.error === 'participant_conflict') void this.refreshRoom();
      return errorText(result.error);
    }
    this.applyRoom(result.data);
    return null;
  }

  /** The viewer, a broker, is out of the room: it stays on screen as it was, read-only. */
  #leftRoom(): void {
    this.gone = true;
    this.online = [];
    this.typing = new Map();
    this.stopTyping();
  }

  // ── Sending ────────────────────────────────────────────────────────────────────

  /** Shows the message at once and sends it; it stays pending (resent on reconnect) until stored. */
  send(body: string, replyToSeq: number | null): void {
    const message: PendingMessage = {
      clientKey: newClientKey(),
      body,
      replyToSeq,
      afterSeq: this.room.lastSeq > heldThrough(this.entries) ? this.room.lastSeq : heldThrough(this.entries),
      status: 'queued',
      error: null,
    };
    this.pending = [...this.pending, message];
    this.stopTyping();
    void this.#deliver(message.clientKey);
  }

  retry(clientKey: string): void {
    this.#patch(clientKey, { status: 'queued', error: null });
    void this.#deliver(clientKey);
  }

  discard(clientKey: string): void {
    clearTimeout(this.#resendTimers.get(clientKey));
    this.pending = this.pending.filter((p) => p.clientKey !== clientKey);
  }

  async #deliver(clientKey: string): Promise<void> {
    clearTimeout(this.#resendTimers.get(clientKey));
    const message = this.pending.find((p) => p.clientKey === clientKey);
    if (!message || message.status === 'failed' || this.#closed) return;
    if (live.status !== 'connected' || !this.joined) {
      this.#patch(clientKey, { status: 'queued' });
      return;
    }
    const attempt = (this.#attempts.get(clientKey) ?? 0) + 1;
    this.#attempts.set(clientKey, attempt);
    this.#patch(clientKey, { status: 'sending' });
    const ack = await live.request('room:send', {
      roomId: this.roomId,
      clientKey,
      body: message.body,
      ...(message.replyToSeq !== null ? { replyToSeq: message.replyToSeq } : {}),
    });
    if (this.#attempts.get(clientKey) !== attempt || !this.pending.some((p) => p.clientKey === clientKey)) return;
    if (ack === null) {
      // No answer: lost with the connection (resent on reconnect) or slow (resent soon, same key).
      this.#patch(clientKey, { status: 'queued' });
      if (live.status === 'connected' && !this.#closed) this.#resendTimers.set(clientKey, setTimeout(() => void this.#deliver(clientKey), RESEND_AFTER_MS));
      return;
    }
    if (ack.ok) {
      this.#merge([ack.data]);
      this.pending = this.pending.filter((p) => p.clientKey !== clientKey);
      return;
    }
    if (ack.error === 'rate_limited') {
      const seconds = ack.details?.retryAfterSeconds ?? 5;
      this.#patch(clientKey, { status: 'queued', error: errorText(ack) });
      this.#resendTimers.set(clientKey, setTimeout(() => void this.#deliver(clientKey), Math.max(1, seconds) * 1000));
      return;
    }
    this.#patch(clientKey, { status: 'failed', error: sendErrorText(ack) });
    // Refused because the room changed (frozen, closed, muted): show the room as it is now.
    if (ack.error === 'room_state_conflict' || ack.error === 'participant_muted' || ack.error === 'room_not_found' || ack.error === 'forbidden') void this.refreshRoom();
  }

  #resendAll(): void {
    for (const message of this.pending) if (message.status !== 'failed') void this.#deliver(message.clientKey);
  }

  #patch(clientKey: string, patch: Partial<PendingMessage>): void {
    this.pending = this.pending.map((p) => (p.clientKey === clientKey ? { ...p, ...patch } : p));
  }

  // ── Typing and reading ─────────────────────────────────────────────────────────

  /** The composer changed: say "typing" (throttled) while there is text, "stopped" after a pause. */
  typed(hasText: boolean): void {
    if (!this.canWrite || !this.joined) return;
    clearTimeout(this.#typingIdle);
    if (!hasText) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (shouldSendTyping(this.#typingSentAt, now)) {
      this.#typingSentAt = now;
      void live.request('room:typing', { roomId: this.roomId, typing: true });
    }
    this.#typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    clearTimeout(this.#typingIdle);
    if (!this.#typingSentAt) return;
    this.#typingSentAt = 0;
    void live.request('room:typing', { roomId: this.roomId, typing: false });
  }

  /** An entry was on screen: the read receipt follows shortly (one for the furthest seen). */
  seen(seq: number): void {
    if (seq <= this.#readWanted) return;
    this.#readWanted = seq;
    clearTimeout(this.#readTimer);
    this.#readTimer = setTimeout(() => this.#flushRead(), READ_DEBOUNCE_MS);
  }

  #flushRead(): void {
    const seq = this.#readWanted;
    // Staff observing unseen send none: a receipt names its reader.
    if (seq <= this.#readSent || !this.joined || this.#closed || this.room.myRole === 'observer') return;
    this.#readSent = seq;
    void live.request('room:read', { roomId: this.roomId, seq }).then((ack) => {
      if (ack?.ok) {
        if (ack.data.seq > this.room.lastReadSeq) this.room = { ...this.room, lastReadSeq: ack.data.seq };
      } else if (this.#readSent === seq) {
        this.#readSent = Math.min(this.#readSent, this.room.lastReadSeq); // try again on the next join
      }
    });
  }

  // ── Internals ──────────────────────────────────────────────────────────────────

  /** Entries in; the room follows what they record (its last sequence, a stage move, an agreement, an offer). */
  #merge(incoming: RoomEntryView[]): void {
    const fresh = incoming.filter((e) => e.roomId === this.roomId);
    if (fresh.length === 0) return;
    const before = this.entries.at(-1)?.seq ?? 0;
    this.entries = mergeEntries(this.entries, fresh);
    const last = this.entries.at(-1)!.seq;
    if (last > this.room.lastSeq) this.room = { ...this.room, lastSeq: last };
    for (const entry of fresh) {
      if (entry.seq <= before) continue;
      if (entry.kind === 'stage') {
        const move = stageMove(entry);
        if (move && move.to !== this.room.stage) this.room = { ...this.room, stage: move.to };
      } else if (entry.kind === 'agreement') {
        void this.refreshRoom();
        void this.refreshOffers();
      } else if (entry.kind === 'offer') {
        const offerId = typeof entry.data.offerId === 'string' ? entry.data.offerId : null;
        if (!offerId || !this.offers.some((o) => o.id === offerId)) void this.refreshOffers();
      } else if (entry.kind === 'moderation') {
        void this.refreshRoom();
      } else if (entry.kind === 'participant') {
        // The new list comes with `room:updated` (or a join's room); a broker out of the room hears nothing more of it.
        if (entry.data.userId === this.viewer.userId && entry.data.action !== 'joined' && this.room.myRole === 'broker') this.#leftRoom();
      }
    }
  }

  /** A fresh view of the room; read positions only move forward. */
  applyRoom(view: RoomView): void {
    this.room = { ...view, lastReadSeq: Math.max(view.lastReadSeq, this.room.lastReadSeq), lastSeq: Math.max(view.lastSeq, this.room.lastSeq) };
  }

  #counterpartReadSeq(): number {
    const mySide = this.room.mySide;
    if (!mySide) return 0;
    const counterpartOrg = mySide === 'supply' ? this.room.demand.id : this.room.supply.id;
    const ownOrg = this.viewer.organizationId;
    const authors = new Map<string, string | null>();
    for (const entry of this.entries) if (entry.author) authors.set(entry.author.id, entry.author.organizationId);
    // What the server knew when the room loaded, then the receipts that arrived since.
    let furthest = this.room.counterpartReadSeq;
    for (const [userId, seq] of this.reads) {
      const org = this.#readers.get(userId) ?? authors.get(userId);
      // A colleague's read is not the other party's; staff (never online here) are neither.
      const counterpart = org !== undefined ? org === counterpartOrg && org !== ownOrg : this.#seenParties.has(userId);
      if (counterpart && seq > furthest) furthest = seq;
    }
    return furthest;
  }
}
