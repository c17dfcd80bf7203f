import {
  type CooperationMode,
  type EnterpriseSize,
  type ErrorBody,
  type ErrorCode,
  industryNode,
  type IpItem,
  type ListingKind,
  type ListingSide,
  type ListingStatus,
  type MatchActivity,
  type MatchFeature,
  type MatchReason,
  type MatchResponse,
  type MatchSource,
  type MatchStatus,
  type Maturity,
  type NotificationView,
  type RetractReason,
  type OfferView,
  type OrganizationStatus,
  type OrganizationType,
  PROVINCE_BY_CODE,
  type RoomStage,
  type SERVICE_SPECIALITIES,
  type VersionStatus,
} from '@hub/protocol';
import type { IpOwnershipValue } from './offers.ts';
import { m } from '#lib/paraglide/messages.js';
import { getLocale } from '#lib/paraglide/runtime.js';

export type ServiceSpeciality = (typeof SERVICE_SPECIALITIES)[number];

type Text = () => string;

/** Human labels for protocol enums and codes, in the current locale. */
export const ORGANIZATION_TYPE_LABEL: Record<OrganizationType, Text> = {
  enterprise: m.org_type_enterprise,
  university: m.org_type_university,
  research_institute: m.org_type_research_institute,
  service_agency: m.org_type_service_agency,
  investor: m.org_type_investor,
  incubator: m.org_type_incubator,
};

export const ENTERPRISE_SIZE_LABEL: Record<EnterpriseSize, Text> = {
  large: m.enterprise_size_large,
  medium: m.enterprise_size_medium,
  small: m.enterprise_size_small,
  micro: m.enterprise_size_micro,
};

export const SPECIALITY_LABEL: Record<ServiceSpeciality, Text> = {
  ip: m.speciality_ip,
  valuation: m.speciality_valuation,
  testing: m.speciality_testing,
  finance: m.speciality_finance,
  brokerage: m.speciality_brokerage,
  legal: m.speciality_legal,
  consulting: m.speciality_consulting,
  instrument_sharing: m.speciality_instrument_sharing,
  incubation: m.speciality_incubation,
};

export const STATUS_LABEL: Record<OrganizationStatus, Text> = {
  pending: m.status_pending,
  approved: m.status_approved,
  rejected: m.status_rejected,
};

/** A `{ name, nameEn }` entry (region, industry) in the current locale. */
export function localName(entry: { name: string; nameEn: string }): string {
  return getLocale() === 'en' ? entry.nameEn : entry.name;
}

/** A field's or sub-field's name (`new-energy`, `new-energy.lithium-battery`). */
export function industryName(code: string): string {
  const node = industryNode(code);
  return node ? localName(node) : code;
}

export function regionName(provinceCode: string, cityCode: string): string {
  const province = PROVINCE_BY_CODE.get(provinceCode);
  const city = province?.cities.find((c) => c.code === cityCode);
  if (!province) return `${provinceCode} ${cityCode}`;
  const names = [localName(province)];
  if (city && city.name !== province.name) names.push(city ? localName(city) : cityCode);
  return names.join(getLocale() === 'en' ? ', ' : ' ');
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

const ERROR_TEXT: Partial<Record<ErrorCode, Text>> = {
  validation_failed: m.error_validation_failed,
  unauthenticated: m.error_unauthenticated,
  invalid_credentials: m.error_invalid_credentials,
  forbidden: m.error_forbidden,
  cross_origin_refused: m.error_cross_origin_refused,
  organization_not_approved: m.error_organization_not_approved,
  not_found: m.error_not_found,
  organization_not_found: m.error_organization_not_found,
  credit_code_taken: m.error_credit_code_taken,
  review_conflict: m.error_review_conflict,
  listing_not_found: m.error_listing_not_found,
  listing_state_conflict: m.error_listing_state_conflict,
  match_not_found: m.error_match_not_found,
  match_state_conflict: m.error_match_state_conflict,
  match_not_eligible: m.error_match_not_eligible,
  room_not_found: m.error_room_not_found,
  room_state_conflict: m.error_room_state_conflict,
  offer_not_found: m.error_offer_not_found,
  offer_state_conflict: m.error_offer_state_conflict,
  stage_proposal_conflict: m.error_stage_proposal_conflict,
  stage_proposal_not_found: m.error_stage_proposal_not_found,
  participant_muted: m.error_participant_muted,
  broker_not_eligible: m.error_broker_not_eligible,
  participant_conflict: m.error_participant_conflict,
  message_blocked: m.error_message_blocked,
  idempotency_conflict: m.error_idempotency_conflict,
  payload_too_large: m.error_payload_too_large,
  service_unavailable: m.error_service_unavailable,
};

/** One sentence for an error answer (field errors are shown beside their fields, see form-errors.ts). */
export function errorText(error: ErrorBody): string {
  if (error.error === 'rate_limited') {
    const seconds = error.details?.retryAfterSeconds;
    if (seconds === undefined) return m.error_rate_limited();
    if (seconds < 90) return m.error_rate_limited_retry_seconds({ seconds: Math.max(1, Math.ceil(seconds)) });
    return m.error_rate_limited_retry({ minutes: Math.ceil(seconds / 60) });
  }
  return (ERROR_TEXT[error.error] ?? m.error_internal)();
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export function notificationText(notification: NotificationView): string {
  const reason = text(notification.data.reason);
  const title = text(notification.data.title);
  switch (notification.kind) {
    case 'organization.approved':
      return m.notification_approved();
    case 'organization.rejected':
      return reason ? m.notification_rejected_reason({ reason }) : m.notification_rejected();
    case 'listing.approved':
      return m.notification_listing_approved({ title });
    case 'listing.rejected':
      return reason ? m.notification_listing_rejected_reason({ title, reason }) : m.notification_listing_rejected({ title });
    case 'listing.taken_down':
      return m.notification_listing_taken_down({ title, reason });
    case 'listing.expiring':
      return m.notification_listing_expiring({ title });
    case 'listing.expired':
      return m.notification_listing_expired({ title });
    case 'match.new': {
      const score = typeof notification.data.score === 'number' ? Math.round(notification.data.score) : '';
      return m.notification_match_new({ title, score });
    }
    case 'match.digest': {
      const count = typeof notification.data.count === 'number' ? notification.data.count : 0;
      const topTitles = Array.isArray(notification.data.topTitles) ? notification.data.topTitles.filter((t): t is string => typeof t === 'string' && t !== '') : [];
      return topTitles.length
        ? m.notification_match_digest_titles({ count, titles: topTitles.map((t) => quoteTitle(t)).join(m.list_separator()) })
        : m.notification_match_digest({ count });
    }
    case 'match.confirmed':
      return m.notification_match_confirmed({ title });
    case 'room.opened':
      return notification.data.byStaff === true ? m.notification_room_opened_staff({ title }) : m.notification_room_opened({ title });
    case 'room.invited': {
      const side = notification.data.side === 'supply' ? m.room_side_supply() : notification.data.side === 'demand' ? m.room_side_demand() : null;
      return side ? m.notification_room_invited({ side, title }) : m.notification_room_invited_plain({ title });
    }
  }
}

/** A listing title inside running text: 《…》 in Chinese, “…” in English. */
export function quoteTitle(title: string): string {
  return getLocale() === 'en' ? `“${title}”` : `《${title}》`;
}

/** Where a notification leads, if anywhere: a listing's owner page, a match, a room, or the match inbox. */
export function notificationHref(notification: NotificationView): string | null {
  const { listingId, matchId } = notification.data;
  if (notification.kind.startsWith('listing.')) return typeof listingId === 'string' ? `/listings/${encodeURIComponent(listingId)}/manage` : null;
  if (notification.kind === 'match.digest') return '/matches';
  const { roomId } = notification.data;
  if (notification.kind === 'room.invited') return typeof roomId === 'string' ? `/rooms/${encodeURIComponent(roomId)}` : null;
  if (notification.kind === 'room.opened') {
    if (typeof roomId === 'string') return `/rooms/${encodeURIComponent(roomId)}`;
    return typeof matchId === 'string' ? `/matches/${encodeURIComponent(matchId)}` : null;
  }
  if (notification.kind.startsWith('match.')) return typeof matchId === 'string' ? `/matches/${encodeURIComponent(matchId)}` : null;
  return null;
}

export const MATCH_STATUS_LABEL: Record<MatchStatus, Text> = {
  open: m.match_status_open,
  confirmed: m.match_status_confirmed,
  declined: m.match_status_declined,
  retracted: m.match_status_retracted,
};

export const MATCH_RESPONSE_LABEL: Record<MatchResponse, Text> = {
  pending: m.match_response_pending,
  interested: m.match_response_interested,
  declined: m.match_response_declined,
};

export const MATCH_SOURCE_LABEL: Record<MatchSource, Text> = {
  auto: m.match_source_auto,
  staff: m.match_source_staff,
  interest: m.match_source_interest,
};

export const MATCH_FEATURE_LABEL: Record<MatchFeature, Text> = {
  text: m.match_feature_text,
  industry: m.match_feature_industry,
  region: m.match_feature_region,
  price: m.match_feature_price,
  maturity: m.match_feature_maturity,
  modes: m.match_feature_modes,
  reputation: m.match_feature_reputation,
  freshness: m.match_feature_freshness,
};

export const RETRACT_REASON_LABEL: Record<RetractReason, Text> = {
  listing_unpublished: m.match_retract_listing_unpublished,
  score_below_threshold: m.match_retract_score_below_threshold,
};

export const MATCH_ACTIVITY_LABEL: Record<MatchActivity['event'], Text> = {
  created: m.match_activity_created,
  updated: m.match_activity_updated,
  retracted: m.match_activity_retracted,
  confirmed: m.match_activity_confirmed,
  declined: m.match_activity_declined,
};

/** A match reason in the current locale (the server sends both). */
export function reasonText(reason: MatchReason): string {
  return getLocale() === 'en' ? reason.en : reason.zh;
}

/** A score as shown: a whole number from 0 to 100. */
export function scoreText(score: number): string {
  return String(Math.round(Math.min(100, Math.max(0, score))));
}

export const SIDE_LABEL: Record<ListingSide, Text> = { supply: m.side_supply, demand: m.side_demand };

export const KIND_LABEL: Record<ListingKind, Text> = {
  achievement: m.kind_achievement,
  tech_service: m.kind_tech_service,
  instrument_sharing: m.kind_instrument_sharing,
  expert: m.kind_expert,
  financial_product: m.kind_financial_product,
  tech_need: m.kind_tech_need,
  service_need: m.kind_service_need,
  financing_need: m.kind_financing_need,
  talent_need: m.kind_talent_need,
};

export const MATURITY_LABEL: Record<Maturity, Text> = {
  research: m.maturity_research,
  lab: m.maturity_lab,
  pilot: m.maturity_pilot,
  industrial: m.maturity_industrial,
};

export const MODE_LABEL: Record<CooperationMode, Text> = {
  transfer: m.mode_transfer,
  license: m.mode_license,
  joint_development: m.mode_joint_development,
  equity: m.mode_equity,
  service: m.mode_service,
};

export const IP_TYPE_LABEL: Record<IpItem['type'], Text> = {
  invention: m.ip_type_invention,
  utility_model: m.ip_type_utility_model,
  design: m.ip_type_design,
  software_copyright: m.ip_type_software_copyright,
};

export const LISTING_STATUS_LABEL: Record<ListingStatus, Text> = {
  draft: m.listing_status_draft,
  pending: m.listing_status_pending,
  published: m.listing_status_published,
  rejected: m.listing_status_rejected,
  withdrawn: m.listing_status_withdrawn,
  expired: m.listing_status_expired,
  taken_down: m.listing_status_taken_down,
};

export const VERSION_STATUS_LABEL: Record<VersionStatus, Text> = {
  draft: m.version_status_draft,
  pending: m.version_status_pending,
  published: m.version_status_published,
  rejected: m.version_status_rejected,
  superseded: m.version_status_superseded,
};

/**
 * The second half of "已发布 · 新版本待审核": what the latest version is doing when it is not the
 * one the listing's status already describes (an edit of a published listing), or null.
 */
export function newVersionText(status: ListingStatus, latestVersionStatus: VersionStatus): string | null {
  if (status === 'draft' || status === 'pending' || status === 'rejected') return null;
  if (latestVersionStatus === 'draft') return m.listing_new_version_draft();
  if (latestVersionStatus === 'pending') return m.listing_new_version_pending();
  if (latestVersionStatus === 'rejected') return m.listing_new_version_rejected();
  return null;
}

/** CNY as 万元 with up to four decimals, grouped for the locale (`12,000`, `0.5`). */
export function formatWan(cny: number): string {
  return new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 4 }).format(cny / 10_000);
}

/** Price or budget as shown everywhere: 面议, `x–y 万元`, or `x 万元` when both ends agree. */
export function priceText(price: { mode: 'negotiable' | 'range'; min: number | null; max: number | null }): string {
  if (price.mode === 'negotiable' || price.min === null || price.max === null) return m.price_negotiable();
  if (price.min === price.max) return m.price_single({ amount: formatWan(price.min) });
  return m.price_range({ min: formatWan(price.min), max: formatWan(price.max) });
}

/** A `YYYY-MM-DD` day or an ISO instant as a date in the locale (China's calendar day for instants). */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00+08:00`) : new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(date);
}

/** 对接洽谈 stages. */
export const ROOM_STAGE_LABEL: Record<RoomStage, Text> = {
  first_contact: m.room_stage_first_contact,
  formal_negotiation: m.room_stage_formal_negotiation,
  evaluation: m.room_stage_evaluation,
  intent: m.room_stage_intent,
  signed: m.room_stage_signed,
  closed: m.room_stage_closed,
};

export const IP_OWNERSHIP_LABEL: Record<IpOwnershipValue, Text> = {
  supplier: m.ip_ownership_supplier,
  demander: m.ip_ownership_demander,
  joint: m.ip_ownership_joint,
  per_contract: m.ip_ownership_per_contract,
};

export const OFFER_STATUS_LABEL: Record<OfferView['status'], Text> = {
  open: m.offer_status_open,
  countered: m.offer_status_countered,
  accepted: m.offer_status_accepted,
  withdrawn: m.offer_status_withdrawn,
};

/** A price in whole yuan: `¥1,200,000` (grouped for the locale). */
export function formatCny(cny: number): string {
  return `¥${new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 0 }).format(cny)}`;
}

/** A time of day for a message (`14:05`), with the date when it is not today. */
export function formatMessageTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = 'Asia/Shanghai';
  const day = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  const sameDay = day(date) === day(now);
  return new Intl.DateTimeFormat(getLocale(), sameDay ? { timeStyle: 'short', timeZone: zone } : { dateStyle: 'short', timeStyle: 'short', timeZone: zone }).format(date);
}
