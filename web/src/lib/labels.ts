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
  type Maturity,
  type NotificationView,
  type OrganizationStatus,
  type OrganizationType,
  PROVINCE_BY_CODE,
  type SERVICE_SPECIALITIES,
  type VersionStatus,
} from '@hub/protocol';
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
  organization_not_approved: m.error_organization_not_approved,
  not_found: m.error_not_found,
  organization_not_found: m.error_organization_not_found,
  credit_code_taken: m.error_credit_code_taken,
  email_taken: m.error_email_taken,
  review_conflict: m.error_review_conflict,
  listing_not_found: m.error_listing_not_found,
  listing_state_conflict: m.error_listing_state_conflict,
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

export function notificationText(notification: NotificationView): string {
  const reason = typeof notification.data.reason === 'string' ? notification.data.reason : '';
  const title = typeof notification.data.title === 'string' ? notification.data.title : '';
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
  }
}

/** Where a notification leads, if anywhere (a listing's owner page). */
export function notificationHref(notification: NotificationView): string | null {
  const id = notification.data.listingId;
  return notification.kind.startsWith('listing.') && typeof id === 'string' ? `/listings/${encodeURIComponent(id)}/manage` : null;
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
