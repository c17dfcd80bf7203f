import { createDb, verifyEvidence, type Db } from '@hub/db';
import type { JobQueue } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../server/test/harness.ts';
import { buildListingRows, buildOrganizationRow, chinaDay } from '../../../server/test/listing-factory.ts';
import { expireListings } from './expire-listings.ts';
import type { ProcessorDeps } from './index.ts';

let db: Db;
let cleanup: () => Promise<void>;
const added: { name: string; data: unknown; opts: Record<string, unknown> }[] = [];
const emitted: { room: string; event: string; payload: unknown }[] = [];
let deps: ProcessorDeps;

beforeAll(async () => {
  const services = await createTestServices();
  cleanup = services.cleanup;
  db = createDb(services.urls.databaseUrl, { max: 4 });
  const queue: JobQueue = { addBulk: async (jobs) => void added.push(...jobs) };
  const broadcast = { to: (room: string, event: string, payload: unknown) => void emitted.push({ room, event, payload }) } as ProcessorDeps['broadcast'];
  deps = { db, broadcast, queue, bull: undefined as never, matches: undefined as never, search: undefined as never, checkpoints: undefined as never };
});
afterAll(async () => {
  await db.$disconnect();
  await cleanup();
});

describe('expire-listings', () => {
  it('expires listings past their date, warns those within 7 days, once', async () => {
    const { organization, members } = await buildOrganizationRow(db, { members: 2 });
    const past = await buildListingRows(db, { organizationId: organization.id, title: '过期的储能电站热管理技术' });
    await db.listing.update({ where: { id: past.listing.id }, data: { validUntil: new Date(Date.now() - 60_000) } });
    const soon = await buildListingRows(db, { organizationId: organization.id, title: '即将到期的光伏清洗机器人', validUntil: chinaDay(3) });
    const later = await buildListingRows(db, { organizationId: organization.id, title: '长期有效的工业视觉检测', validUntil: chinaDay(60) });
    const draft = await buildListingRows(db, { organizationId: organization.id, status: 'pending', validUntil: chinaDay(2) });

    const first = await expireListings(deps, {});
    expect(first).toEqual({ expired: 1, warned: 1 });

    const expired = await db.listing.findUniqueOrThrow({ where: { id: past.listing.id } });
    expect(expired).toMatchObject({ status: 'expired', statusReason: null, revision: past.listing.revision + 1 });
    const warned = await db.listing.findUniqueOrThrow({ where: { id: soon.listing.id } });
    expect(warned.status).toBe('published');
    expect(warned.expiryWarnedAt).not.toBeNull();
    expect((await db.listing.findUniqueOrThrow({ where: { id: later.listing.id } })).expiryWarnedAt).toBeNull();
    expect((await db.listing.findUniqueOrThrow({ where: { id: draft.listing.id } })).expiryWarnedAt).toBeNull();

    const evidence = await db.evidenceEntry.findMany({ where: { subjectId: past.listing.id } });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ kind: 'listing.expired', subjectType: 'listing', actorId: null });
    expect((await verifyEvidence(db, null)).ok).toBe(true);

    const notifications = await db.notification.findMany({ where: { userId: { in: members.map((m) => m.id) } } });
    expect(notifications.filter((n) => n.kind === 'listing.expired')).toHaveLength(2);
    expect(notifications.filter((n) => n.kind === 'listing.expiring')).toHaveLength(2);
    expect(notifications.find((n) => n.kind === 'listing.expired')!.data).toMatchObject({ listingId: past.listing.id, title: '过期的储能电站热管理技术' });

    expect(emitted).toEqual([
      { room: `org:${organization.id}`, event: 'listing:reviewed', payload: expect.objectContaining({ listingId: past.listing.id, status: 'expired', reason: null }) },
    ]);
    expect(added.filter((j) => j.name === 'index-listing')).toEqual([
      expect.objectContaining({ data: { listingId: past.listing.id, revision: expired.revision }, opts: expect.objectContaining({ jobId: `index-listing-${past.listing.id}-${expired.revision}` }) }),
    ]);
    const deliveries = added.filter((j) => j.name === 'deliver-notification').map((j) => (j.data as { notificationId: string }).notificationId);
    expect(deliveries.sort()).toEqual(notifications.map((n) => n.id).sort());

    // Idempotent: a rerun finds nothing to do and writes nothing.
    const jobsBefore = added.length;
    expect(await expireListings(deps, {})).toEqual({ expired: 0, warned: 0 });
    expect(await db.notification.count({ where: { userId: { in: members.map((m) => m.id) } } })).toBe(4);
    expect(await db.evidenceEntry.count({ where: { subjectId: past.listing.id } })).toBe(1);
    expect(added.length).toBe(jobsBefore);
    expect(emitted).toHaveLength(1);
  });
});
