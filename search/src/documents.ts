import type { Prisma } from '@hub/db';
import { endOfChinaDay, industryField, industryNode, PROVINCE_BY_CODE, findCity, type CooperationMode, type ListingKind, type ListingSide, type Maturity } from '@hub/protocol';
import { searchTokens } from './segment.ts';

/** What Prisma must load for a listing's search document: its published version, without the confidential details. */
export const LISTING_FOR_INDEX = {
  organization: { select: { id: true, name: true, type: true } },
  publishedVersion: { omit: { details: true } },
} satisfies Prisma.ListingInclude;

/** The fields `listingDocument` reads (a Prisma row loaded with `LISTING_FOR_INDEX` fits; extra fields are ignored). */
export interface IndexableListing {
  id: string;
  side: string;
  status: string;
  revision: number;
  publishedAt: Date | null;
  validUntil: Date | null;
  organization: { id: string; name: string; type: string };
  publishedVersion: {
    kind: string;
    title: string;
    summary: string;
    industries: string[];
    keywords: string[];
    provinceCode: string;
    cityCode: string;
    maturity: string;
    trl: number | null;
    modes: string[];
    priceNegotiable: boolean;
    priceMin: bigint | number | null;
    priceMax: bigint | number | null;
    validUntil: string;
  } | null;
}

/** One published listing in the index. Built by whitelisting: there is no way for `details` to get in. */
export interface ListingDocument {
  id: string;
  side: ListingSide;
  kind: ListingKind;
  title: string;
  summary: string;
  keywords: string[];
  /** The listing's codes plus each sub-field's field, so filtering by a field finds its sub-fields. */
  industries: string[];
  /** The codes as the author chose them (what a hit shows). */
  industryCodes: string[];
  industryNames: string[];
  provinceCode: string;
  cityCode: string;
  regionName: string;
  maturity: Maturity;
  trl: number | null;
  modes: CooperationMode[];
  /** CNY; null when negotiable (面议). */
  priceMin: number | null;
  priceMax: number | null;
  negotiable: boolean;
  organizationId: string;
  organizationName: string;
  organizationType: string;
  status: 'published';
  /** Epoch ms. */
  publishedAt: number;
  /** YYYY-MM-DD (China time), as entered. */
  validUntil: string;
  /** Epoch ms of the end of the valid-until day; search filters on it, so expiry shows before the sweep runs. */
  validUntilTs: number;
  revision: number;
  /** jieba search-mode tokens of title, keywords, summary and industry names: sub-words of compounds. */
  terms: string;
}

/** End of a YYYY-MM-DD day in China time. */

/** The search document of a published listing; throws for a listing without a published version. */
export function listingDocument(listing: IndexableListing): ListingDocument {
  const v = listing.publishedVersion;
  if (!v) throw new Error(`listing ${listing.id} has no published version`);
  const industries = [...new Set(v.industries.flatMap((code) => [industryField(code), code]))];
  const industryNames = industries.map((code) => industryNode(code)?.name).filter((name): name is string => !!name);
  const province = PROVINCE_BY_CODE.get(v.provinceCode);
  const city = findCity(v.provinceCode, v.cityCode);
  const regionName = [province?.name, city && city.name !== province?.name ? city.name : undefined].filter(Boolean).join(' ');
  const toNumber = (n: bigint | number | null) => (n === null || v.priceNegotiable ? null : Number(n));
  return {
    id: listing.id,
    side: listing.side as ListingSide,
    kind: v.kind as ListingKind,
    title: v.title,
    summary: v.summary,
    keywords: v.keywords,
    industries,
    industryCodes: v.industries,
    industryNames,
    provinceCode: v.provinceCode,
    cityCode: v.cityCode,
    regionName,
    maturity: v.maturity as Maturity,
    trl: v.trl,
    modes: v.modes as CooperationMode[],
    priceMin: toNumber(v.priceMin),
    priceMax: toNumber(v.priceMax),
    negotiable: v.priceNegotiable,
    organizationId: listing.organization.id,
    organizationName: listing.organization.name,
    organizationType: listing.organization.type,
    status: 'published',
    publishedAt: (listing.publishedAt ?? new Date(0)).getTime(),
    validUntil: v.validUntil,
    validUntilTs: listing.validUntil?.getTime() ?? endOfChinaDay(v.validUntil).getTime(),
    revision: listing.revision,
    terms: searchTokens([v.title, v.keywords.join(' '), v.summary, industryNames.join(' ')].join('\n')).join(' '),
  };
}

/** True when Postgres says this listing belongs in the index. */
export const isIndexable = (listing: { status: string; publishedVersionId?: string | null; publishedVersion?: unknown }) =>
  listing.status === 'published' && (listing.publishedVersion ?? listing.publishedVersionId ?? null) !== null;
