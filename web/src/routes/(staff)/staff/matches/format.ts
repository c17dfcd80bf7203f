import { getLocale } from '#lib/paraglide/runtime.js';

/** A clock time for the live console (the browser's time zone, as `formatDateTime`): `14:05`, or `14:05:09`. */
export function formatTime(at: number | string, seconds = false): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return String(at);
  return new Intl.DateTimeFormat(getLocale(), {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hour12: false,
  }).format(date);
}
