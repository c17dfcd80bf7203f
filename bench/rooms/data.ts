import type { Config } from '@hub/platform';
import { SESSION_COOKIE } from '@hub/protocol';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { DEMO_ORGANIZATION_SEED, demoUuid, generateDemoOrganizations, mulberry32 } from '../../prisma/src/demo/index.ts';
import { SessionStore } from '../../server/src/auth/sessions.ts';
import { inBatches, insertRows, loadPostgres } from '../search/load.ts';

/** Clients per room: two members of the supplying organisation and two of the demanding one. */
export const CLIENTS_PER_ROOM = 4;

/** A room and the session cookies of its four members, in slot order supply 0, demand 0, supply 1, demand 1. */
export interface BenchRoom {
  id: string;
  index: number;
  cookies: string[];
}

/**
 * `count` rooms, each between two approved organisations of its own (the demo generator's), with two
 * members per side, each signed in: a session written to Redis as a login would write it (the login
 * route's rate limit is not what this benchmark measures).
 */
export async function createRooms(db: pg.Pool, redis: Redis, config: Config, count: number): Promise<BenchRoom[]> {
  const organizations = generateDemoOrganizations(2 * count, mulberry32(DEMO_ORGANIZATION_SEED));
  const organizationIds = organizations.map((o) => demoUuid(`bench-rooms-org:${o.key}`));
  const loader = demoUuid('bench-rooms-loader');
  await loadPostgres(db, { organizations, organizationIds, userId: loader, listings: [], listingIds: [] });
  // The loader's own user would be a third member of the first organisation.
  await db.query('UPDATE "User" SET "organizationId" = NULL WHERE id = $1', [loader]);

  const rooms = Array.from({ length: count }, (_, index) => ({
    index,
    id: demoUuid(`bench-rooms-room:${index}`),
    supply: organizationIds[2 * index]!,
    demand: organizationIds[2 * index + 1]!,
  }));
  const members = rooms.flatMap((room) =>
    [room.supply, room.demand, room.supply, room.demand].map((organizationId, slot) => ({
      room,
      slot,
      organizationId,
      userId: demoUuid(`bench-rooms-member:${room.index}:${slot}`),
      email: `room-${room.index}-${slot}@bench.invalid`,
    })));
  const now = new Date();
  await inBatches(members, (batch) => insertRows(db, '"User"', ['id', 'email', 'name', 'passwordHash', 'organizationId', 'createdAt', 'updatedAt'],
    batch.map((m) => [m.userId, m.email, `成员${m.room.index + 1}-${m.slot + 1}`, '!bench-no-login', m.organizationId, now, now])));
  await inBatches(rooms, (batch) => insertRows(db, '"NegotiationRoom"', ['id', 'supplyOrganizationId', 'demandOrganizationId', 'title'],
    batch.map((r) => [r.id, r.supply, r.demand, `基准洽谈室 ${r.index + 1}`])));
  await db.query('ANALYZE "User", "NegotiationRoom"');

  const sessions = new SessionStore(redis, config);
  const cookies = new Map<string, string>();
  await inBatches(members, async ([m]) => void cookies.set(m!.userId, `${SESSION_COOKIE}=${await sessions.create(m!.userId)}`), 1, 50);
  return rooms.map((room) => ({
    id: room.id,
    index: room.index,
    cookies: members.slice(CLIENTS_PER_ROOM * room.index, CLIENTS_PER_ROOM * (room.index + 1)).map((m) => cookies.get(m.userId)!),
  }));
}
