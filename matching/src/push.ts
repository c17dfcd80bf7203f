import type { Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import {
  ALL_STAFF_ROOMS,
  enqueue,
  presenceKey,
  socketRoom,
  type Broadcaster,
  type JobQueue,
  type MatchActivity,
  type NotificationKind,
} from '@hub/protocol';
import type { Redis } from 'ioredis';
import { MATCH_INCLUDE, matchActivity, presentMatch, sideOf, type MatchRow } from './present.ts';
import type { Retraction } from './store.ts';

export interface MatchPushDeps {
  db: Db;
  redis: Redis;
  redisPrefix: string;
  broadcast: Broadcaster;
  queue: JobQueue;
  pushesPerMinute: number;
  log?: Logger;
}

const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/**
 * Match pushes to people (匹配推送). Every member of both organisations hears of a new or improved
 * match: over their sockets when online, as a stored notification when not. Nobody gets more than
 * `pushesPerMinute` of them in a minute; the rest wait in a per-user list for that minute's digest
 * (one message, one notification). Staff consoles get every change, unthrottled.
 */
export class MatchPusher {
  constructor(private readonly deps: MatchPushDeps) {}

  /** Announces new (`match:new`) or changed (`match:updated`) matches to both parties and to staff. */
  async announce(matchIds: string[], event: 'match:new' | 'match:updated', activity: MatchActivity['event'] = event === 'match:new' ? 'created' : 'updated') {
    if (!matchIds.length) return;
    const rows = await this.deps.db.match.findMany({ where: { id: { in: matchIds } }, include: MATCH_INCLUDE });
    const members = await this.membersOf(rows.flatMap((r) => [r.supplyOrganizationId, r.demandOrganizationId]));
    const now = Date.now();
    const notifications: { userId: string; kind: NotificationKind; data: object }[] = [];
    for (const row of rows) {
      this.toStaff(row, activity);
      for (const organizationId of [row.supplyOrganizationId, row.demandOrganizationId]) {
        const view = presentMatch(row, { organizationId, staff: false });
        for (const userId of members.get(organizationId) ?? []) {
          if (!(await this.withinLimit(userId, row.id, now))) continue;
          if (await this.isOnline(userId, now)) this.deps.broadcast.to(socketRoom.user(userId), event, view);
          else notifications.push({ userId, kind: 'match.new', data: matchNotice(row, organizationId) });
        }
      }
    }
    if (notifications.length) await this.deps.db.notification.createMany({ data: notifications });
  }

  /**
   * Tells both parties of a change they caused themselves (an answer, a confirmation): unthrottled,
   * because each is one person's deliberate act, not a stream.
   */
  async changed(row: MatchRow, activity: MatchActivity['event']) {
    this.toStaff(row, activity);
    for (const organizationId of [row.supplyOrganizationId, row.demandOrganizationId]) {
      this.deps.broadcast.to(socketRoom.organization(organizationId), 'match:updated', presentMatch(row, { organizationId, staff: false }));
    }
  }

  /** Tells both parties (and staff) that matches no longer stand. */
  async retract(retractions: Retraction[]) {
    if (!retractions.length) return;
    const rows = await this.deps.db.match.findMany({ where: { id: { in: retractions.map((r) => r.id) } }, include: MATCH_INCLUDE });
    const reasons = new Map(retractions.map((r) => [r.id, r.reason]));
    for (const row of rows) {
      this.toStaff(row, 'retracted');
      const rooms = [socketRoom.organization(row.supplyOrganizationId), socketRoom.organization(row.demandOrganizationId)];
      this.deps.broadcast.to(rooms, 'match:retracted', { id: row.id, reason: reasons.get(row.id)! });
    }
  }

  /** Sends one user the digest of a minute's pushes that went over the limit. */
  async digest(userId: string, minute: number) {
    const key = this.digestKey(userId, minute);
    const [[, ids]] = (await this.deps.redis.multi().lrange(key, 0, -1).del(key).exec()) as [[Error | null, string[]], unknown];
    if (!ids?.length) return { count: 0 };
    const rows = await this.deps.db.match.findMany({
      where: { id: { in: [...new Set(ids)] }, status: { in: ['open', 'confirmed'] } },
      include: MATCH_INCLUDE,
      orderBy: { score: 'desc' },
    });
    if (!rows.length) return { count: 0 };
    const user = await this.deps.db.user.findUnique({ where: { id: userId }, select: { organizationId: true } });
    const topTitles = rows.slice(0, 3).map((r) => counterpartTitle(r, user?.organizationId ?? null));
    const digest = { count: rows.length, since: new Date(minute * 60_000).toISOString(), topTitles };
    this.deps.broadcast.to(socketRoom.user(userId), 'match:digest', digest);
    const { id } = await this.deps.db.notification.create({ data: { userId, kind: 'match.digest', data: digest } });
    await enqueue(this.deps.queue, 'deliver-notification', [{ notificationId: id }]);
    return { count: rows.length };
  }

  private toStaff(row: MatchRow, event: MatchActivity['event']) {
    this.deps.broadcast.to(ALL_STAFF_ROOMS, 'console:match', matchActivity(row, event));
  }

  private async membersOf(organizationIds: string[]): Promise<Map<string, string[]>> {
    const users = await this.deps.db.user.findMany({ where: { organizationId: { in: [...new Set(organizationIds)] } }, select: { id: true, organizationId: true } });
    const members = new Map<string, string[]>();
    for (const u of users) members.set(u.organizationId!, [...(members.get(u.organizationId!) ?? []), u.id]);
    return members;
  }

  private digestKey(userId: string, minute: number) {
    return `${this.deps.redisPrefix}:match-digest:${userId}:${minute}`;
  }

  /** Counts the push against this minute's allowance; over it, queues the match for the minute's digest. */
  private async withinLimit(userId: string, matchId: string, now: number): Promise<boolean> {
    const minute = minuteOf(now);
    const counter = `${this.deps.redisPrefix}:match-pushes:${userId}:${minute}`;
    const [[, count]] = (await this.deps.redis.multi().incr(counter).expire(counter, 120).exec()) as [[Error | null, number], unknown];
    if (count <= this.deps.pushesPerMinute) return true;
    const key = this.digestKey(userId, minute);
    await this.deps.redis.multi().rpush(key, matchId).expire(key, 3600).exec();
    // One digest job per user and minute (its id collapses repeats), due just after the minute ends.
    await enqueue(this.deps.queue, 'match-digest', [{ userId, minute }], { delay: Math.max(0, (minute + 1) * 60_000 - now + 500) });
    return false;
  }

  private async isOnline(userId: string, now: number): Promise<boolean> {
    return (await this.deps.redis.zcount(presenceKey(this.deps.redisPrefix, userId), now, '+inf')) > 0;
  }
}

function counterpartTitle(row: MatchRow, organizationId: string | null): string {
  const listing = sideOf(row, organizationId) === 'supply' ? row.demandListing : row.supplyListing;
  return listing.publishedVersion?.title ?? '';
}

/** What a stored `match.new` notification carries: enough to show and link it. */
function matchNotice(row: MatchRow, organizationId: string) {
  return { matchId: row.id, title: counterpartTitle(row, organizationId), score: row.score };
}
