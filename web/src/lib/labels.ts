import {
  type EnterpriseSize,
  type ErrorBody,
  type ErrorCode,
  INDUSTRIES,
  type NotificationView,
  type OrganizationStatus,
  type OrganizationType,
  PROVINCE_BY_CODE,
  type SERVICE_SPECIALITIES,
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

export function industryName(code: string): string {
  const industry = INDUSTRIES.find((i) => i.code === code);
  return industry ? localName(industry) : code;
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
  if (notification.kind === 'organization.approved') return m.notification_approved();
  return reason ? m.notification_rejected_reason({ reason }) : m.notification_rejected();
}
