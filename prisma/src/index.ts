import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/client/client.ts';

export * from '../generated/client/client.ts';
export * from './checkpoints.ts';
export * from './evidence.ts';
export * from './notifications.ts';

export type Db = PrismaClient;

/**
 * A raw query on a hot path starts with its statement's name, `/* prepared: room_append *\/`: the
 * driver then prepares it once per connection and Postgres stops planning it on every call (for a
 * room message, planning cost more than running the statements). Other queries stay unnamed.
 */
const PREPARED = /^\s*\/\* prepared: ([a-z_]+) \*\//;

/** A Prisma client on the Postgres driver adapter. */
export function createDb(databaseUrl: string, options: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: options.max ?? 10 },
    { statementNameGenerator: (query) => PREPARED.exec(query.sql)?.[1] ?? '' },
  );
  return new PrismaClient({ adapter });
}
