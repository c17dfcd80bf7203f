import { endOfChinaDay, isCalendarDay, type Clock } from './china-day.ts';
import { INDUSTRY_NODE_CODES } from './industries.ts';
import { normalizePatentNumber, patentNumberProblem } from './patent-number.ts';
import { findCity } from './regions.ts';
import { text } from './text.ts';
import { z } from './zod.ts';

export const ListingSide = z.enum(['supply', 'demand']).openapi('ListingSide');
export type ListingSide = z.infer<typeof ListingSide>;

/** What a listing offers (supply) or needs (demand). */
export const SUPPLY_KINDS = ['achievement', 'tech_service', 'instrument_sharing', 'expert', 'financial_product'] as const;
export const DEMAND_KINDS = ['tech_need', 'service_need', 'financing_need', 'talent_need'] as const;
export const ListingKind = z.enum([...SUPPLY_KINDS, ...DEMAND_KINDS]).openapi('ListingKind');
export type ListingKind = z.infer<typeof ListingKind>;
export const sideOfKind = (kind: ListingKind): ListingSide => ((SUPPLY_KINDS as readonly string[]).includes(kind) ? 'supply' : 'demand');

/** 成熟度: 研发阶段, 小试, 中试, 产业化. */
export const Maturity = z.enum(['research', 'lab', 'pilot', 'industrial']).openapi('Maturity');
export type Maturity = z.infer<typeof Maturity>;

/** 合作方式: 技术转让, 技术许可, 合作开发, 作价入股, 技术服务/咨询. */
export const CooperationMode = z.enum(['transfer', 'license', 'joint_development', 'equity', 'service']).openapi('CooperationMode');
export type CooperationMode = z.infer<typeof CooperationMode>;

export const IpType = z.enum(['invention', 'utility_model', 'design', 'software_copyright']).openapi('IpType');

/** Public life cycle of a listing. */
export const ListingStatus = z
  .enum(['draft', 'pending', 'published', 'rejected', 'withdrawn', 'expired', 'taken_down'])
  .openapi('ListingStatus');
export type ListingStatus = z.infer<typeof ListingStatus>;

/** Review state of one version. */
export const VersionStatus = z.enum(['draft', 'pending', 'published', 'rejected', 'superseded']).openapi('ListingVersionStatus');
export type VersionStatus = z.infer<typeof VersionStatus>;

/** The information-review checklist (信息审查, 003 第十五条): every item must hold to publish. */
export const REVIEW_CHECKLIST = ['no_classified_content', 'true_and_accurate', 'current_and_valid'] as const;
export const ReviewChecklist = z.strictObject({
  no_classified_content: z.boolean(),
  true_and_accurate: z.boolean(),
  current_and_valid: z.boolean(),
});

/** Largest amount accepted, in CNY (一千亿). */
const MAX_CNY = 100_000_000_000;
const cny = z.number().int().min(0).max(MAX_CNY);

/** Price (supply) or budget (demand): a range in CNY, or 面议 (negotiable). */
export const PriceInput = z
  .discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('negotiable') }),
    z.strictObject({ mode: z.literal('range'), min: cny, max: cny }),
  ])
  .superRefine((price, ctx) => {
    if (price.mode === 'range' && price.min > price.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'price_min_above_max' });
  })
  .openapi('Price');
export type PriceInput = z.infer<typeof PriceInput>;

const SOFTWARE_COPYRIGHT = /^\d{4}SR\d{6,7}$/;

export const IpItem = z
  .strictObject({
    type: IpType,
    number: z.string().max(40).transform(normalizePatentNumber),
    title: text().max(100).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.type === 'software_copyright') {
      if (!SOFTWARE_COPYRIGHT.test(item.number)) ctx.addIssue({ code: 'custom', path: ['number'], message: 'software_copyright_format' });
      return;
    }
    const problem = patentNumberProblem(item.number);
    if (problem) ctx.addIssue({ code: 'custom', path: ['number'], message: `patent_number_${problem}` });
  })
  .openapi('IpItem');
export type IpItem = z.infer<typeof IpItem>;

/** YYYY-MM-DD, after today (UTC+8, the platform's day) and at most three years ahead, by `now`. */
export const validUntilAt = (now: Clock) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date_format')
    .refine(isCalendarDay, 'date_format')
    .superRefine((v, ctx) => {
      const day = endOfChinaDay(v).getTime();
      const today = now();
      if (day <= today) ctx.addIssue({ code: 'custom', message: 'valid_until_past' });
      else if (day > today + 3 * 366 * 86_400_000) ctx.addIssue({ code: 'custom', message: 'valid_until_too_far' });
    })
    .openapi({ description: 'Last day the listing is valid (China time)', example: '2027-06-30' });

export const ValidUntil = validUntilAt(Date.now);

/** The editable content of a listing (a draft holds complete content too; it is just not submitted yet), dated by `now`. */
export const listingContentAt = (now: Clock) =>
  z
    .strictObject({
      kind: ListingKind,
      title: text().min(4).max(100),
      summary: text().min(20).max(2000),
      /** Confidential (技术秘密): only the owner, staff and, later, parties of a confirmed match see it. */
      details: text().max(10_000),
      industries: z.array(z.string().refine((c) => INDUSTRY_NODE_CODES.includes(c), 'unknown_industry')).min(1).max(5),
      keywords: z.array(text().min(1).max(20)).min(1).max(10),
      provinceCode: z.string().regex(/^\d{6}$/),
      cityCode: z.string().regex(/^\d{6}$/),
      maturity: Maturity,
      trl: z.number().int().min(1).max(9).optional(),
      modes: z.array(CooperationMode).min(1).max(5),
      price: PriceInput,
      ip: z.array(IpItem).max(20).default([]),
      validUntil: validUntilAt(now),
    })
    .superRefine((c, ctx) => {
      if (!findCity(c.provinceCode, c.cityCode)) ctx.addIssue({ code: 'custom', path: ['cityCode'], message: 'unknown_region' });
      if (new Set(c.keywords).size !== c.keywords.length) ctx.addIssue({ code: 'custom', path: ['keywords'], message: 'duplicate_keywords' });
    });

export const ListingContent = listingContentAt(Date.now).openapi('ListingContent');
export type ListingContent = z.infer<typeof ListingContent>;

export const ListingCreate = z.strictObject({ side: ListingSide, content: ListingContent, submit: z.boolean().default(false) }).superRefine((l, ctx) => {
  if (sideOfKind(l.content.kind) !== l.side) ctx.addIssue({ code: 'custom', path: ['content', 'kind'], message: 'kind_not_for_side' });
}).openapi('ListingCreate');
export type ListingCreate = z.infer<typeof ListingCreate>;

/** Replace the latest draft's content, or start a new version of a published listing. */
export const ListingUpdate = z.strictObject({ content: ListingContent, submit: z.boolean().default(false) }).openapi('ListingUpdate');
export type ListingUpdate = z.infer<typeof ListingUpdate>;

export const ListingReviewInput = z
  .discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('approve'), checklist: ReviewChecklist, reason: text().max(500).optional() }),
    z.strictObject({ decision: z.literal('reject'), checklist: ReviewChecklist, reason: text().min(2, 'reason_required').max(500) }),
  ])
  .superRefine((input, ctx) => {
    if (input.decision === 'approve' && !REVIEW_CHECKLIST.every((item) => input.checklist[item])) {
      ctx.addIssue({ code: 'custom', path: ['checklist'], message: 'checklist_incomplete' });
    }
  })
  .openapi('ListingReviewInput');
export type ListingReviewInput = z.infer<typeof ListingReviewInput>;

export const ReasonInput = z.strictObject({ reason: text().min(2, 'reason_required').max(500) }).openapi('ReasonInput');

const Price = z.object({ mode: z.enum(['negotiable', 'range']), min: z.number().nullable(), max: z.number().nullable() });

/** What anyone may see of a published listing: never the confidential details. */
export const ListingPublicView = z
  .object({
    id: z.string(),
    side: ListingSide,
    status: ListingStatus,
    version: z.number().int(),
    kind: ListingKind,
    title: z.string(),
    summary: z.string(),
    industries: z.array(z.string()),
    keywords: z.array(z.string()),
    provinceCode: z.string(),
    cityCode: z.string(),
    maturity: Maturity,
    trl: z.number().nullable(),
    modes: z.array(CooperationMode),
    price: Price,
    ip: z.array(z.object({ type: IpType, number: z.string(), title: z.string().nullable() })),
    validUntil: z.string(),
    publishedAt: z.string().nullable(),
    organization: z.object({ id: z.string(), name: z.string(), type: z.string() }),
  })
  .openapi('ListingPublic');
export type ListingPublicView = z.infer<typeof ListingPublicView>;

export const ListingVersionView = z
  .object({
    version: z.number().int(),
    status: VersionStatus,
    content: ListingPublicView.pick({
      kind: true, title: true, summary: true, industries: true, keywords: true, provinceCode: true, cityCode: true,
      maturity: true, trl: true, modes: true, price: true, ip: true, validUntil: true,
    }).extend({ details: z.string() }),
    submittedAt: z.string().nullable(),
    reviewedAt: z.string().nullable(),
    reviewReason: z.string().nullable(),
  })
  .openapi('ListingVersion');
export type ListingVersionView = z.infer<typeof ListingVersionView>;

/** The owner's and staff's view: the public part (if published), confidential details, and every version. */
export const ListingOwnerView = z
  .object({
    id: z.string(),
    side: ListingSide,
    status: ListingStatus,
    statusReason: z.string().nullable(),
    organization: z.object({ id: z.string(), name: z.string(), type: z.string() }),
    published: ListingVersionView.nullable(),
    latest: ListingVersionView,
    versions: z.array(ListingVersionView.pick({ version: true, status: true, submittedAt: true, reviewedAt: true, reviewReason: true })),
    updatedAt: z.string(),
  })
  .openapi('ListingOwner');
export type ListingOwnerView = z.infer<typeof ListingOwnerView>;

/** One row of a list (my listings, review queue): no details. */
export const ListingSummary = z
  .object({
    id: z.string(),
    side: ListingSide,
    status: ListingStatus,
    kind: ListingKind,
    title: z.string(),
    latestVersion: z.number().int(),
    latestVersionStatus: VersionStatus,
    statusReason: z.string().nullable(),
    organization: z.object({ id: z.string(), name: z.string(), type: z.string() }),
    updatedAt: z.string(),
    submittedAt: z.string().nullable(),
  })
  .openapi('ListingSummary');
export type ListingSummary = z.infer<typeof ListingSummary>;

export const ListingList = z.object({ listings: z.array(ListingSummary) }).openapi('ListingList');

export const ListingQueueQuery = z.strictObject({ status: z.enum(['pending', 'published', 'rejected']).default('pending') });

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(20));

/** Search parameters: every filter is named here; anything else is refused (400). */
export const ListingSearchQuery = z
  .strictObject({
    q: text().max(200).default(''),
    side: ListingSide.optional(),
    kind: csv(ListingKind).optional(),
    industry: csv(z.string().refine((c) => INDUSTRY_NODE_CODES.includes(c), 'unknown_industry')).optional(),
    province: z.string().regex(/^\d{6}$/).optional(),
    city: z.string().regex(/^\d{6}$/).optional(),
    maturity: csv(Maturity).optional(),
    mode: csv(CooperationMode).optional(),
    orgType: csv(z.enum(['enterprise', 'university', 'research_institute', 'service_agency', 'investor', 'incubator'])).optional(),
    /** Listings whose price/budget range overlaps [priceMin, priceMax] (negotiable ones always match). */
    priceMin: z.coerce.number().int().min(0).max(MAX_CNY).optional(),
    priceMax: z.coerce.number().int().min(0).max(MAX_CNY).optional(),
    sort: z.enum(['relevance', 'newest', 'price_asc', 'price_desc']).default('relevance'),
    // page × pageSize stays within the index's maxTotalHits (10,000).
    page: z.coerce.number().int().min(1).max(200).default(1),
    pageSize: z.coerce.number().int().min(1).max(50).default(20),
  })
  .superRefine((q, ctx) => {
    if (q.priceMin !== undefined && q.priceMax !== undefined && q.priceMin > q.priceMax) {
      ctx.addIssue({ code: 'custom', path: ['priceMax'], message: 'price_min_above_max' });
    }
  });
export type ListingSearchQuery = z.infer<typeof ListingSearchQuery>;

export const ListingSearchHit = ListingPublicView.pick({
  id: true, side: true, kind: true, title: true, summary: true, industries: true, keywords: true, provinceCode: true,
  cityCode: true, maturity: true, modes: true, price: true, publishedAt: true, validUntil: true, organization: true,
}).extend({
  /** Title and summary with matches wrapped in `<mark>`; everything else in them is HTML-escaped. */
  highlight: z.object({ title: z.string(), summary: z.string() }),
}).openapi('ListingSearchHit');
export type ListingSearchHit = z.infer<typeof ListingSearchHit>;

export const ListingSearchResult = z
  .object({
    hits: z.array(ListingSearchHit),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    /** Counts per value for side, kind, industry field, province, maturity, mode, orgType. */
    facets: z.record(z.string(), z.record(z.string(), z.number())),
    tookMs: z.number(),
  })
  .openapi('ListingSearchResult');
export type ListingSearchResult = z.infer<typeof ListingSearchResult>;
