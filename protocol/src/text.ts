import { z } from './zod.ts';

/**
 * Control characters no text field takes: C0 except tab, newline and carriage return, DEL, and C1.
 * NUL is refused by Postgres (a 500 before this rule); the others are invisible and only confuse.
 * Carriage return is allowed wherever newline is: CRLF is what Windows clients and form posts send.
 */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/**
 * A UTF-16 surrogate without its partner (with the `u` flag a pair is one code point and does not
 * match). It has no UTF-8 encoding: Postgres refuses it in JSON, and in a column it is stored as
 * U+FFFD, so a room entry would no longer match the hash computed over what was sent.
 */
const LONE_SURROGATE = /\p{Cs}/u;

export type TextProblem = 'control_characters' | 'invalid_text';

/** Why a string cannot be taken as text (the field message a refusal carries), or null. */
export function textProblem(value: string): TextProblem | null {
  if (LONE_SURROGATE.test(value)) return 'invalid_text';
  return CONTROL.test(value) ? 'control_characters' : null;
}

const refuseUnsafe = (value: string, ctx: z.RefinementCtx) => {
  const problem = textProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

/**
 * Every field of text a person types (names, titles, terms, messages, reasons, search words):
 * trimmed, and refused with `control_characters` or `invalid_text`. Chain lengths after it.
 */
export const text = () => z.string().trim().superRefine(refuseUnsafe);

/** The same rule without trimming, for a new password (its spaces are part of it). */
export const untrimmedText = () => z.string().superRefine(refuseUnsafe);
