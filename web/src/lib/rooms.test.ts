import type { RoomEntryView, RoomParticipantView, RoomView } from '@hub/protocol';
import { describe, expect, it } from 'vitest';
import {
  applyActivity,
  canWrite,
  closedFrom,
  compareRooms,
  heldThrough,
  hideEntry,
  isMuted,
  mergeEntries,
  newClientKey,
  nextStage,
  offerFacts,
  openedFacts,
  participantAction,
  participantFacts,
  type PendingMessage,
  placeRoom,
  presenceLabel,
  setTyping,
  shouldSendTyping,
  stageMove,
  stageProposalFacts,
  stepState,
  TYPING_SHOW_MS,
  typingNames,
  typingUsers,
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

  it('a proposal about a stage that binds both sides is not a move: the stage stays until the move confirming it', () => {
    const proposed = entry(2, { kind: 'stage', data: { action: 'proposed', from: 'evaluation', to: 'intent', side: 'supply' } });
    const declined = entry(3, { kind: 'stage', data: { action: 'declined', to: 'intent', side: 'demand', proposalSeq: 2 } });
    const confirmed = entry(5, { kind: 'stage', data: { from: 'evaluation', to: 'intent', side: 'demand', confirms: 4 } });
    expect([stageMove(proposed), stageMove(declined)]).toEqual([null, null]);
    expect(stageProposalFacts(proposed)).toEqual({ action: 'proposed', to: 'intent' });
    expect(stageProposalFacts(declined)).toEqual({ action: 'declined', to: 'intent' });
    expect(stageMove(confirmed)).toEqual({ from: 'evaluation', to: 'intent' });
    expect(stageProposalFacts(confirmed)).toBeNull();
    expect(stageProposalFacts(entry(6, { kind: 'stage', data: { action: 'proposed', to: 'evaluation' } }))).toBeNull();
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

  it('a hidden file loses its name and hash for the parties, not for staff', () => {
    const file = { id: 'f1', name: '报价单.pdf', mime: 'application/pdf', size: 1024, sha256: 'ab'.repeat(32) };
    const record = [entry(1), entry(2, { kind: 'file', body: '', data: { file } })];
    expect(hideEntry(record, event, false)[1]!.data).toEqual({});
    expect(hideEntry(record, event, true)[1]!.data).toEqual({ file });
  });
});

describe('unreadDividerSeq', () => {
  it('sits before the first message from someone else after the last read one', () => {
    const record = [entry(1), entry(2, { author: { id: ME, name: '我', organizationId: 'org-me' } }), entry(3, { kind: 'stage', author: { id: THEM, name: '对方', organizationId: 'org-them' } }), entry(4)];
    expect(unreadDividerSeq(record, 1, ME)).toBe(4);
    expect(unreadDividerSeq(record, 0, ME)).toBe(1);
    expect(unreadDividerSeq(record, 4, ME)).toBeNull();
  });

  it('counts a file from someone else like a message', () => {
    const record = [entry(1), entry(2, { kind: 'file', body: '' })];
    expect(unreadDividerSeq(record, 1, ME)).toBe(2);
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
    myRole: 'party',
    participants: [],
    lastSeq: 1,
    unread: 0,
    lastReadSeq: 1,
    counterpartReadSeq: 0,
    lastEntryAt,
    createdAt: '2026-05-01T08:00:00.000Z',
    stageProposal: null,
    frozen: false,
    frozenReason: null,
    fileMaxBytes: 20 * 1024 * 1024,
    muted: null,
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
    // A file from the other side is unread like a message.
    const file = applyActivity(stage, { ...activity, lastSeq: 5, kind: 'file', preview: '[附件] 报价单.pdf' }, ME)!;
    expect(file.find((r) => r.id === 'b')).toMatchObject({ unread: 2, lastSeq: 5 });
  });

  it('activity for a room the list does not have asks the caller to fetch it', () => {
    expect(applyActivity([room('a', null)], { roomId: 'z', lastSeq: 1, lastEntryAt: '2026-05-01T11:00:00.000Z', kind: 'opened', authorId: null, preview: '' }, ME)).toBeNull();
  });

  it('a room update keeps the viewer’s own fields', () => {
    const muted = { until: '2026-05-01T12:00:00.000Z', reason: '刷屏' };
    const mine = room('a', null, { unread: 3, lastReadSeq: 7, counterpartReadSeq: 5, mySide: 'demand', myRole: 'party', muted });
    const broker = participant({ side: 'demand' });
    const {
      unread: _u,
      lastReadSeq: _l,
      counterpartReadSeq: _c,
      mySide: _s,
      myRole: _r,
      muted: _m,
      ...update
    } = room('a', null, { stage: 'intent', frozen: true, frozenReason: '争议', participants: [broker] });
    expect(updateRoom(mine, update)).toEqual({
      ...mine,
      stage: 'intent',
      frozen: true,
      frozenReason: '争议',
      participants: [broker],
    });
  });

  it('a mute lapses on its own', () => {
    const muted = { until: '2026-05-01T12:00:00.000Z', reason: '刷屏' };
    expect(isMuted({ muted }, Date.parse(muted.until) - 1)).toBe(true);
    expect(isMuted({ muted }, Date.parse(muted.until))).toBe(false);
    expect(isMuted({ muted: null }, 0)).toBe(false);
  });
});

function participant(overrides: Partial<RoomParticipantView> = {}): RoomParticipantView {
  return {
    user: { id: 'user-broker', name: '张三' },
    organization: { id: 'org-agency', name: '某某技术转移中心' },
    role: 'broker',
    side: 'demand',
    invitedBy: { id: ME, name: '我' },
    joinedAt: '2026-05-01T08:00:00.000Z',
    ...overrides,
  };
}

describe('participants', () => {
  const parties = { supply: { id: 'org-s', name: '供给方大学' }, demand: { id: 'org-d', name: '需求方公司' } };

  it('everyone writes but observing staff', () => {
    expect(canWrite('party')).toBe(true);
    expect(canWrite('broker')).toBe(true);
    expect(canWrite('staff')).toBe(true);
    expect(canWrite('observer')).toBe(false);
  });

  it('a broker or staff member leaves by themselves; only the side that invited a broker removes them', () => {
    const broker = participant({ side: 'demand' });
    expect(participantAction({ myRole: 'broker', mySide: null }, broker, 'user-broker')).toBe('leave');
    expect(participantAction({ myRole: 'party', mySide: 'demand' }, broker, ME)).toBe('remove');
    expect(participantAction({ myRole: 'party', mySide: 'supply' }, broker, ME)).toBeNull();
    expect(participantAction({ myRole: 'staff', mySide: null }, broker, 'user-staff')).toBeNull();
    const staff = participant({ user: { id: 'user-staff', name: '王五' }, organization: null, role: 'staff', side: null });
    expect(participantAction({ myRole: 'party', mySide: 'demand' }, staff, ME)).toBeNull();
    expect(participantAction({ myRole: 'staff', mySide: null }, staff, 'user-staff')).toBe('leave');
    expect(participantAction({ myRole: 'observer', mySide: null }, broker, undefined)).toBeNull();
  });

  it('describes who is online: party members by organisation, brokers with their agency, staff as staff', () => {
    const room = { ...parties, participants: [participant()] };
    expect(presenceLabel(room, { id: THEM, name: '李经理', organizationId: 'org-d', role: 'party' })).toEqual({ kind: 'party', organization: '需求方公司' });
    expect(presenceLabel(room, { id: 'x', name: '钱七', organizationId: 'org-s', role: 'party' })).toEqual({ kind: 'party', organization: '供给方大学' });
    expect(presenceLabel(room, { id: 'user-broker', name: '张三', organizationId: 'org-agency', role: 'broker' })).toEqual({
      kind: 'broker',
      organization: '某某技术转移中心',
    });
    expect(presenceLabel(room, { id: 'user-new', name: '孙八', organizationId: 'org-agency', role: 'broker' })).toEqual({ kind: 'broker', organization: null });
    expect(presenceLabel(room, { id: 'user-staff', name: '王五', organizationId: null, role: 'staff' })).toEqual({ kind: 'staff' });
  });
});

describe('system line facts', () => {
  it('read a participant entry, refusing one without an action or role', () => {
    const broker = { action: 'joined', userId: 'u', name: '张三', organizationName: '某某技术转移中心', role: 'broker', side: 'demand', note: '协助评估' };
    expect(participantFacts(entry(1, { kind: 'participant', data: broker }))).toEqual({
      action: 'joined',
      userId: 'u',
      name: '张三',
      organization: '某某技术转移中心',
      role: 'broker',
      side: 'demand',
      note: '协助评估',
      reason: null,
    });
    expect(participantFacts(entry(2, { kind: 'participant', data: { action: 'joined', userId: 'u', role: 'staff', side: null, reason: '跟进争议' } }))).toMatchObject({
      role: 'staff',
      side: null,
      reason: '跟进争议',
      note: null,
    });
    expect(participantFacts(entry(3, { kind: 'participant', data: { action: 'left', userId: 'u', role: 'broker', side: 'supply', note: '' } }))).toMatchObject({
      action: 'left',
      note: null,
    });
    expect(participantFacts(entry(4, { kind: 'participant', data: { action: 'waved', role: 'broker' } }))).toBeNull();
    expect(participantFacts(entry(5, { kind: 'participant', data: { action: 'joined', role: 'party' } }))).toBeNull();
  });

  it('tell a lapsed offer from a proposal and a counter', () => {
    expect(offerFacts(entry(1, { kind: 'offer', author: null, data: { action: 'lapsed', offerId: 'o1', version: 2, validUntil: '2026-05-01' } }))).toEqual({
      offerId: 'o1',
      version: 2,
      counter: false,
      lapsed: true,
      validUntil: '2026-05-01',
    });
    expect(offerFacts(entry(2, { kind: 'offer', data: { offerId: 'o2', version: 3, previousId: 'o1' } }))).toMatchObject({ counter: true, lapsed: false, validUntil: null });
  });

  it('tell a room staff opened from one a match opened', () => {
    expect(openedFacts(entry(1, { kind: 'opened', data: { byStaff: true, reason: '路演后对接' } }))).toEqual({ byStaff: true, reason: '路演后对接' });
    expect(openedFacts(entry(1, { kind: 'opened', author: null, data: {} }))).toEqual({ byStaff: false, reason: null });
  });
});

describe('typing', () => {
  it('shows others typing until they stop or the signal lapses', () => {
    let state = setTyping(new Map(), { id: THEM, name: '王经理' }, true, 1000);
    state = setTyping(state, { id: ME, name: '我' }, true, 1000);
    expect(typingNames(state, 1000, ME)).toEqual(['王经理']);
    expect(typingNames(state, 1000 + TYPING_SHOW_MS, ME)).toEqual([]);
    expect(typingNames(setTyping(state, { id: THEM, name: '王经理' }, false, 2000), 2000, ME)).toEqual([]);
    expect(typingUsers(state, 1000, ME)).toEqual([{ id: THEM, name: '王经理' }]);
  });

  it('is sent again only after the throttle interval', () => {
    expect(shouldSendTyping(0, 10_000)).toBe(true);
    expect(shouldSendTyping(10_000, 11_000)).toBe(false);
    expect(shouldSendTyping(10_000, 12_500)).toBe(true);
  });
});
