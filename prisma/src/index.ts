import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/client/client.ts';

export * from '../generated/client/client.ts';
export * from './evidence.ts';
export * from './notifications.ts';

export type Db = PrismaClient;

/** A Prisma client on the Postgres driver adapter. */
export function createDb(databaseUrl: string, options: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.max ?? 10 });
  return new PrismaClient({ adapter });
}
