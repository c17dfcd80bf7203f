import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '@hub/db';
import { endOfChinaDay, sideOfKind, type CooperationMode, type ListingKind, type ListingStatus, type Maturity } from '@hub/protocol';
import { buildCreditCode } from './factories.ts';

type OrganizationType = 'enterprise' | 'university' | 'research_institute' | 'service_agency' | 'investor' | 'incubator';

export interface OrganizationRowOverrides {
  name?: string;
  type?: OrganizationType;
  provinceCode?: string;
  cityCode?: string;
  /** Also creates this many member users (for notifications); default 1. */
  members?: number;
}

/** An approved organisation with its members, written straight to Postgres. */
export async function buildOrganizationRow(db: Db, overrides: OrganizationRowOverrides = {}) {
  const tag = randomBytes(4).toString('hex');
  const organization = await db.organization.create({
    data: {
      type: overrides.type ?? 'enterprise',
      enterpriseSize: (overrides.type ?? 'enterprise') === 'enterprise' ? 'small' : null,
      name: overrides.name ?? `杭州测试科技有限公司${tag}`,
      creditCode: buildCreditCode(),
      provinceCode: overrides.provinceCode ?? '330000',
      cityCode: overrides.cityCode ?? '330100',
      industries: ['new-energy'],
      contactName: '李明',
      contactPhone: '13800000000',
      status: 'approved',
      reviewedAt: new Date(),
    },
  });
  const members = await Promise.all(
    Array.from({ length: overrides.members ?? 1 }, (_, i) =>
      db.user.create({ data: { email: `member-${tag}-${i}@example.cn`, name: `成员${i + 1}`, passwordHash: 'x', organizationId: organization.id } }),
    ),
  );
  return { organization, members };
}

/** The China-time day `days` from now, as YYYY-MM-DD. */
export const chinaDay = (days: number) => new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
/** End of a YYYY-MM-DD day in China time. */

export interface ListingRowOverrides {
  kind?: ListingKind;
  title?: string;
  summary?: string;
  details?: string;
  industries?: string[];
  keywords?: string[];
  provinceCode?: string;
  cityCode?: string;
  maturity?: Maturity;
  trl?: number | null;
  modes?: CooperationMode[];
  /** CNY range, or 'negotiable' (面议). Default 500,000–2,000,000. */
  price?: { min: number; max: number } | 'negotiable';
  /** YYYY-MM-DD; default 180 days ahead. `Listing.validUntil` is set to the end of that day (China time). */
  validUntil?: string;
  /** Listing status; default 'published' (with the version published). Anything else keeps the version pending. */
  status?: ListingStatus;
  publishedAt?: Date;
  /** Owner: an existing organisation id, or overrides for a new one. */
  organizationId?: string;
  organization?: OrganizationRowOverrides;
}

/**
 * A listing with one version and its owner organisation, written straight to Postgres (no API, no
 * review, no index job): for search and worker tests. Returns the rows.
 */
export async function buildListingRows(db: Db, overrides: ListingRowOverrides = {}) {
  const organizationId = overrides.organizationId ?? (await buildOrganizationRow(db, overrides.organization)).organization.id;
  const kind = overrides.kind ?? 'achievement';
  const status = overrides.status ?? 'published';
  const published = status === 'published' || status === 'expired' || status === 'withdrawn' || status === 'taken_down';
  const validUntil = overrides.validUntil ?? chinaDay(180);
  const price = overrides.price ?? { min: 500_000, max: 2_000_000 };
  const authorId = randomUUID();
  const listingId = randomUUID();
  const publishedAt = overrides.publishedAt ?? new Date();
  return db.$transaction(async (tx) => {
    await tx.listing.create({
      data: { id: listingId, organizationId, side: sideOfKind(kind), status, createdById: authorId, latestVersion: 1 },
    });
    const version = await tx.listingVersion.create({
      data: {
        listingId,
        version: 1,
        status: published ? 'published' : 'pending',
        kind,
        title: overrides.title ?? '一种高效锂电池正极材料制备技术',
        summary: overrides.summary ?? '本成果提供一种高能量密度锂电池正极材料的制备工艺，循环寿命长，成本低，适合规模化生产。',
        details: overrides.details ?? '工艺参数：烧结温度850℃，保温12小时（保密）。',
        industries: overrides.industries ?? ['new-energy.lithium-battery'],
        keywords: overrides.keywords ?? ['正极材料', '锂电池'],
        provinceCode: overrides.provinceCode ?? '330000',
        cityCode: overrides.cityCode ?? '330100',
        maturity: overrides.maturity ?? 'pilot',
        trl: overrides.trl === undefined ? 6 : overrides.trl,
        modes: overrides.modes ?? ['transfer', 'license'],
        priceNegotiable: price === 'negotiable',
        priceMin: price === 'negotiable' ? null : BigInt(price.min),
        priceMax: price === 'negotiable' ? null : BigInt(price.max),
        ip: [],
        validUntil,
        authorId,
        submittedAt: publishedAt,
        reviewedAt: published ? publishedAt : null,
      },
    });
    const listing = await tx.listing.update({
      where: { id: listingId },
      data: published
        ? { publishedVersionId: version.id, publishedAt, validUntil: endOfChinaDay(validUntil), revision: 2 }
        : {},
      include: { organization: true, publishedVersion: true },
    });
    return { listing, version, organizationId };
  });
}
