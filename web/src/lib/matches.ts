import type { MatchConsole, MatchInboxQuery, MatchParty, MatchStatus, MatchView } from '@hub/protocol';

/** The inbox tabs, as the API names them. */
export type InboxFilter = MatchInboxQuery['status'];

/** Whether a match of this status belongs in an inbox tab (the server's filter, for live pushes). */
export function inFilter(filter: InboxFilter, status: MatchStatus): boolean {
  if (filter === 'all') return true;
  if (filter === 'active') return status === 'open' || status === 'confirmed';
  return filter === status;
}

/** The inbox order, as the server sorts it: best score first, then the newer of two equal scores. */
export function compareMatches(a: Pick<MatchView, 'score' | 'createdAt'>, b: Pick<MatchView, 'score' | 'createdAt'>): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}

export interface Placed<T> {
  list: T[];
  /** The match was not in the list before. */
  added: boolean;
  /** The match is in the returned list (false when it belongs to a page not loaded yet). */
  shown: boolean;
}

/**
 * Puts a pushed match into a score-sorted list: an entry with the same id is replaced (and moves if
 * its score changed), a new one goes to its place. While more rows exist on the server than are
 * loaded (`complete` false), a new match that would sort after the last loaded row belongs to a
 * later page and is left out, so "load more" does not skip or repeat rows.
 */
export function placeMatch<T extends Pick<MatchView, 'id' | 'score' | 'createdAt'>>(list: readonly T[], match: T, complete = true): Placed<T> {
  const added = !list.some((m) => m.id === match.id);
  const others = list.filter((m) => m.id !== match.id);
  const index = others.findIndex((m) => compareMatches(match, m) < 0);
  if (index === -1) {
    if (added && !complete && others.length > 0) return { list: others, added, shown: false };
    return { list: [...others, match], added, shown: true };
  }
  return { list: [...others.slice(0, index), match, ...others.slice(index)], added, shown: true };
}

/** Merges a later page into the loaded rows (a row pushed meanwhile may be on both). */
export function appendPage<T extends Pick<MatchView, 'id'>>(list: readonly T[], page: readonly T[]): T[] {
  const seen = new Set(list.map((m) => m.id));
  return [...list, ...page.filter((m) => !seen.has(m.id))];
}

/** The other party of a match, as the viewer sees it (staff, who are neither, see the supply side here). */
export function counterpartOf(match: Pick<MatchView, 'mySide' | 'supply' | 'demand'>): MatchParty {
  return match.mySide === 'supply' ? match.demand : match.supply;
}

/** The viewer's own party, if they are one. */
export function ownPartyOf(match: Pick<MatchView, 'mySide' | 'supply' | 'demand'>): MatchParty | null {
  if (match.mySide === 'supply') return match.supply;
  if (match.mySide === 'demand') return match.demand;
  return null;
}

/** Puts an item in front of a list, keeping at most `cap` items (a live stream's memory). */
export function prependCapped<T>(list: readonly T[], item: T, cap: number): T[] {
  return [item, ...list.slice(0, Math.max(0, cap - 1))];
}

const MINUTE = 60_000;
/** The start of the minute an instant falls in (ms since the epoch). */
export const minuteOf = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;

/** Matches created per minute: minute start (ms) → count. */
export type MinuteCounts = ReadonlyMap<number, number>;

/** The console's per-minute counts as a map (unparseable minutes are skipped). */
export function countsFrom(perMinute: MatchConsole['perMinute']): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { minute, created } of perMinute) {
    const at = Date.parse(minute);
    if (Number.isNaN(at)) continue;
    const key = minuteOf(at);
    counts.set(key, (counts.get(key) ?? 0) + created);
  }
  return counts;
}

/**
 * Counts one more match created at `at` (ISO). Minutes more than `keepMinutes` before it are dropped,
 * so a console left open for days keeps a bounded map.
 */
export function addCreated(counts: MinuteCounts, at: string, keepMinutes = 120): Map<number, number> {
  const parsed = Date.parse(at);
  const key = minuteOf(Number.isNaN(parsed) ? Date.now() : parsed);
  const out = new Map<number, number>();
  for (const [minute, count] of counts) if (minute >= key - keepMinutes * MINUTE) out.set(minute, count);
  out.set(key, (out.get(key) ?? 0) + 1);
  return out;
}

/** One bar per minute for the `minutes` minutes up to and including the current one, oldest first. */
export function lastMinutes(counts: MinuteCounts, now: number, minutes = 60): { minute: number; created: number }[] {
  const current = minuteOf(now);
  return Array.from({ length: minutes }, (_, i) => {
    const minute = current - (minutes - 1 - i) * MINUTE;
    return { minute, created: counts.get(minute) ?? 0 };
  });
}
