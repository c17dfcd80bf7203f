import { z } from './zod.ts';

/** Stable, machine-readable error codes and the HTTP status each one answers with. */
export const ERROR_STATUS = {
  invalid_json: 400,
  validation_failed: 400,
  message_blocked: 400,
  file_type_refused: 400,
  broker_not_eligible: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  cross_origin_refused: 403,
  organization_not_approved: 403,
  participant_muted: 403,
  not_found: 404,
  organization_not_found: 404,
  user_not_found: 404,
  listing_not_found: 404,
  match_not_found: 404,
  room_not_found: 404,
  offer_not_found: 404,
  stage_proposal_not_found: 404,
  banned_word_not_found: 404,
  file_not_found: 404,
  credit_code_taken: 409,
  review_conflict: 409,
  staff_role_conflict: 409,
  listing_state_conflict: 409,
  match_state_conflict: 409,
  match_not_eligible: 409,
  room_state_conflict: 409,
  idempotency_conflict: 409,
  offer_state_conflict: 409,
  stage_proposal_conflict: 409,
  banned_word_conflict: 409,
  participant_conflict: 409,
  room_not_joined: 409,
  payload_too_large: 413,
  file_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/** One field's problem, keyed by its dotted path in the input (`creditCode`, `industries.0`). */
export const FieldError = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldError>;

/** The shape of every error, over HTTP and in socket acks. */
export const ErrorBody = z
  .object({
    error: ErrorCodeSchema,
    message: z.string(),
    details: z.object({ fields: z.array(FieldError).optional(), retryAfterSeconds: z.number().optional() }).optional(),
    requestId: z.string().optional(),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

/** What a socket handler acks with: the stored result, or the coded error. */
export type Ack<T> = { ok: true; data: T } | ({ ok: false } & ErrorBody);
