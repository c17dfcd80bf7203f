import type { Listing, ListingVersion, Organization } from '@hub/db';
import type {
  CooperationMode,
  ListingKind,
  ListingOwnerView,
  ListingPublicView,
  ListingSummary,
  ListingVersionView,
  Maturity,
} from '@hub/protocol';

type OrgRef = Pick<Organization, 'id' | 'name' | 'type'>;
type IpRow = { type: 'invention' | 'utility_model' | 'design' | 'software_copyright'; number: string; title?: string | null };

const organizationRef = (org: OrgRef) => ({ id: org.id, name: org.name, type: org.type });

/** The public fields of one version: never `details`. */
function publicContent(v: ListingVersion) {
  return {
    kind: v.kind as ListingKind,
    title: v.title,
    summary: v.summary,
    industries: v.industries,
    keywords: v.keywords,
    provinceCode: v.provinceCode,
    cityCode: v.cityCode,
    maturity: v.maturity as Maturity,
    trl: v.trl,
    modes: v.modes as CooperationMode[],
    price: v.priceNegotiable
      ? { mode: 'negotiable' as const, min: null, max: null }
      : { mode: 'range' as const, min: Number(v.priceMin), max: Number(v.priceMax) },
    ip: (v.ip as IpRow[]).map((i) => ({ type: i.type, number: i.number, title: i.title ?? null })),
    validUntil: v.validUntil,
  };
}

export function presentPublicListing(listing: Listing & { organization: OrgRef; publishedVersion: ListingVersion }): ListingPublicView {
  return {
    id: listing.id,
    side: listing.side,
    status: listing.status,
    version: listing.publishedVersion.version,
    ...publicContent(listing.publishedVersion),
    publishedAt: listing.publishedAt?.toISOString() ?? null,
    organization: organizationRef(listing.organization),
  };
}

/** A version with its confidential details: for the owner's organisation and staff only. */
function presentVersion(v: ListingVersion): ListingVersionView {
  return {
    version: v.version,
    status: v.status,
    content: { ...publicContent(v), details: v.details },
    submittedAt: v.submittedAt?.toISOString() ?? null,
    reviewedAt: v.reviewedAt?.toISOString() ?? null,
    reviewReason: v.reviewReason,
  };
}

export function presentOwnerListing(
  listing: Listing & { organization: OrgRef; versions: ListingVersion[]; publishedVersion: ListingVersion | null },
): ListingOwnerView {
  const latest = listing.versions.find((v) => v.version === listing.latestVersion)!;
  return {
    id: listing.id,
    side: listing.side,
    status: listing.status,
    statusReason: listing.statusReason,
    organization: organizationRef(listing.organization),
    published: listing.publishedVersion ? presentVersion(listing.publishedVersion) : null,
    latest: presentVersion(latest),
    versions: listing.versions
      .toSorted((a, b) => b.version - a.version)
      .map((v) => ({ version: v.version, status: v.status, submittedAt: v.submittedAt?.toISOString() ?? null, reviewedAt: v.reviewedAt?.toISOString() ?? null, reviewReason: v.reviewReason })),
    updatedAt: listing.updatedAt.toISOString(),
  };
}

export function presentListingSummary(listing: Listing & { organization: OrgRef; versions: ListingVersion[] }): ListingSummary {
  const latest = listing.versions[0]!;
  return {
    id: listing.id,
    side: listing.side,
    status: listing.status,
    kind: latest.kind as ListingKind,
    title: latest.title,
    latestVersion: latest.version,
    latestVersionStatus: latest.status,
    statusReason: latest.status === 'rejected' ? latest.reviewReason : listing.statusReason,
    organization: organizationRef(listing.organization),
    updatedAt: listing.updatedAt.toISOString(),
    submittedAt: latest.submittedAt?.toISOString() ?? null,
  };
}
