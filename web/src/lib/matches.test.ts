import { describe, expect, it } from 'vitest';
import { addCreated, appendPage, compareMatches, countsFrom, inFilter, lastMinutes, minuteOf, placeMatch, prependCapped } from './matches.ts';

const row = (id: string, score: number, createdAt = '2026-05-01T08:00:00.000Z') => ({ id, score, createdAt });
const ids = (list: { id: string }[]) => list.map((m) => m.id);

describe('inFilter', () => {
  it('mirrors the server’s tabs', () => {
    expect(inFilter('active', 'open')).toBe(true);
    expect(inFilter('active', 'confirmed')).toBe(true);
    expect(inFilter('active', 'declined')).toBe(false);
    expect(inFilter('active', 'retracted')).toBe(false);
    expect(inFilter('all', 'retracted')).toBe(true);
    expect(inFilter('declined', 'declined')).toBe(true);
    expect(inFilter('open', 'confirmed')).toBe(false);
  });
});

describe('compareMatches', () => {
  it('puts the higher score first, then the newer of two equal scores', () => {
    expect(compareMatches(row('a', 80), row('b', 70))).toBeLessThan(0);
    expect(compareMatches(row('a', 70), row('b', 80))).toBeGreaterThan(0);
    expect(compareMatches(row('a', 70, '2026-05-01T09:00:00.000Z'), row('b', 70, '2026-05-01T08:00:00.000Z'))).toBeLessThan(0);
    expect(compareMatches(row('a', 70), row('b', 70))).toBe(0);
  });
});

describe('placeMatch', () => {
  const list = [row('a', 90), row('b', 70), row('c', 50)];

  it('inserts a new match at its place by score', () => {
    const placed = placeMatch(list, row('n', 75));
    expect(ids(placed.list)).toEqual(['a', 'n', 'b', 'c']);
    expect(placed).toMatchObject({ added: true, shown: true });
    expect(ids(placeMatch(list, row('top', 99)).list)).toEqual(['top', 'a', 'b', 'c']);
    expect(ids(placeMatch(list, row('low', 10)).list)).toEqual(['a', 'b', 'c', 'low']);
    expect(ids(placeMatch([], row('only', 10)).list)).toEqual(['only']);
  });

  it('puts a new match before an older one of the same score', () => {
    const placed = placeMatch([row('old', 70, '2026-05-01T07:00:00.000Z')], row('new', 70, '2026-05-01T09:00:00.000Z'));
    expect(ids(placed.list)).toEqual(['new', 'old']);
  });

  it('replaces a known match and moves it when its score changed', () => {
    const placed = placeMatch(list, row('c', 95));
    expect(ids(placed.list)).toEqual(['c', 'a', 'b']);
    expect(placed).toMatchObject({ added: false, shown: true });
    const same = placeMatch(list, { ...row('b', 70), extra: true } as ReturnType<typeof row>);
    expect(ids(same.list)).toEqual(['a', 'b', 'c']);
    expect(same.list[1]).toHaveProperty('extra', true);
  });

  it('leaves out a new match that sorts after the last loaded row while more pages exist', () => {
    const placed = placeMatch(list, row('later', 20), false);
    expect(ids(placed.list)).toEqual(['a', 'b', 'c']);
    expect(placed).toMatchObject({ added: true, shown: false });
    expect(ids(placeMatch(list, row('mid', 60), false).list)).toEqual(['a', 'b', 'mid', 'c']);
    // A known row that sinks stays visible (it was already shown).
    expect(ids(placeMatch(list, row('a', 5), false).list)).toEqual(['b', 'c', 'a']);
  });

  it('never mutates the list it was given', () => {
    const before = ids(list);
    placeMatch(list, row('x', 60));
    expect(ids(list)).toEqual(before);
  });
});

describe('appendPage', () => {
  it('skips rows already loaded', () => {
    expect(ids(appendPage([row('a', 9), row('b', 8)], [row('b', 8), row('c', 7)]))).toEqual(['a', 'b', 'c']);
  });
});

describe('prependCapped', () => {
  it('puts the newest first and keeps at most the cap', () => {
    expect(prependCapped([2, 1], 3, 5)).toEqual([3, 2, 1]);
    expect(prependCapped([3, 2, 1], 4, 3)).toEqual([4, 3, 2]);
    expect(prependCapped([], 1, 1)).toEqual([1]);
  });
});

describe('per-minute counts', () => {
  const t0 = Date.parse('2026-05-01T08:30:00.000Z');

  it('reads the console’s minutes and counts live creations into their minute', () => {
    const counts = countsFrom([
      { minute: '2026-05-01T08:28:00.000Z', created: 3 },
      { minute: '2026-05-01T08:30:00.000Z', created: 1 },
      { minute: 'not a date', created: 9 },
    ]);
    expect([...counts]).toEqual([
      [t0 - 120_000, 3],
      [t0, 1],
    ]);
    const more = addCreated(addCreated(counts, '2026-05-01T08:30:59.999Z'), '2026-05-01T08:31:00.000Z');
    expect(more.get(t0)).toBe(2);
    expect(more.get(t0 + 60_000)).toBe(1);
    expect(counts.get(t0)).toBe(1);
  });

  it('drops minutes long past when counting a new one', () => {
    const counts = new Map([
      [t0 - 200 * 60_000, 5],
      [t0 - 10 * 60_000, 2],
    ]);
    const next = addCreated(counts, new Date(t0).toISOString());
    expect([...next.keys()]).toEqual([t0 - 10 * 60_000, t0]);
  });

  it('fills every minute of the last hour, oldest first, ending with the current minute', () => {
    const counts = new Map([
      [t0 - 59 * 60_000, 4],
      [t0 - 60 * 60_000, 7],
      [t0, 2],
    ]);
    const bars = lastMinutes(counts, t0 + 42_000);
    expect(bars).toHaveLength(60);
    expect(bars[0]).toEqual({ minute: t0 - 59 * 60_000, created: 4 });
    expect(bars.at(-1)).toEqual({ minute: t0, created: 2 });
    expect(bars.reduce((sum, b) => sum + b.created, 0)).toBe(6);
    expect(minuteOf(t0 + 59_999)).toBe(t0);
  });
});
