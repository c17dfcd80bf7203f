/**
 * Chinese patent application numbers (ZC 0006-2003): 12 digits (or 8 before 2003), a dot and a
 * check character: the digits weighted 2,3,4,5,6,7,8,9 (repeating), summed, modulo 11; 10 is X.
 * A leading `CN` or `ZL` is accepted and dropped. Example: 200310102344.5.
 */
const SHAPE = /^(\d{8}|\d{12})\.([\dX])$/;

export function normalizePatentNumber(raw: string): string {
  return raw.trim().toUpperCase().replace(/\s+/g, '').replace(/^(CN|ZL)/, '');
}

export function patentCheckCharacter(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) sum += Number(digits[i]) * (2 + (i % 8));
  const check = sum % 11;
  return check === 10 ? 'X' : String(check);
}

export type PatentNumberProblem = 'format' | 'check_character';

/** Why a normalised application number is invalid, or null when it is valid. */
export function patentNumberProblem(number: string): PatentNumberProblem | null {
  const match = SHAPE.exec(number);
  if (!match) return 'format';
  return patentCheckCharacter(match[1]!) === match[2] ? null : 'check_character';
}
