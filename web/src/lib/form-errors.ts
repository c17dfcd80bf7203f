import type { ErrorBody, FieldError } from '@hub/protocol';
import type { ApiResult } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import { m } from '#lib/paraglide/messages.js';

/** Field error messages keyed by the dotted input path (`organization.creditCode`, `user.email`). */
export type FieldErrors = Record<string, string>;

/** Codes the protocol's schemas use as messages, and the text shown for each. */
const CODE_TEXT: Record<string, () => string> = {
  // Every text field
  control_characters: m.field_control_characters,
  invalid_text: m.field_invalid_text,
  // Organisations and accounts
  credit_code_length: m.field_credit_code_length,
  credit_code_characters: m.field_credit_code_characters,
  credit_code_check_character: m.field_credit_code_check_character,
  phone_format: m.field_phone_format,
  required_for_enterprise: m.field_required_for_enterprise,
  only_for_enterprise: m.field_only_for_enterprise,
  required_for_service_agency: m.field_required_for_service_agency,
  unknown_region: m.field_unknown_region,
  password_too_short: m.field_password_too_short,
  reason_required: m.field_reason_required,
  // Listings
  price_min_above_max: m.field_price_min_above_max,
  unknown_industry: m.field_unknown_industry,
  kind_not_for_side: m.field_kind_not_for_side,
  valid_until_past: m.field_valid_until_past,
  valid_until_too_far: m.field_valid_until_too_far,
  date_format: m.field_date_format,
  duplicate_keywords: m.field_duplicate_keywords,
  patent_number_format: m.field_patent_number_format,
  patent_number_check_character: m.field_patent_number_check_character,
  software_copyright_format: m.field_software_copyright_format,
  checklist_incomplete: m.field_checklist_incomplete,
  // Matches
  note_required: m.field_note_required,
  // Rooms: messages and offers
  message_empty: m.field_message_empty,
  message_too_long: m.field_message_too_long,
  banned_word: m.field_banned_word,
  reply_not_found: m.field_reply_not_found,
  price_negative: m.field_price_negative,
  payment_percent_total_not_100: m.field_payment_percent_total,
  // Rooms staff open
  same_organization: m.field_same_organization,
};

/**
 * Field-specific text for zod's default messages (which are English sentences, not codes), looked
 * up by the whole field path first, then by its last segment.
 */
const FIELD_TEXT: Record<string, () => string> = {
  email: m.field_email_invalid,
  industries: m.field_industries_count,
  provinceCode: m.field_region_required,
  cityCode: m.field_region_required,
  type: m.field_required,
  enterpriseSize: m.field_required_for_enterprise,
  // Listings (paths inside `content.`); lengths and counts are zod's own min/max messages.
  'content.title': m.field_title_length,
  'content.summary': m.field_summary_length,
  'content.details': m.field_details_length,
  'content.keywords': m.field_keywords_count,
  'content.modes': m.field_modes_count,
  'content.trl': m.field_trl,
  'content.ip': m.field_ip_count,
  'content.price.min': m.field_amount,
  'content.price.max': m.field_amount,
  'content.ip.title': m.field_ip_title_length,
  'content.ip.number': m.field_ip_number_length,
  reason: m.field_reason_length,
  // Matches: a recommendation's or a raised hand's listing ids and note.
  supplyListingId: m.field_listing_id,
  demandListingId: m.field_listing_id,
  note: m.field_note_length,
  // Offers (paths inside `terms.`): zod's own messages for lengths, numbers and choices.
  'terms.mode': m.field_required,
  'terms.priceCny': m.field_price_whole_yuan,
  'terms.paymentTerms': m.field_payment_terms_length,
  'terms.scope': m.field_scope_length,
  'terms.ipOwnership': m.field_required,
  'terms.confidentiality': m.field_confidentiality_length,
  'terms.milestones': m.field_milestones_count,
  'terms.milestones.title': m.field_milestone_title_length,
  'terms.milestones.paymentPercent': m.field_milestone_percent,
  'terms.milestones.due': m.field_date_format,
  // A room staff open for two organisations.
  supplyOrganizationId: m.field_organization_id,
  demandOrganizationId: m.field_organization_id,
  title: m.field_room_title_length,
};

/** `industries.0` → `industries`: an error on one element belongs to the whole field. */
export function fieldPath(path: string): string {
  return path
    .split('.')
    .filter((segment) => !/^\d+$/.test(segment))
    .join('.');
}

/** Strips every index except the one of a row (`content.ip.2.number` stays; `content.keywords.3` → `content.keywords`). */
export function rowFieldPath(rows: string[]): (path: string) => string {
  return (path) => {
    const match = rows.find((row) => path.startsWith(`${row}.`) && /^\d+\./.test(path.slice(row.length + 1)));
    if (!match) return fieldPath(path);
    const [index, ...rest] = path.slice(match.length + 1).split('.');
    return [match, index, fieldPath(rest.join('.'))].filter(Boolean).join('.');
  };
}

/** The FIELD_TEXT key for a path: row indexes do not matter for the wording. */
const textKey = (path: string) => fieldPath(path);

/**
 * Translates field errors (from the server's `details.fields`, or from the same zod schemas run in
 * the browser) into text per field. `isEmpty(path)` tells whether the user left that field blank,
 * so a zod default message reads as "required" instead of a generic complaint.
 */
export function translateFieldErrors(
  fields: FieldError[],
  isEmpty: (path: string) => boolean = () => false,
  mapPath: (path: string) => string = fieldPath,
): FieldErrors {
  const out: FieldErrors = {};
  for (const field of fields) {
    const path = mapPath(field.path);
    if (out[path]) continue;
    const key = textKey(path);
    const last = key.split('.').at(-1) ?? key;
    const code = CODE_TEXT[field.message];
    out[path] = code ? code() : isEmpty(path) ? m.field_required() : (FIELD_TEXT[key] ?? FIELD_TEXT[last] ?? m.field_invalid)();
  }
  return out;
}

/** Field errors from an API error: its `details.fields`, plus the conflict codes that belong to one field. */
export function fieldErrorsFrom(
  error: ErrorBody,
  prefix: { organization: string } | undefined,
  isEmpty?: (path: string) => boolean,
  mapPath?: (path: string) => string,
): FieldErrors {
  const errors = translateFieldErrors(error.details?.fields ?? [], isEmpty, mapPath);
  if (prefix && error.error === 'credit_code_taken') errors[`${prefix.organization}creditCode`] = m.error_credit_code_taken();
  return errors;
}

/** zod issues → the same `{ path, message }` shape the server sends. */
export function issuesToFields(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FieldError[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export type FormOutcome<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; message: string | null };

/**
 * A form's submission: checks the body with the same zod schema as the server (instant feedback,
 * nothing sent), then sends it and turns a refusal into field errors plus, where no field explains
 * it, one form-level message. The server's answer always wins.
 */
export async function submitForm<T>(
  schema: { safeParse(body: unknown): { success: true } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } },
  body: unknown,
  send: () => Promise<ApiResult<T>>,
  options: {
    /** Where the organisation's fields sit in the body (forms that have them: register, resubmit). */
    prefix?: { organization: string };
    isEmpty: (path: string) => boolean;
    /** How an input path names its field (default: drop every index, see `fieldPath`). */
    mapPath?: (path: string) => string;
  },
): Promise<FormOutcome<T>> {
  const local = schema.safeParse(body);
  if (!local.success) {
    return { ok: false, errors: translateFieldErrors(issuesToFields(local.error.issues), options.isEmpty, options.mapPath), message: null };
  }
  const result = await send();
  if (result.ok) return { ok: true, data: result.data };
  const errors = fieldErrorsFrom(result.error, options.prefix, options.isEmpty, options.mapPath);
  const explained = Object.keys(errors).length > 0 && result.error.error === 'validation_failed';
  return { ok: false, errors, message: explained ? null : errorText(result.error) };
}
