import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../server/test/harness.ts';
import { DEMO_ACCOUNTS, DEMO_STAFF } from './demo-accounts.ts';
import { verifyEvidence } from './evidence.ts';
import { createDb, type Db } from './index.ts';
import { seedDemo } from './seed.ts';

let db: Db;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const services = await createTestServices();
  db = createDb(services.urls.databaseUrl);
  cleanup = services.cleanup;
});
afterAll(async () => {
  await db.$disconnect();
  await cleanup();
});

const snapshot = async () => ({
  organizations: await db.organization.count(),
  users: await db.user.count(),
  reviews: await db.organizationReview.count(),
  evidence: await db.evidenceEntry.count(),
});

describe('demo seed', () => {
  it('creates one staff member per role and organisations in every review state, with a valid evidence chain', async () => {
    const progress: string[] = [];
    const { created } = await seedDemo(db, (msg) => progress.push(msg));
    expect(created).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatch(/^seed organizations (\d+)\/\1$/);
    for (const staff of DEMO_STAFF) {
      expect((await db.user.findUniqueOrThrow({ where: { email: staff.email } })).staffRole).toBe(staff.role);
    }
    const statuses = new Set((await db.organization.findMany({ select: { status: true } })).map((o) => o.status));
    expect([...statuses].sort()).toEqual(['approved', 'pending', 'rejected']);
    for (const account of DEMO_ACCOUNTS) expect(await db.user.count({ where: { email: account.email } })).toBe(1);
    expect(await verifyEvidence(db)).toMatchObject({ ok: true });
  });

  it('is idempotent: a second run creates nothing', async () => {
    const before = await snapshot();
    expect(await seedDemo(db, () => {})).toEqual({ created: 0 });
    expect(await snapshot()).toEqual(before);
  });
});
