/** Milliseconds since the epoch: schemas that compare a date with today take one, so tests can fix it. */
export type Clock = () => number;

/**
 * The platform's day is China's (UTC+8, no daylight saving): a listing or offer "valid until
 * 2027-06-30" is valid to the last millisecond of that day there, wherever the viewer is.
 */
export function endOfChinaDay(day: string): Date {
  return new Date(`${day}T23:59:59.999+08:00`);
}

/** Whether `day` (YYYY-MM-DD) names a real calendar day. */
export const isCalendarDay = (day: string) => !Number.isNaN(Date.parse(`${day}T00:00:00+08:00`));
