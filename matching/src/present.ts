import type { Prisma } from '@hub/db';
import type { CooperationMode, ListingKind, ListingSide, ListingStatus, MatchActivity, MatchBreakdown, MatchParty, MatchReason, MatchView, Maturity, RetractReason } from '@hub/protocol';

const LISTING_FOR_MATCH = {
  select: {
    id: true,
    status: true,
    organization: { select: { id: true, name: true, type: true } },
    publishedVersion: {
      select: {
        kind: true, title: true, summary: true, details: true, industries: true, keywords: true, provinceCode: true, cityCode: true,
        maturity: true, modes: true, priceNegotiable: true, priceMin: true, priceMax: true, validUntil: true,
      },
    },
  },
} as const;

/** What `presentMatch` needs loaded with a match row. */
export const MATCH_INCLUDE = {
  supplyListing: LISTING_FOR_MATCH,
  demandListing: LISTING_FOR_MATCH,
  recommendedBy: { select: { id: true, name: true } },
  room: { select: { id: true, title: true } },
} satisfies Prisma.MatchInclude;

export type MatchRow = Prisma.MatchGetPayload<{ include: typeof MATCH_INCLUDE }>;

/** Who is looking: a member of an organisation, staff, or both. */
export interface MatchViewer {
  organizationId: string | null;
  staff: boolean;
}

type ListingForMatch = MatchRow['supplyListing'];

function party(listing: ListingForMatch, response: MatchParty['response'], respondedAt: Date | null, showDetails: boolean): MatchParty {
  const v = listing.publishedVersion;
  if (!v) throw new Error(`matched listing ${listing.id} has no published version`);
  return {
    listing: {
      id: listing.id,
      kind: v.kind as ListingKind,
      status: listing.status as ListingStatus,
      title: v.title,
      summary: v.summary,
      industries: v.industries,
      keywords: v.keywords,
      provinceCode: v.provinceCode,
      cityCode: v.cityCode,
      maturity: v.maturity as Maturity,
      modes: v.modes as CooperationMode[],
      price: v.priceNegotiable ? { mode: 'negotiable', min: null, max: null } : { mode: 'range', min: Number(v.priceMin), max: Number(v.priceMax) },
      validUntil: v.validUntil,
    },
    organization: listing.organization,
    response,
    respondedAt: respondedAt?.toISOString() ?? null,
    details: showDetails ? v.details : null,
  };
}

/** The viewer's side of a match, if their organisation is a party to it. */
export function sideOf(match: Pick<MatchRow, 'supplyOrganizationId' | 'demandOrganizationId'>, organizationId: string | null): ListingSide | null {
  if (!organizationId) return null;
  if (match.supplyOrganizationId === organizationId) return 'supply';
  if (match.demandOrganizationId === organizationId) return 'demand';
  return null;
}

/**
 * A match as one viewer may see it. Confidential details: a party always sees its own; the other
 * party's open only once both sides confirmed, and only while that listing is published (a take-down
 * or withdrawal closes them again); staff see both.
 */
export function presentMatch(row: MatchRow, viewer: MatchViewer): MatchView {
  const mySide = sideOf(row, viewer.organizationId);
  const confirmed = row.status === 'confirmed';
  const listingOf = (side: ListingSide) => (side === 'supply' ? row.supplyListing : row.demandListing);
  const sees = (side: ListingSide) =>
    viewer.staff || mySide === side || (confirmed && mySide !== null && listingOf(side).status === 'published');
  return {
    id: row.id,
    status: row.status,
    source: row.source,
    score: row.score,
    previousScore: row.previousScore,
    trend: row.trend,
    breakdown: row.breakdown as MatchBreakdown,
    reasons: row.reasons as MatchReason[],
    mySide,
    supply: party(row.supplyListing, row.supplyResponse, row.supplyRespondedAt, sees('supply')),
    demand: party(row.demandListing, row.demandResponse, row.demandRespondedAt, sees('demand')),
    note: row.note,
    recommendedBy: row.recommendedBy,
    retractReason: (row.retractReason as RetractReason | null) ?? null,
    roomId: row.room?.id ?? null,
    roomTitle: row.room?.title ?? null,
    scoredAt: row.scoredAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    confirmedAt: row.confirmedAt?.toISOString() ?? null,
  };
}

/** One line of the staff console's match stream. */
export function matchActivity(row: MatchRow, event: MatchActivity['event'], at = new Date()): MatchActivity {
  const side = (listing: ListingForMatch) => ({ listingId: listing.id, title: listing.publishedVersion?.title ?? '', organizationName: listing.organization.name });
  return { matchId: row.id, event, source: row.source, score: row.score, supply: side(row.supplyListing), demand: side(row.demandListing), at: at.toISOString() };
}
