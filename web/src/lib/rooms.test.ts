import type { RoomEntryView, RoomView } from '@hub/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyActivity,
  closedFrom,
  compareRooms,
  heldThrough,
  hideEntry,
  isMuted,
  mergeEntries,
  newClientKey,
  nextStage,
  type PendingMessage,
  placeRoom,
  setTyping,
  shouldSendTyping,
  stepState,
  TYPING_SHOW_MS,
  typingNames,
  unreadDividerSeq,
  updateRoom,
  visiblePending,
} from './rooms.ts';

const ROOM = 'room-1';
const ME = 'user-me';
const THEM = 'user-them';

function entry(seq: number, overrides: Partial<RoomEntryView> = {}): RoomEntryView {
  return {
    roomId: ROOM,
    seq,
    kind: 'message',
    author: { id: THEM, name: '对方', organizationId: 'org-them' },
    body: `消息 ${seq}`,
    replyToSeq: null,
    data: {},
    createdAt: `2026-05-01T08:00:${String(seq).padStart(2, '0')}.000Z`,
    hash: `h${seq}`,
    hidden: null,
    flagged: [],
    ...overrides,
  };
}
const seqs = (list: { seq: number }[]) => list.map((e) => e.seq);

describe('stages', () => {
  it('move forward one at a time and end at 签约 or closed', () => {
    expect(nextStage('first_contact')).toBe('formal_negotiation');
    expect(nextStage('evaluation')).toBe('intent');
    expect(nextStage('intent')).toBe('signed');
    expect(nextStage('signed')).toBeNull();
    expect(nextStage('closed')).toBeNull();
  });

  it('mark the steps passed, the current one and those ahead; a closed room keeps the steps it had passed', () => {
    expect(stepState('first_contact', 'evaluation')).toBe('done');
    expect(stepState('evaluation', 'evaluation')).toBe('current');
    expect(stepState('signed', 'evaluation')).toBe('todo');
    expect(stepState('formal_negotiation', 'closed', 'formal_negotiation')).toBe('done');
    expect(stepState('evaluation', 'closed', 'formal_negotiation')).toBe('todo');
    expect(stepState('first_contact', 'closed', null)).toBe('todo');
  });

  it('a closed room was closed from the stage its last move to closed names', () => {
    const record = [entry(1, { kind: 'opened', author: null }), entry(2, { kind: 'stage', data: { from: 'first_contact', to: 'formal_negotiation' } }), entry(3, { kind: 'stage', data: { from: 'formal_negotiation', to: 'closed' } })];
    expect(closedFrom(record)).toBe('formal_negotiation');
    expect(closedFrom(record.slice(0, 2))).toBeNull();
  });
});

describe('mergeEntries', () => {
  it('keeps one entry per sequence number, in order, whatever order and overlap they arrive in', () => {
    const held = [entry(3), entry(4), entry(5)];
    const merged = mergeEntries(held, [entry(7), entry(5), entry(6), entry(1), entry(2), entry(7)]);
    expect(seqs(merged)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('a newer copy of an entry replaces the one held (e.g. hidden meanwhile)', () => {
    const merged = mergeEntries([entry(1), entry(2)], [entry(2, { body: '', hidden: { at: '2026-05-01T09:00:00.000Z', reason: '广告' } })]);
    expect(merged[1]).toMatchObject({ seq: 2, body: '', hidden: { reason: '广告' } });
    expect(merged).toHaveLength(2);
  });

  it('returns the held list itself when nothing comes in', () => {
    const held = [entry(1)];
    expect(mergeEntries(held, [])).toBe(held);
  });
});

describe('heldThrough', () => {
  it('is the last sequence number held without a gap from the oldest held', () => {
    expect(heldThrough([])).toBe(0);
    expect(heldThrough([entry(51), entry(52), entry(53)])).toBe(53);
    // 55 arrived live while 54 was missed: a catch-up must ask for everything after 53.
    expect(heldThrough([entry(51), entry(52), entry(53), entry(55)])).toBe(53);
  });

  it('a catch-up after a reconnect fills the gap and leaves no duplicates', () => {
    let held = mergeEntries([], [entry(1), entry(2), entry(3)]);
    held = mergeEntries(held, [entry(5)]); // pushed live; 4 lost with the connection
    const afterSeq = heldThrough(held);
    expect(afterSeq).toBe(3);
    const catchUp = [entry(4), entry(5), entry(6)].filter((e) => e.seq > afterSeq);
    held = mergeEntries(held, catchUp);
    expect(seqs(held)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(heldThrough(held)).toBe(6);
  });
});

describe('hideEntry', () => {
  const event = { roomId: ROOM, seq: 2, at: '2026-05-01T09:00:00.000Z', reason: '含联系方式' };
  it('empties the text for the parties and keeps it for staff, with the reason either way', () => {
    const party = hideEntry([entry(1), entry(2)], event, false);
    expect(party[1]).toMatchObject({ body: '', hidden: { reason: '含联系方式' } });
    expect(party[0]!.hidden).toBeNull();
    const staff = hideEntry([entry(1), entry(2)], event, true);
    expect(staff[1]).toMatchObject({ body: '消息 2', hidden: { reason: '含联系方式' } });
  });
});

describe('unreadDividerSeq', () => {
  it('sits before the first message from someone else after the last read one', () => {
    const record = [entry(1), entry(2, { author: { id: ME, name: '我', organizationId: 'org-me' } }), entry(3, { kind: 'stage', author: { id: THEM, name: '对方', organizationId: 'org-them' } }), entry(4)];
    expect(unreadDividerSeq(record, 1, ME)).toBe(4);
    expect(unreadDividerSeq(record, 0, ME)).toBe(1);
    expect(unreadDividerSeq(record, 4, ME)).toBeNull();
  });

  it('ignores messages that arrived after the room was opened', () => {
    const record = [entry(1, { author: { id: ME, name: '我', organizationId: 'org-me' } }), entry(2), entry(3)];
    expect(unreadDividerSeq(record, 1, ME, 1)).toBeNull();
    expect(unreadDividerSeq(record, 1, ME, 2)).toBe(2);
  });
});

describe('visiblePending', () => {
  const mine = (seq: number, body: string, replyToSeq: number | null = null) =>
    entry(seq, { author: { id: ME, name: '我', organizationId: 'org-me' }, body, replyToSeq });
  const pending = (clientKey: string, body: string, afterSeq: number, replyToSeq: number | null = null): PendingMessage => ({
    clientKey,
    body,
    replyToSeq,
    afterSeq,
    status: 'sending',
    error: null,
  });

  it('hides a pending message whose stored entry already arrived (live, before its ack)', () => {
    const list = [entry(1), mine(2, '您好')];
    expect(visiblePending([pending('k1', '您好  ', 1)], list, ME)).toEqual([]);
  });

  it('each stored entry settles one pending message, the earliest with the same text', () => {
    const list = [entry(1), mine(2, '好的')];
    const shown = visiblePending([pending('k1', '好的', 1), pending('k2', '好的', 1)], list, ME);
    expect(shown.map((p) => p.clientKey)).toEqual(['k2']);
  });

  it('an earlier message with the same text (stored before it was written) does not settle it', () => {
    const list = [mine(1, '好的')];
    expect(visiblePending([pending('k2', '好的', 1)], list, ME).map((p) => p.clientKey)).toEqual(['k2']);
  });

  it('the reply must match as well; others’ messages never settle it', () => {
    const list = [entry(1), entry(2, { body: '同意' }), mine(3, '同意', 1)];
    expect(visiblePending([pending('k1', '同意', 1, 2)], list, ME).map((p) => p.clientKey)).toEqual(['k1']);
    expect(visiblePending([pending('k1', '同意', 1, 1)], list, ME)).toEqual([]);
  });
});

describe('newClientKey', () => {
  it('fits the protocol’s client key format and differs each time', () => {
    const a = newClientKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(newClientKey()).not.toBe(a);
  });
});

describe('room lists', () => {
  const room = (id: string, lastEntryAt: string | null, overrides: Partial<RoomView> = {}): RoomView => ({
    id,
    title: `洽谈 ${id}`,
    stage: 'first_contact',
    matchId: null,
    supply: { id: 'org-s', name: '供给方' },
    demand: { id: 'org-d', name: '需求方' },
    mySide: 'supply',
    lastSeq: 1,
    unread: 0,
    lastReadSeq: 1,
    counterpartReadSeq: 0,
    lastEntryAt,
    createdAt: '2026-05-01T08:00:00.000Z',
    frozen: false,
    mutedUntil: null,
    ...overrides,
  });

  it('orders by latest activity, rooms without any last, then the newest room', () => {
    const list = [room('a', null), room('b', '2026-05-01T09:00:00.000Z'), room('c', '2026-05-01T10:00:00.000Z'), room('d', null, { createdAt: '2026-05-02T08:00:00.000Z' })];
    expect([...list].sort(compareRooms).map((r) => r.id)).toEqual(['c', 'b', 'd', 'a']);
    expect(placeRoom(list, room('a', '2026-05-01T11:00:00.000Z')).map((r) => r.id)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('activity moves the room to the top and counts others’ messages as unread, once', () => {
    const list = [room('a', '2026-05-01T10:00:00.000Z'), room('b', '2026-05-01T09:00:00.000Z')];
    const activity = { roomId: 'b', lastSeq: 2, lastEntryAt: '2026-05-01T11:00:00.000Z', kind: 'message' as const, authorId: THEM, preview: '您好' };
    const next = applyActivity(list, activity, ME)!;
    expect(next.map((r) => [r.id, r.unread, r.lastSeq])).toEqual([
      ['b', 1, 2],
      ['a', 0, 1],
    ]);
    // The same activity again (or an older one) changes nothing.
    expect(applyActivity(next, activity, ME)).toBe(next);
    // Own messages and system entries are not unread.
    const own = applyActivity(next, { ...activity, lastSeq: 3, authorId: ME }, ME)!;
    expect(own.find((r) => r.id === 'b')!.unread).toBe(1);
    const stage = applyActivity(own, { ...activity, lastSeq: 4, kind: 'stage' }, ME)!;
    expect(stage.find((r) => r.id === 'b')).toMatchObject({ unread: 1, lastSeq: 4 });
  });

  it('activity for a room the list does not have asks the caller to fetch it', () => {
    expect(applyActivity([room('a', null)], { roomId: 'z', lastSeq: 1, lastEntryAt: '2026-05-01T11:00:00.000Z', kind: 'opened', authorId: null, preview: '' }, ME)).toBeNull();
  });

  it('a room update keeps the viewer’s own fields', () => {
    const mine = room('a', null, { unread: 3, lastReadSeq: 7, mySide: 'demand', mutedUntil: '2026-05-01T12:00:00.000Z' });
    const { unread: _u, lastReadSeq: _l, mySide: _s, mutedUntil: _m, ...update } = room('a', null, { stage: 'intent', frozen: true });
    expect(updateRoom(mine, update)).toMatchObject({ stage: 'intent', frozen: true, unread: 3, lastReadSeq: 7, mySide: 'demand', mutedUntil: '2026-05-01T12:00:00.000Z' });
  });

  it('a mute lapses on its own', () => {
    const until = '2026-05-01T12:00:00.000Z';
    expect(isMuted({ mutedUntil: until }, Date.parse(until) - 1)).toBe(true);
    expect(isMuted({ mutedUntil: until }, Date.parse(until))).toBe(false);
    expect(isMuted({ mutedUntil: null }, 0)).toBe(false);
  });
});

describe('typing', () => {
  it('shows others typing until they stop or the signal lapses', () => {
    let state = setTyping(new Map(), { id: THEM, name: '王经理' }, true, 1000);
    state = setTyping(state, { id: ME, name: '我' }, true, 1000);
    expect(typingNames(state, 1000, ME)).toEqual(['王经理']);
    expect(typingNames(state, 1000 + TYPING_SHOW_MS, ME)).toEqual([]);
    expect(typingNames(setTyping(state, { id: THEM, name: '王经理' }, false, 2000), 2000, ME)).toEqual([]);
  });

  it('is sent again only after the throttle interval', () => {
    expect(shouldSendTyping(0, 10_000)).toBe(true);
    expect(shouldSendTyping(10_000, 11_000)).toBe(false);
    expect(shouldSendTyping(10_000, 12_500)).toBe(true);
  });
});
