import { randomUUID } from 'node:crypto';
import { Prisma, type Db, type NegotiationRoom, type RoomEntry, type RoomOffer } from '@hub/db';
import type { Logger } from '@hub/platform';
import { endOfChinaDay, ROOM_STAGES, socketRoom, type Broadcaster, type OfferInput, type OfferTerms, type OfferView } from '@hub/protocol';
import { canonicalJson } from '@hub/protocol/evidence-hash';
import type { Actor } from '../auth/actor.ts';
import { AppError, isUniqueViolation } from '../http/errors.ts';
import type { RoomGate } from './moderation.ts';
import { appendRoomEntry, hasEnded, lockOpenRoom } from './record.ts';
import { NO_PROPOSAL } from './stages.ts';
import type { RoomService } from './service.ts';

const INTENT = ROOM_STAGES.indexOf('intent');
const endedError = () => new AppError('room_state_conflict', 'This negotiation has ended; no more offers can be made or accepted.');
const offerNotFound = () => new AppError('offer_not_found', 'No such offer in this room.');

/** The last moment an offer can be accepted: the end of its `validUntil` day, China time. */
const expiresAt = (terms: OfferTerms) => endOfChinaDay(terms.validUntil).getTime();

/** What a resend must repeat to count as the same request. */
const requestOf = (terms: unknown, previousId: string | null) => canonicalJson({ terms, previousId });

/**
 * 意向条款: structured offers in a negotiation room. Each version is a RoomOffer row and a room entry
 * (kind `offer`) written in one transaction, so the terms are in the hash chain; a counter-offer links
 * to the open offer it answers. The proposer's side counts as accepting its own terms; when the other
 * side accepts, the exact terms are recorded as an agreement (kind `agreement`) and the room moves to
 * 达成意向 (`intent`), in the same transaction. Appends to a room are serialised by its row lock, so
 * two offers or two acceptances cannot both pass the same check.
 */
export class OfferService {
  constructor(
    private readonly db: Db,
    private readonly rooms: RoomService,
    private readonly gate: RoomGate,
    private readonly broadcast: Broadcaster,
    private readonly log: Logger,
  ) {}

  /** Every version, oldest first (parties and staff). */
  async list(actor: Actor, roomId: string): Promise<{ offers: OfferView[] }> {
    await this.rooms.access(actor, roomId);
    const rows = await this.db.roomOffer.findMany({ where: { roomId }, orderBy: { version: 'asc' } });
    return { offers: await this.present(rows) };
  }

  /** Proposes terms, or counters the other side's open offer (`previousId`). A resend returns the first offer. */
  async make(actor: Actor, roomId: string, input: OfferInput): Promise<OfferView> {
    const { room, side } = await this.rooms.access(actor, roomId);
    if (!side) throw new AppError('forbidden', 'Only the parties make offers; brokers and staff advise.');
    const request = requestOf(input.terms, input.previousId ?? null);
    const earlier = await this.byClientKey(roomId, actor.userId, input.clientKey);
    if (earlier) return this.resent(earlier, request);
    if (hasEnded(room)) throw endedError();
    await this.gate.screen(actor, room, '');

    let made: { resend: RoomOffer } | { offer: RoomOffer; entries: RoomEntry[]; superseded: RoomOffer | null; room: NegotiationRoom };
    try {
      made = await this.db.$transaction(async (tx) => {
        const locked = await lockOpenRoom(tx, roomId, endedError);
        // The same key sent twice at once: the attempt that waited for the lock finds the first one stored.
        const stored = await tx.roomOffer.findUnique({ where: { roomId_authorId_clientKey: { roomId, authorId: actor.userId, clientKey: input.clientKey } } });
        if (stored) return { resend: stored };
        let countered: RoomOffer | null = null;
        let lapsed: RoomOffer | null = null;
        let lapsedEntry: RoomEntry | null = null;
        if (input.previousId) {
          const previous = await tx.roomOffer.findFirst({ where: { id: input.previousId, roomId } });
          if (!previous) throw offerNotFound();
          if (previous.status !== 'open') throw new AppError('offer_state_conflict', `That offer is ${previous.status}; only the open offer can be countered.`);
          if (previous.side === side) throw new AppError('offer_state_conflict', 'That offer is your side’s own; the other side counters it, or you wait for their answer.');
          countered = await tx.roomOffer.update({ where: { id: previous.id }, data: { status: 'countered' } });
        } else {
          const open = await tx.roomOffer.findFirst({ where: { roomId, status: 'open' } });
          if (open && expiresAt(open.terms as unknown as OfferTerms) >= Date.now()) {
            throw new AppError('offer_state_conflict', `Offer version ${open.version} is still open: counter it (previousId) instead of starting another.`);
          }
          // An open offer whose validity has run out no longer stands in the way: it lapses (withdrawn), on the record.
          if (open) {
            lapsed = await tx.roomOffer.update({ where: { id: open.id }, data: { status: 'withdrawn' } });
            const validUntil = (open.terms as unknown as OfferTerms).validUntil;
            lapsedEntry = await appendRoomEntry(tx, roomId, { kind: 'offer', authorId: null, body: '', data: { action: 'lapsed', offerId: open.id, version: open.version, validUntil } });
          }
        }
        const { _max } = await tx.roomOffer.aggregate({ where: { roomId }, _max: { version: true } });
        const id = randomUUID();
        const version = (_max.version ?? 0) + 1;
        const previousId = input.previousId ?? null;
        const entry = (await appendRoomEntry(tx, roomId, {
          kind: 'offer',
          authorId: actor.userId,
          body: '',
          data: { offerId: id, version, previousId, terms: input.terms, side },
        }))!;
        const offer = await tx.roomOffer.create({
          data: {
            id,
            roomId,
            version,
            previousId,
            side,
            authorId: actor.userId,
            terms: input.terms as unknown as Prisma.InputJsonObject,
            seq: entry.seq,
            clientKey: input.clientKey,
            createdAt: entry.createdAt,
            ...(side === 'supply' ? { acceptedBySupply: entry.createdAt } : { acceptedByDemand: entry.createdAt }),
          },
        });
        return { offer, entries: lapsedEntry ? [lapsedEntry, entry] : [entry], superseded: countered ?? lapsed, room: locked };
      });
    } catch (error) {
      // The same key sent twice at once: the other attempt stored it first.
      if (isUniqueViolation(error, 'clientKey')) {
        const stored = await this.byClientKey(roomId, actor.userId, input.clientKey);
        if (stored) return this.resent(stored, request);
      }
      throw error;
    }

    if ('resend' in made) return this.resent(made.resend, request);
    const { offer, entries, superseded } = made;
    this.log.info({ roomId, offerId: offer.id, version: offer.version, previousId: offer.previousId, side, userId: actor.userId }, 'room offer made');
    for (const entry of entries) await this.rooms.announce(made.room, entry);
    const views = await this.present(superseded ? [superseded, offer] : [offer]);
    for (const view of views) this.broadcast.to(socketRoom.negotiation(roomId), 'room:offer', view);
    return views[views.length - 1]!;
  }

  /**
   * The side that has not yet accepted the open offer accepts it. With both sides in, the offer is
   * accepted, its exact terms are recorded as an agreement and the room moves to `intent`.
   */
  async accept(actor: Actor, roomId: string, offerId: string): Promise<OfferView> {
    const { room, side } = await this.rooms.access(actor, roomId);
    if (!side) throw new AppError('forbidden', 'Only the parties accept offers; brokers and staff advise.');
    if (hasEnded(room)) throw endedError();
    await this.gate.screen(actor, room, '');

    const result = await this.db.$transaction(async (tx) => {
      const locked = await lockOpenRoom(tx, roomId, endedError);
      const offer = await tx.roomOffer.findFirst({ where: { id: offerId, roomId } });
      if (!offer) throw offerNotFound();
      if (offer.status !== 'open') throw new AppError('offer_state_conflict', `That offer is ${offer.status}; only the open offer can be accepted.`);
      const mine = side === 'supply' ? offer.acceptedBySupply : offer.acceptedByDemand;
      if (mine) throw new AppError('offer_state_conflict', 'Your side has already accepted this offer (a proposal counts as accepting your own terms).');
      const terms = offer.terms as unknown as OfferTerms;
      if (expiresAt(terms) < Date.now()) throw new AppError('offer_state_conflict', `This offer was valid until ${terms.validUntil}; make a new one.`);

      const now = new Date();
      const acceptedBySupply = offer.acceptedBySupply ?? now;
      const acceptedByDemand = offer.acceptedByDemand ?? now;
      // The proposer's side accepted when it proposed: this acceptance is normally the second one.
      const both = (side === 'supply' ? offer.acceptedByDemand : offer.acceptedBySupply) !== null;
      // Guarded on the state just read: a racing accept that got there first leaves nothing to update.
      const { count } = await tx.roomOffer.updateMany({
        where: { id: offer.id, status: 'open', ...(side === 'supply' ? { acceptedBySupply: null } : { acceptedByDemand: null }) },
        data: { ...(side === 'supply' ? { acceptedBySupply: now } : { acceptedByDemand: now }), ...(both ? { status: 'accepted' as const } : {}) },
      });
      if (!count) throw new AppError('offer_state_conflict', 'The offer changed meanwhile; reload the offers.');
      const entries: RoomEntry[] = [];
      let stageMoved = false;
      if (both) {
        entries.push(
          (await appendRoomEntry(tx, roomId, {
            kind: 'agreement',
            authorId: actor.userId,
            body: '',
            data: {
              offerId: offer.id,
              version: offer.version,
              terms: offer.terms,
              acceptedBy: { supply: acceptedBySupply.toISOString(), demand: acceptedByDemand.toISOString() },
            },
          }))!,
        );
        const from = locked.stage;
        if (ROOM_STAGES.indexOf(from) < INTENT) {
          // Agreed terms are the other way to 达成意向: a stage proposal pending meanwhile lapses.
          const moved = await tx.negotiationRoom.updateMany({ where: { id: roomId, stage: from }, data: { stage: 'intent', ...NO_PROPOSAL } });
          if (!moved.count) throw new AppError('room_state_conflict', 'The stage changed meanwhile; reload the room.');
          entries.push((await appendRoomEntry(tx, roomId, { kind: 'stage', authorId: actor.userId, body: '', data: { from, to: 'intent', side } }))!);
          stageMoved = true;
        }
      }
      const updated = await tx.roomOffer.findUniqueOrThrow({ where: { id: offer.id } });
      const after = await tx.negotiationRoom.findUniqueOrThrow({ where: { id: roomId } });
      return { offer: updated, entries, stageMoved, room: after };
    });

    const { offer, entries, stageMoved } = result;
    this.log.info({ roomId, offerId, version: offer.version, side, userId: actor.userId, status: offer.status, stageMoved }, 'room offer accepted');
    for (const entry of entries) await this.rooms.announce(result.room, entry);
    const [view] = await this.present([offer]);
    this.broadcast.to(socketRoom.negotiation(roomId), 'room:offer', view!);
    if (stageMoved) await this.rooms.announceUpdate(roomId);
    return view!;
  }

  private byClientKey(roomId: string, authorId: string, clientKey: string) {
    return this.db.roomOffer.findUnique({ where: { roomId_authorId_clientKey: { roomId, authorId, clientKey } } });
  }

  private async resent(offer: RoomOffer, request: string): Promise<OfferView> {
    if (requestOf(offer.terms, offer.previousId) !== request) {
      throw new AppError('idempotency_conflict', 'This client key was already used for a different offer.');
    }
    return (await this.present([offer]))[0]!;
  }

  private async present(rows: RoomOffer[]): Promise<OfferView[]> {
    const ids = [...new Set(rows.map((r) => r.authorId))];
    const users = ids.length ? await this.db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
    const names = new Map(users.map((u) => [u.id, u.name]));
    return rows.map((row) => ({
      id: row.id,
      roomId: row.roomId,
      version: row.version,
      previousId: row.previousId,
      side: row.side,
      author: { id: row.authorId, name: names.get(row.authorId) ?? '' },
      terms: row.terms as unknown as OfferTerms,
      status: row.status,
      acceptedBy: { supply: row.acceptedBySupply?.toISOString() ?? null, demand: row.acceptedByDemand?.toISOString() ?? null },
      seq: row.seq,
      createdAt: row.createdAt.toISOString(),
    }));
  }
}
