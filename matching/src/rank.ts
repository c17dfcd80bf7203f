import type { Db, Prisma } from '@hub/db';
import type { CooperationMode, ListingKind, ListingSide, Maturity } from '@hub/protocol';
import { MATCHING, type MatchingConfig } from './config.ts';
import type { CandidateSource } from './candidates.ts';
import { compatible, scorePair, type MatchableListing, type ScoredPair } from './score.ts';

/** What the matcher loads of a listing: its public version (never the confidential details) and organisation. */
const MATCHABLE = {
  organization: { select: { id: true, name: true, type: true } },
  publishedVersion: { omit: { details: true } },
} satisfies Prisma.ListingInclude;

type MatchableRow = Prisma.ListingGetPayload<{ include: typeof MATCHABLE }>;

function toMatchable(row: MatchableRow, confirmedDeals: Map<string, number>): MatchableListing | null {
  const v = row.publishedVersion;
  if (row.status !== 'published' || !v) return null;
  return {
    id: row.id,
    side: row.side as ListingSide,
    kind: v.kind as ListingKind,
    revision: row.revision,
    organizationId: row.organization.id,
    organizationName: row.organization.name,
    organizationType: row.organization.type,
    title: v.title,
    summary: v.summary,
    keywords: v.keywords,
    industries: v.industries,
    provinceCode: v.provinceCode || null,
    cityCode: v.cityCode || null,
    maturity: (v.maturity || null) as Maturity | null,
    modes: v.modes as CooperationMode[],
    priceMin: v.priceNegotiable || v.priceMin === null ? null : Number(v.priceMin),
    priceMax: v.priceNegotiable || v.priceMax === null ? null : Number(v.priceMax),
    publishedAt: row.publishedAt ?? row.createdAt,
    ipCount: Array.isArray(v.ip) ? v.ip.length : 0,
    confirmedDeals: confirmedDeals.get(row.organization.id) ?? 0,
  };
}

/**
 * Loads listings as the matcher sees them, in the order of `ids`; listings that are not published
 * (or not valid any more) are left out. Postgres is the truth: a stale index entry never gets scored.
 */
export async function loadMatchable(db: Db, ids: string[], now = new Date()): Promise<MatchableListing[]> {
  if (!ids.length) return [];
  const rows = await db.listing.findMany({
    where: { id: { in: ids }, status: 'published', validUntil: { gt: now } },
    include: MATCHABLE,
  });
  const organizations = [...new Set(rows.map((r) => r.organizationId))];
  const deals = await db.match.groupBy({
    by: ['supplyOrganizationId'],
    where: { status: 'confirmed', supplyOrganizationId: { in: organizations } },
    _count: { _all: true },
  });
  const confirmedDeals = new Map(deals.map((d) => [d.supplyOrganizationId, d._count._all]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    const listing = row ? toMatchable(row, confirmedDeals) : null;
    return listing ? [listing] : [];
  });
}

export interface RankDeps {
  db: Db;
  candidates: CandidateSource;
  config?: MatchingConfig;
}

/** Every compatible counterpart the candidate source found (plus `alsoScore`), scored, best first; no threshold. */
export async function rankCounterparts(deps: RankDeps, listing: MatchableListing, alsoScore: string[] = [], now = Date.now()): Promise<ScoredPair[]> {
  const config = deps.config ?? MATCHING;
  const found = await deps.candidates(listing, now);
  const ids = [...new Set([...found, ...alsoScore])].filter((id) => id !== listing.id);
  const counterparts = await loadMatchable(deps.db, ids, new Date(now));
  return counterparts
    .filter((other) => compatible(listing, other))
    .map((other) => scorePair(listing, other, now, config))
    .sort((a, b) => b.score - a.score);
}
