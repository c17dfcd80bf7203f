import type { NotificationView } from '@hub/protocol';
import { describe, expect, it } from 'vitest';
import { notificationHref, notificationText } from './labels.ts';

const notification = (kind: NotificationView['kind'], data: Record<string, unknown>): NotificationView => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind,
  data,
  createdAt: '2026-05-01T08:00:00.000Z',
  readAt: null,
});
const MATCH_ID = '6f1c1b0e-4a8e-4a51-9a57-6b3c2f0d9e11';

describe('match notifications', () => {
  it('say what happened, in the default locale', () => {
    expect(notificationText(notification('match.new', { matchId: MATCH_ID, title: '储能电池包热失控监测', score: 86.4 }))).toBe(
      '新匹配：《储能电池包热失控监测》，匹配度 86。',
    );
    expect(notificationText(notification('match.digest', { count: 12, since: '2026-05-01T08:00:00.000Z', topTitles: ['甲', '乙'] }))).toBe(
      '您有 12 条新匹配，包括：《甲》、《乙》。',
    );
    expect(notificationText(notification('match.digest', { count: 3, topTitles: [] }))).toBe('您有 3 条新匹配。');
    expect(notificationText(notification('match.confirmed', { matchId: MATCH_ID, roomId: 'r', title: '储能方案' }))).toBe('《储能方案》的匹配已确认，洽谈室已开启。');
    expect(notificationText(notification('room.opened', { roomId: 'r', title: '储能方案' }))).toBe('洽谈室已开启：《储能方案》。');
  });

  it('say when staff opened a room, or invited the reader as a broker, and lead to the room', () => {
    expect(notificationText(notification('room.opened', { roomId: 'r', title: '储能方案', byStaff: true }))).toBe('平台为贵机构开启了洽谈室：《储能方案》。');
    expect(notificationText(notification('room.invited', { roomId: 'r', title: '储能方案', side: 'demand', invitedBy: '李明' }))).toBe(
      '您受需方邀请，作为技术经纪人参与洽谈：《储能方案》。',
    );
    expect(notificationText(notification('room.invited', { roomId: 'r', title: '储能方案' }))).toBe('您被邀请作为技术经纪人参与洽谈：《储能方案》。');
    expect(notificationHref(notification('room.invited', { roomId: 'r', title: '储能方案', side: 'supply' }))).toBe('/rooms/r');
    expect(notificationHref(notification('room.invited', {}))).toBeNull();
  });

  it('lead to the match, or to the inbox for a digest; a room to its page (or its match when only that is known)', () => {
    expect(notificationHref(notification('match.new', { matchId: MATCH_ID }))).toBe(`/matches/${MATCH_ID}`);
    expect(notificationHref(notification('match.confirmed', { matchId: MATCH_ID, roomId: 'r' }))).toBe(`/matches/${MATCH_ID}`);
    expect(notificationHref(notification('match.digest', { count: 2 }))).toBe('/matches');
    expect(notificationHref(notification('room.opened', { roomId: 'r', matchId: MATCH_ID }))).toBe('/rooms/r');
    expect(notificationHref(notification('room.opened', { matchId: MATCH_ID }))).toBe(`/matches/${MATCH_ID}`);
    expect(notificationHref(notification('room.opened', {}))).toBeNull();
    expect(notificationHref(notification('listing.expired', { listingId: 'abc' }))).toBe('/listings/abc/manage');
    expect(notificationHref(notification('organization.approved', {}))).toBeNull();
  });
});
