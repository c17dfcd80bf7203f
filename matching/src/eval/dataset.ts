import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '@hub/db';
import { CooperationMode, DEMAND_KINDS, INDUSTRY_NODE_CODES, ListingKind, Maturity, PROVINCE_BY_CODE, SUPPLY_KINDS, z } from '@hub/protocol';

/**
 * A labelled evaluation set: listings and graded (demand, supply) relevance. Only id, side, title and
 * summary are required; anything else missing is stored as "unknown" and the scorer treats it as
 * neutral. Unknown codes and kinds are dropped rather than refused, so a foreign set still loads.
 */
const loose = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const EvalListing = z.object({
  id: z.string().min(1),
  side: z.enum(['supply', 'demand']),
  kind: loose(ListingKind),
  title: z.string(),
  summary: z.string().default(''),
  details: z.string().optional(),
  industries: loose(z.array(z.string())),
  keywords: loose(z.array(z.string())),
  region: loose(z.string()),
  maturity: loose(Maturity),
  modes: loose(z.array(z.string())),
  priceMin: loose(z.number().nonnegative()),
  priceMax: loose(z.number().nonnegative()),
});
export type EvalListing = z.infer<typeof EvalListing>;

export const EvalDataset = z.object({
  listings: z.array(EvalListing).min(1),
  relevant: z.array(z.object({ demand: z.string(), supply: z.string(), grade: z.number().int().min(1).max(3) })),
});
export type EvalDataset = z.infer<typeof EvalDataset>;

/** Refuses a set whose labels name missing listings or the wrong sides (that is a mistake in the set, not the matcher). */
export function checkDataset(dataset: EvalDataset): string[] {
  const byId = new Map(dataset.listings.map((l) => [l.id, l]));
  const problems: string[] = [];
  if (byId.size !== dataset.listings.length) problems.push('listing ids are not unique');
  for (const { demand, supply } of dataset.relevant) {
    if (byId.get(demand)?.side !== 'demand') problems.push(`relevant.demand ${demand} is not a demand listing in the set`);
    if (byId.get(supply)?.side !== 'supply') problems.push(`relevant.supply ${supply} is not a supply listing in the set`);
  }
  return problems.slice(0, 10);
}

/** Who typically publishes each kind: the provider's organisation type feeds the reputation feature. */
const PUBLISHER: Record<string, string> = {
  achievement: 'university',
  tech_service: 'service_agency',
  instrument_sharing: 'research_institute',
  expert: 'research_institute',
  financial_product: 'investor',
};

const DAY = 86_400_000;

/**
 * Writes the set as published listings, each of its own approved organisation (so none is excluded
 * as "same organisation"), published 30 days ago so freshness is equal for all. Returns set id → row id.
 */
export async function loadDataset(db: Db, dataset: EvalDataset): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const publishedAt = new Date(Date.now() - 30 * DAY);
  const validUntil = new Date(Date.now() + 365 * DAY);
  const validDay = validUntil.toISOString().slice(0, 10);
  const organizations = [];
  const users = [];
  const listings = [];
  const versions = [];
  // Credit codes and e-mails are unique in the hub; a set can be loaded twice into one database.
  const run = randomBytes(3).toString('hex').toUpperCase();
  for (const [i, item] of dataset.listings.entries()) {
    const organizationId = randomUUID();
    const userId = randomUUID();
    const listingId = randomUUID();
    const versionId = randomUUID();
    ids.set(item.id, listingId);
    const kind = item.kind && (item.side === 'supply' ? SUPPLY_KINDS : DEMAND_KINDS).includes(item.kind as never) ? item.kind : item.side === 'supply' ? 'achievement' : 'tech_need';
    const region = item.region && PROVINCE_BY_CODE.has(item.region) ? item.region : '';
    const ranged = item.priceMin !== undefined && item.priceMax !== undefined && item.priceMin <= item.priceMax;
    organizations.push({
      id: organizationId,
      type: (item.side === 'supply' ? PUBLISHER[kind] : 'enterprise') as 'enterprise',
      name: `评测机构 ${item.id}`,
      creditCode: `EVAL${run}${String(i).padStart(8, '0')}`,
      provinceCode: region || '110000',
      cityCode: '',
      industries: [],
      contactName: '评测',
      contactPhone: '13800000000',
      status: 'approved' as const,
    });
    users.push({ id: userId, email: `eval-${run}-${i}@eval.invalid`, name: '评测', passwordHash: '!', organizationId });
    listings.push({
      id: listingId,
      organizationId,
      side: item.side,
      status: 'published' as const,
      publishedAt,
      validUntil,
      createdById: userId,
      latestVersion: 1,
    });
    versions.push({
      id: versionId,
      listingId,
      version: 1,
      status: 'published' as const,
      kind,
      title: item.title,
      summary: item.summary,
      details: item.details ?? '',
      industries: (item.industries ?? []).filter((code) => INDUSTRY_NODE_CODES.includes(code)),
      keywords: item.keywords ?? [],
      provinceCode: region,
      cityCode: '',
      maturity: item.maturity ?? '',
      modes: (item.modes ?? []).filter((m) => CooperationMode.safeParse(m).success),
      priceNegotiable: !ranged,
      priceMin: ranged ? BigInt(Math.round(item.priceMin!)) : null,
      priceMax: ranged ? BigInt(Math.round(item.priceMax!)) : null,
      ip: [],
      validUntil: validDay,
      authorId: userId,
    });
  }
  await db.organization.createMany({ data: organizations });
  await db.user.createMany({ data: users });
  await db.listing.createMany({ data: listings });
  await db.listingVersion.createMany({ data: versions });
  await db.$executeRaw`UPDATE "Listing" l SET "publishedVersionId" = v.id FROM "ListingVersion" v WHERE v."listingId" = l.id AND v.version = 1`;
  return ids;
}
