import type { Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import {
  sideOfKind,
  socketRoom,
  ValidUntil,
  type JobQueue,
  type ListingContent,
  type ListingCreate,
  type ListingUpdate,
} from '@hub/protocol';
import type { Actor } from '../auth/actor.ts';
import { AppError } from '../http/errors.ts';
import type { Broadcaster } from '@hub/protocol';
import { afterCommit } from '../jobs.ts';
import { contentFingerprint, recordListingEvidence } from './effects.ts';
import { presentListingSummary, presentOwnerListing, presentPublicListing } from './presenter.ts';
import { ListingRepository, versionData } from './repository.ts';

const notFound = () => new AppError('listing_not_found', 'No such listing.');
const STAFF_WHO_SEE_DETAILS = ['reviewer', 'moderator', 'admin'];

function fieldError(path: string, message: string, text: string) {
  return new AppError('validation_failed', text, { fields: [{ path, message }] });
}

/** 信息发布: members of approved organisations draft, submit, edit and withdraw their listings. */
export class ListingService {
  private readonly repo: ListingRepository;

  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly broadcast: Broadcaster,
    private readonly log: Logger,
  ) {
    this.repo = new ListingRepository(db);
  }

  async create(actor: Actor, input: ListingCreate) {
    const status = input.submit ? ('pending' as const) : ('draft' as const);
    const listing = await this.db.$transaction(async (tx) => {
      const listing = await tx.listing.create({
        data: { organizationId: actor.organizationId!, side: input.side, status, createdById: actor.userId, latestVersion: 1 },
      });
      await tx.listingVersion.create({
        data: { listingId: listing.id, version: 1, status, ...versionData(input.content), authorId: actor.userId, submittedAt: input.submit ? new Date() : null },
      });
      await this.recordSaved(tx, listing.id, actor, 1, input.content, input.submit);
      return listing;
    });
    if (input.submit) await this.announceQueued(listing.id);
    return this.ownerView(listing.id);
  }

  /**
   * Saves new content: a draft is changed in place; a rejected, published or superseded latest
   * version gets a successor (the published one stays public until the successor is approved).
   */
  async update(actor: Actor, id: string, input: ListingUpdate) {
    const current = await this.ownedOrFail(actor, id);
    if (sideOfKind(input.content.kind) !== current.side) {
      throw fieldError('content.kind', 'kind_not_for_side', 'This kind does not belong to the listing’s side.');
    }
    const latest = current.versions.find((v) => v.version === current.latestVersion)!;
    if (latest.status === 'pending') {
      throw new AppError('listing_state_conflict', 'This listing is waiting for review; it can be edited once the review is done.');
    }
    const versionStatus = input.submit ? ('pending' as const) : ('draft' as const);
    const neverPublished = ListingRepository.neverPublished.includes(current.status);
    await this.db.$transaction(async (tx) => {
      const data = { ...versionData(input.content), status: versionStatus, authorId: actor.userId, submittedAt: input.submit ? new Date() : null };
      let version = latest.version;
      // Guarded on the version we read, so two concurrent edits cannot both succeed.
      if (latest.status === 'draft') {
        const { count } = await tx.listingVersion.updateMany({ where: { id: latest.id, status: 'draft' }, data });
        if (count === 0) throw new AppError('listing_state_conflict', 'This listing changed meanwhile; reload it.');
      } else {
        version = latest.version + 1;
        const { count } = await tx.listing.updateMany({ where: { id, latestVersion: latest.version }, data: { latestVersion: version } });
        if (count === 0) throw new AppError('listing_state_conflict', 'This listing changed meanwhile; reload it.');
        await tx.listingVersion.create({ data: { listingId: id, version, ...data } });
      }
      await tx.listing.update({
        where: { id },
        data: { ...(neverPublished ? { status: versionStatus, statusReason: null } : {}), updatedAt: new Date() },
      });
      await this.recordSaved(tx, id, actor, version, input.content, input.submit);
    });
    if (input.submit) await this.announceQueued(id);
    return this.ownerView(id);
  }

  /** Sends the latest draft for review; its valid-until day must still lie ahead. */
  async submit(actor: Actor, id: string) {
    const current = await this.ownedOrFail(actor, id);
    const latest = current.versions.find((v) => v.version === current.latestVersion)!;
    if (latest.status !== 'draft') throw new AppError('listing_state_conflict', 'Only a draft can be submitted for review.');
    const validity = ValidUntil.safeParse(latest.validUntil);
    if (!validity.success) {
      throw fieldError('content.validUntil', validity.error.issues[0]!.message, 'The valid-until date has passed; change it before submitting.');
    }
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.listingVersion.updateMany({ where: { id: latest.id, status: 'draft' }, data: { status: 'pending', submittedAt: new Date() } });
      if (count === 0) throw new AppError('listing_state_conflict', 'This listing changed meanwhile; reload it.');
      if (ListingRepository.neverPublished.includes(current.status)) await tx.listing.update({ where: { id }, data: { status: 'pending', statusReason: null } });
      else await tx.listing.update({ where: { id }, data: { updatedAt: new Date() } });
      await recordListingEvidence(tx, 'listing.submitted', id, actor.userId, { version: latest.version });
    });
    await this.announceQueued(id);
    return this.ownerView(id);
  }

  /** Takes the owner's published listing off the platform (and out of search). */
  async withdraw(actor: Actor, id: string) {
    await this.ownedOrFail(actor, id);
    const revision = await this.db.$transaction(async (tx) => {
      const { count } = await tx.listing.updateMany({
        where: { id, status: 'published' },
        data: { status: 'withdrawn', statusReason: null, revision: { increment: 1 } },
      });
      if (count === 0) throw new AppError('listing_state_conflict', 'Only a published listing can be withdrawn.');
      await recordListingEvidence(tx, 'listing.withdrawn', id, actor.userId, {});
      return (await tx.listing.findUniqueOrThrow({ where: { id }, select: { revision: true } })).revision;
    });
    await afterCommit(this.queue, this.log, { index: { listingId: id, revision } });
    return this.ownerView(id);
  }

  async mine(actor: Actor) {
    return { listings: (await this.repo.forOrganization(actor.organizationId!)).map(presentListingSummary) };
  }

  /** Anyone may read a published listing; nothing else exists for the public. */
  async publicView(id: string) {
    const listing = await this.repo.findPublished(id);
    if (!listing?.publishedVersion) throw notFound();
    return presentPublicListing({ ...listing, publishedVersion: listing.publishedVersion });
  }

  /**
   * Confidential details: only the owner's members and staff; anyone else is told it does not exist.
   * Staff reading another organisation's details is recorded in the evidence chain, once per read.
   */
  async managedView(actor: Actor, id: string) {
    const listing = await this.repo.findOwnerViewOrFail(id);
    if (listing.organizationId === actor.organizationId) return presentOwnerListing(listing);
    if (!STAFF_WHO_SEE_DETAILS.includes(actor.staffRole ?? '')) throw notFound();
    await this.db.$transaction((tx) =>
      recordListingEvidence(tx, 'listing.details_viewed', id, actor.userId, { version: listing.latestVersion, staffRole: actor.staffRole }),
    );
    return presentOwnerListing(listing);
  }

  private async ownerView(id: string) {
    return presentOwnerListing(await this.repo.findOwnerViewOrFail(id));
  }

  private async ownedOrFail(actor: Actor, id: string) {
    const listing = await this.repo.findOwnerViewOrFail(id);
    if (listing.organizationId !== actor.organizationId) throw notFound();
    return listing;
  }

  private async recordSaved(
    tx: Parameters<Parameters<Db['$transaction']>[0]>[0],
    listingId: string,
    actor: Actor,
    version: number,
    content: ListingContent,
    submitted: boolean,
  ) {
    await recordListingEvidence(tx, 'listing.saved', listingId, actor.userId, { version, title: content.title, contentSha256: contentFingerprint(content) });
    if (submitted) await recordListingEvidence(tx, 'listing.submitted', listingId, actor.userId, { version });
  }

  private async announceQueued(id: string) {
    this.broadcast.to(socketRoom.staff('reviewer'), 'console:listing-queued', presentListingSummary(await this.repo.findSummary(id)));
  }
}
