import type { Db } from '@hub/db';
import type { Logger } from '@hub/platform';
import { presenceKey } from '@hub/platform/realtime';
import {
  ALL_STAFF_ROOMS,
  enqueue,
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
  broadcast: Pick<Broadcaster, 'to'>;
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
    // Every push, in order; all counted against their users' allowance, and who is online read, in one
    // round trip each (a listing's run announces up to 20 matches to both parties: 80 round trips otherwise).
    const pushes = rows.flatMap((row) =>
      [row.supplyOrganizationId, row.demandOrganizationId].flatMap((organizationId) => (members.get(organizationId) ?? []).map((userId) => ({ row, organizationId, userId }))),
    );
    const [counts, online] = await Promise.all([this.countPushes(pushes.map((p) => p.userId), now), this.onlineUsers(pushes.map((p) => p.userId), now)]);
    const notifications: { userId: string; kind: NotificationKind; data: object }[] = [];
    let next = 0;
    for (const row of rows) {
      this.toStaff(row, activity);
      for (const organizationId of [row.supplyOrganizationId, row.demandOrganizationId]) {
        const view = presentMatch(row, { organizationId, staff: false });
        for (const userId of members.get(organizationId) ?? []) {
          if (counts[next++]! > this.deps.pushesPerMinute) {
            await this.toDigest(userId, row.id, now);
            continue;
          }
          if (online.has(userId)) this.deps.broadcast.to(socketRoom.user(userId), event, view);
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

  /** Counts each push (one per entry, in order) against its user's allowance for this minute; returns the counts. */
  private async countPushes(userIds: string[], now: number): Promise<number[]> {
    if (!userIds.length) return [];
    const minute = minuteOf(now);
    const multi = this.deps.redis.multi();
    for (const userId of userIds) {
      const counter = `${this.deps.redisPrefix}:match-pushes:${userId}:${minute}`;
      multi.incr(counter).expire(counter, 120);
    }
    const results = (await multi.exec()) ?? [];
    return userIds.map((_, i) => {
      const [error, count] = results[2 * i] ?? [new Error('no reply')];
      if (error) throw error;
      return count as number;
    });
  }

  /** A push over the minute's allowance: queues the match for the minute's digest. */
  private async toDigest(userId: string, matchId: string, now: number) {
    const minute = minuteOf(now);
    const key = this.digestKey(userId, minute);
    await this.deps.redis.multi().rpush(key, matchId).expire(key, 3600).exec();
    // One digest job per user and minute (its id collapses repeats), due just after the minute ends.
    await enqueue(this.deps.queue, 'match-digest', [{ userId, minute }], { delay: Math.max(0, (minute + 1) * 60_000 - now + 500) });
  }

  /** The users among these with a live socket. */
  private async onlineUsers(userIds: string[], now: number): Promise<Set<string>> {
    const users = [...new Set(userIds)];
    if (!users.length) return new Set();
    const pipeline = this.deps.redis.pipeline();
    for (const userId of users) pipeline.zcount(presenceKey(this.deps.redisPrefix, userId), now, '+inf');
    const results = (await pipeline.exec()) ?? [];
    return new Set(users.filter((_, i) => {
      const [error, count] = results[i] ?? [new Error('no reply')];
      if (error) throw error;
      return (count as number) > 0;
    }));
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
