/**
 * Something this machine lacks or blocks (a missing binary, a busy port, a wrong checksum). Its message
 * is one sentence that says what is wrong and what to do; `npm start` prints it as it is.
 */
export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}
