import type { Db, ListingStatus, Prisma } from '@hub/db';
import type { ListingContent } from '@hub/protocol';
import { AppError } from '../http/errors.ts';

const organizationRef = { select: { id: true, name: true, type: true } } as const;
const ownerInclude = {
  organization: organizationRef,
  versions: { orderBy: { version: 'asc' } },
  publishedVersion: true,
} satisfies Prisma.ListingInclude;
const summaryInclude = {
  organization: organizationRef,
  versions: { orderBy: { version: 'desc' }, take: 1 },
} satisfies Prisma.ListingInclude;

/** The version columns for a listing's content. */
export function versionData(content: ListingContent) {
  const range = content.price.mode === 'range' ? content.price : null;
  return {
    kind: content.kind,
    title: content.title,
    summary: content.summary,
    details: content.details,
    industries: content.industries,
    keywords: content.keywords,
    provinceCode: content.provinceCode,
    cityCode: content.cityCode,
    maturity: content.maturity,
    trl: content.trl ?? null,
    modes: content.modes,
    priceNegotiable: !range,
    priceMin: range ? BigInt(range.min) : null,
    priceMax: range ? BigInt(range.max) : null,
    ip: content.ip.map((i) => ({ type: i.type, number: i.number, title: i.title ?? null })),
    validUntil: content.validUntil,
  };
}

/** The end (China time) of a listing's last valid day. */

export class ListingRepository {
  constructor(private readonly db: Db | Prisma.TransactionClient) {}

  async findOwnerViewOrFail(id: string) {
    const listing = await this.db.listing.findUnique({ where: { id }, include: ownerInclude });
    if (!listing) throw new AppError('listing_not_found', 'No such listing.');
    return listing;
  }

  findPublished(id: string) {
    return this.db.listing.findFirst({
      where: { id, status: 'published', publishedVersionId: { not: null } },
      include: { organization: organizationRef, publishedVersion: true },
    });
  }

  findSummary(id: string) {
    return this.db.listing.findUniqueOrThrow({ where: { id }, include: summaryInclude });
  }

  forOrganization(organizationId: string) {
    return this.db.listing.findMany({ where: { organizationId }, orderBy: { updatedAt: 'desc' }, take: 500, include: summaryInclude });
  }

  /** Listings whose latest version is pending (oldest submission first), published, or rejected. */
  async queue(state: 'pending' | 'published' | 'rejected') {
    if (state === 'published') {
      return this.db.listing.findMany({ where: { status: 'published' }, orderBy: { publishedAt: 'desc' }, take: 200, include: summaryInclude });
    }
    const versions = await this.db.listingVersion.findMany({
      where: { status: state },
      orderBy: { submittedAt: state === 'pending' ? 'asc' : 'desc' },
      take: 400,
      select: { listingId: true, version: true, listing: { select: { latestVersion: true } } },
    });
    // Only a listing's latest version counts: an older rejected version of a since-corrected listing does not.
    const ids = versions.filter((v) => v.version === v.listing.latestVersion).map((v) => v.listingId).slice(0, 200);
    const rows = await this.db.listing.findMany({ where: { id: { in: ids } }, include: summaryInclude });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)!).filter(Boolean);
  }

  membersOf(organizationId: string) {
    return this.db.user.findMany({ where: { organizationId }, select: { id: true } });
  }

  static readonly neverPublished: ListingStatus[] = ['draft', 'pending', 'rejected'];
}
