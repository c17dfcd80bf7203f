import type { ErrorBody, FieldError } from '@hub/protocol';
import type { ApiResult } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import { m } from '#lib/paraglide/messages.js';

/** Field error messages keyed by the dotted input path (`organization.creditCode`, `user.email`). */
export type FieldErrors = Record<string, string>;

/** Codes the protocol's schemas use as messages, and the text shown for each. */
const CODE_TEXT: Record<string, () => string> = {
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
};

/** Field-specific text for zod's default messages (which are English sentences, not codes). */
const FIELD_TEXT: Record<string, () => string> = {
  email: m.field_email_invalid,
  industries: m.field_industries_count,
  provinceCode: m.field_region_required,
  cityCode: m.field_region_required,
  type: m.field_required,
  enterpriseSize: m.field_required_for_enterprise,
};

/** `industries.0` → `industries`: an error on one element belongs to the whole field. */
function fieldPath(path: string): string {
  return path
    .split('.')
    .filter((segment) => !/^\d+$/.test(segment))
    .join('.');
}

/**
 * Translates field errors (from the server's `details.fields`, or from the same zod schemas run in
 * the browser) into text per field. `isEmpty(path)` tells whether the user left that field blank,
 * so a zod default message reads as "required" instead of a generic complaint.
 */
export function translateFieldErrors(fields: FieldError[], isEmpty: (path: string) => boolean = () => false): FieldErrors {
  const out: FieldErrors = {};
  for (const field of fields) {
    const path = fieldPath(field.path);
    if (out[path]) continue;
    const last = path.split('.').at(-1) ?? path;
    const code = CODE_TEXT[field.message];
    out[path] = code ? code() : isEmpty(path) ? m.field_required() : (FIELD_TEXT[last] ?? m.field_invalid)();
  }
  return out;
}

/** Field errors from an API error: its `details.fields`, plus the conflict codes that belong to one field. */
export function fieldErrorsFrom(error: ErrorBody, prefix: { organization: string; user: string }, isEmpty?: (path: string) => boolean): FieldErrors {
  const errors = translateFieldErrors(error.details?.fields ?? [], isEmpty);
  if (error.error === 'email_taken') errors[`${prefix.user}email`] = m.error_email_taken();
  if (error.error === 'credit_code_taken') errors[`${prefix.organization}creditCode`] = m.error_credit_code_taken();
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
  options: { prefix: { organization: string; user: string }; isEmpty: (path: string) => boolean },
): Promise<FormOutcome<T>> {
  const local = schema.safeParse(body);
  if (!local.success) return { ok: false, errors: translateFieldErrors(issuesToFields(local.error.issues), options.isEmpty), message: null };
  const result = await send();
  if (result.ok) return { ok: true, data: result.data };
  const errors = fieldErrorsFrom(result.error, options.prefix, options.isEmpty);
  const explained = Object.keys(errors).length > 0 && result.error.error === 'validation_failed';
  return { ok: false, errors, message: explained ? null : errorText(result.error) };
}
