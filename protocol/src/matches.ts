import { CooperationMode, ListingKind, ListingSide, ListingStatus, Maturity, type ListingKind as Kind } from './listings.ts';
import { text } from './text.ts';
import { z } from './zod.ts';

/**
 * Which supply kinds can answer which demand kinds (供需匹配): a 技术需求 looks at 科技成果, 技术服务
 * and 专家人才; a 融资需求 only at 金融产品; and so on. Declared once; the matcher reads both directions.
 */
export const ANSWERING_KINDS = {
  tech_need: ['achievement', 'tech_service', 'expert'],
  service_need: ['tech_service', 'instrument_sharing', 'expert'],
  financing_need: ['financial_product'],
  talent_need: ['expert'],
} as const satisfies Record<string, readonly Kind[]>;

/** The kinds on the other side that a listing of this kind can be matched with. */
export function counterpartKinds(kind: Kind): Kind[] {
  if (kind in ANSWERING_KINDS) return [...ANSWERING_KINDS[kind as keyof typeof ANSWERING_KINDS]];
  return (Object.keys(ANSWERING_KINDS) as (keyof typeof ANSWERING_KINDS)[]).filter((demand) =>
    (ANSWERING_KINDS[demand] as readonly Kind[]).includes(kind),
  );
}

/** The explainable features a match score is made of. */
export const MATCH_FEATURES = ['text', 'industry', 'region', 'price', 'maturity', 'modes', 'reputation', 'freshness'] as const;
export const MatchFeature = z.enum(MATCH_FEATURES).openapi('MatchFeature');
export type MatchFeature = z.infer<typeof MatchFeature>;

/** One human-readable reason, in both languages the UI speaks (同属新能源领域 / Both in new energy). */
export const MatchReason = z.object({ feature: MatchFeature, zh: z.string(), en: z.string() }).openapi('MatchReason');
export type MatchReason = z.infer<typeof MatchReason>;

/** Feature → its value in [0, 1] and its weight; the score is the weighted sum. */
export const MatchBreakdown = z.record(MatchFeature, z.object({ value: z.number(), weight: z.number() })).openapi('MatchBreakdown');
export type MatchBreakdown = z.infer<typeof MatchBreakdown>;

/** open: waiting for both sides; confirmed: both interested; declined: either side declined; retracted: no longer valid. */
export const MatchStatus = z.enum(['open', 'confirmed', 'declined', 'retracted']).openapi('MatchStatus');
export type MatchStatus = z.infer<typeof MatchStatus>;
export const MatchResponse = z.enum(['pending', 'interested', 'declined']).openapi('MatchResponse');
export type MatchResponse = z.infer<typeof MatchResponse>;
/** auto: the scoring worker; staff: recommended by hand; interest: a supplier raised its hand on a demand. */
export const MatchSource = z.enum(['auto', 'staff', 'interest']).openapi('MatchSource');
export type MatchSource = z.infer<typeof MatchSource>;
/** How the last re-scoring moved the score. */
export const MatchTrend = z.enum(['new', 'up', 'down', 'same']).openapi('MatchTrend');
export type MatchTrend = z.infer<typeof MatchTrend>;
export const RetractReason = z.enum(['listing_unpublished', 'score_below_threshold']).openapi('MatchRetractReason');
export type RetractReason = z.infer<typeof RetractReason>;

const Price = z.object({ mode: z.enum(['negotiable', 'range']), min: z.number().nullable(), max: z.number().nullable() });

/** One side of a match: its listing's public part, its organisation, and its answer. */
export const MatchParty = z
  .object({
    listing: z.object({
      id: z.string(),
      kind: ListingKind,
      status: ListingStatus,
      title: z.string(),
      summary: z.string(),
      industries: z.array(z.string()),
      keywords: z.array(z.string()),
      provinceCode: z.string(),
      cityCode: z.string(),
      maturity: Maturity,
      modes: z.array(CooperationMode),
      price: Price,
      validUntil: z.string(),
    }),
    organization: z.object({ id: z.string(), name: z.string(), type: z.string() }),
    response: MatchResponse,
    respondedAt: z.string().nullable(),
    /** Confidential details: only to the other party once the match is confirmed (and to the owner and staff). */
    details: z.string().nullable(),
  })
  .openapi('MatchParty');
export type MatchParty = z.infer<typeof MatchParty>;

export const MatchView = z
  .object({
    id: z.string(),
    status: MatchStatus,
    source: MatchSource,
    /** 0–100. */
    score: z.number(),
    previousScore: z.number().nullable(),
    trend: MatchTrend,
    breakdown: MatchBreakdown,
    reasons: z.array(MatchReason),
    /** The viewer's side (null for staff viewing someone else's match). */
    mySide: ListingSide.nullable(),
    supply: MatchParty,
    demand: MatchParty,
    /** A staff recommendation's note, or the supplier's message with its interest. */
    note: z.string().nullable(),
    recommendedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    retractReason: RetractReason.nullable(),
    roomId: z.string().nullable(),
    /** The negotiation room's title, once the match is confirmed. */
    roomTitle: z.string().nullable(),
    scoredAt: z.string(),
    createdAt: z.string(),
    confirmedAt: z.string().nullable(),
  })
  .openapi('Match');
export type MatchView = z.infer<typeof MatchView>;

export const MatchInboxQuery = z.strictObject({
  /** active: open and confirmed (the default inbox). */
  status: z.enum(['active', 'open', 'confirmed', 'declined', 'retracted', 'all']).default('active'),
  listingId: z.uuid().optional(),
  page: z.coerce.number().int().min(1).max(500).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(30),
});
export type MatchInboxQuery = z.infer<typeof MatchInboxQuery>;

export const MatchList = z.object({ matches: z.array(MatchView), total: z.number().int() }).openapi('MatchList');
export type MatchList = z.infer<typeof MatchList>;

export const MatchRespondInput = z.strictObject({ response: z.enum(['interested', 'declined']) }).openapi('MatchRespondInput');
export type MatchRespondInput = z.infer<typeof MatchRespondInput>;

/** Staff pair two published listings by hand (003 第十二条(二)), with a note both parties see. */
export const MatchRecommendInput = z
  .strictObject({ supplyListingId: z.uuid(), demandListingId: z.uuid(), note: text().min(2, 'note_required').max(500) })
  .openapi('MatchRecommendInput');
export type MatchRecommendInput = z.infer<typeof MatchRecommendInput>;

/** A supplier (typically a service agency) signals it wants a demand, offering one of its published supply listings. */
export const MatchInterestInput = z
  .strictObject({ demandListingId: z.uuid(), supplyListingId: z.uuid(), note: text().max(500).optional() })
  .openapi('MatchInterestInput');
export type MatchInterestInput = z.infer<typeof MatchInterestInput>;

/** One line of the staff console's live match stream. */
export const MatchActivity = z
  .object({
    matchId: z.string(),
    event: z.enum(['created', 'updated', 'retracted', 'confirmed', 'declined']),
    source: MatchSource,
    score: z.number(),
    supply: z.object({ listingId: z.string(), title: z.string(), organizationName: z.string() }),
    demand: z.object({ listingId: z.string(), title: z.string(), organizationName: z.string() }),
    at: z.string(),
  })
  .openapi('MatchActivity');
export type MatchActivity = z.infer<typeof MatchActivity>;

export const MatchConsole = z
  .object({
    recent: z.array(MatchActivity),
    /** Matches made per minute over the last hour, oldest first (minute = ISO start of the minute). */
    perMinute: z.array(z.object({ minute: z.string(), created: z.number().int() })),
    totals: z.object({ open: z.number().int(), confirmed: z.number().int(), declined: z.number().int(), retracted: z.number().int() }),
  })
  .openapi('MatchConsole');
export type MatchConsole = z.infer<typeof MatchConsole>;

/** Pushes that went over the per-minute limit, announced once (the inbox holds them all). */
export const MatchDigest = z.object({ count: z.number().int(), since: z.string(), topTitles: z.array(z.string()) }).openapi('MatchDigest');
export type MatchDigest = z.infer<typeof MatchDigest>;

export const MatchRetracted = z.object({ id: z.string(), reason: RetractReason }).openapi('MatchRetracted');
export type MatchRetracted = z.infer<typeof MatchRetracted>;

/** A negotiation room was opened for the viewer's organisation. */
export const RoomOpened = z
  .object({ roomId: z.string(), matchId: z.string().nullable(), title: z.string(), counterpart: z.object({ id: z.string(), name: z.string() }) })
  .openapi('RoomOpened');
export type RoomOpened = z.infer<typeof RoomOpened>;
