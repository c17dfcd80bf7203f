/**
 * Something this machine lacks or blocks (a missing binary, a busy port, a wrong checksum, a service
 * that would not start). Its message is one sentence that says what is wrong and what to do;
 * `npm start` prints it as it is.
 */
export class PrerequisiteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PrerequisiteError';
  }
}

/**
 * The sentence for an embedded service (or its initdb) that failed: what failed and why, what it
 * printed, and what to do. "Printed nothing" is said outright, because a bare "failed: " left the
 * reader with nothing to go on.
 */
export function serviceFailure(failure: { failed: string; reason: string; printed: string; todo: string; cause?: unknown }): PrerequisiteError {
  const printed = failure.printed.trim().replace(/\s*\n\s*/g, ' | ');
  const output = printed ? `after printing "${printed}"` : 'without printing anything';
  return new PrerequisiteError(`${failure.failed}: ${failure.reason} ${output}; ${failure.todo}.`, { cause: failure.cause });
}
