import { ERROR_STATUS, type ErrorBody, type ErrorCode, type FieldError } from '@hub/protocol';
import type { ErrorRequestHandler } from 'express';
import type { ZodError } from 'zod';

/** A refusal with a stable code; the error middleware and the socket ack helper turn it into an ErrorBody. */
export class AppError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: ErrorBody['details'],
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function fieldErrors(error: ZodError, prefix: string[] = []): FieldError[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return { path: path.join('.'), message: `unknown_fields: ${issue.keys.join(', ')}` };
    }
    return { path: path.join('.'), message: issue.message };
  });
}

export function validationError(error: ZodError, where: string): AppError {
  return new AppError('validation_failed', `The ${where} is not valid; see details.fields.`, { fields: fieldErrors(error) });
}

/** The ErrorBody for any thrown value: coded errors as they are, anything else as a 500 without its stack. */
export function toErrorBody(error: unknown, requestId?: string): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return { status: error.status, body: { error: error.code, message: error.message, details: error.details, requestId } };
  }
  const httpError = error as { type?: string; status?: number };
  if (httpError?.type === 'entity.parse.failed') {
    return { status: 400, body: { error: 'invalid_json', message: 'The request body is not valid JSON.', requestId } };
  }
  if (httpError?.type === 'entity.too.large') {
    return { status: 413, body: { error: 'payload_too_large', message: 'The request body is too large.', requestId } };
  }
  return { status: 500, body: { error: 'internal_error', message: 'Something went wrong on our side; it has been logged.', requestId } };
}

export const errorMiddleware: ErrorRequestHandler = (error, req, res, _next) => {
  const { status, body } = toErrorBody(error, req.id);
  if (status >= 500) req.log.error({ err: error }, 'request failed');
  if (body.details?.retryAfterSeconds) res.setHeader('Retry-After', String(body.details.retryAfterSeconds));
  res.status(status).json(body);
};

export function isUniqueViolation(error: unknown, field?: string): boolean {
  type Constraint = { fields?: string[]; index?: string };
  const e = error as { code?: string; meta?: { target?: unknown; driverAdapterError?: { cause?: { kind?: string; constraint?: Constraint } } } };
  const cause = e?.meta?.driverAdapterError?.cause;
  // P2002 from model queries; a raw query (P2010) carries the driver's own kind.
  if (e?.code !== 'P2002' && !(e?.code === 'P2010' && cause?.kind === 'UniqueConstraintViolation')) return false;
  if (!field) return true;
  const names = cause?.constraint?.fields ?? cause?.constraint?.index ?? e.meta?.target;
  return JSON.stringify(names ?? '').includes(field);
}
