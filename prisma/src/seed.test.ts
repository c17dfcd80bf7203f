import {
  creditCodeProblem, DEMAND_KINDS, INDUSTRIES, ListingContent, listingContentAt, Maturity, ORGANIZATION_TYPES, patentNumberProblem, sideOfKind, SUPPLY_KINDS,
} from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../server/test/harness.ts';
import { DEMO_ACCOUNTS, DEMO_MEMBERS, DEMO_STAFF } from './demo-accounts.ts';
import { CONFIDENTIAL_TERMS, generateDemoListings, mulberry32, VOCABULARY } from './demo/index.ts';
import { verifyEvidence } from './evidence.ts';
import { createDb, type Db } from './index.ts';
import { DEMO_PUBLISHED_LISTINGS, seedDemo } from './seed.ts';

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
  listings: await db.listing.count(),
  versions: await db.listingVersion.count(),
  evidence: await db.evidenceEntry.count(),
});

describe('demo listing generator', () => {
  it('is deterministic, pure and covers every sub-field vocabulary', () => {
    const now = new Date('2026-11-26T04:00:00Z');
    const a = generateDemoListings(300, mulberry32(7), { now });
    const b = generateDemoListings(300, mulberry32(7), { now });
    expect(b).toEqual(a);
    for (const field of INDUSTRIES) for (const sub of field.subfields) expect(VOCABULARY[sub.code], sub.code).toBeDefined();
    // Checked against the same fixed day the listings were generated for, not the day the test runs.
    const content = listingContentAt(() => now.getTime());
    for (const l of a) expect(content.safeParse(l.content).success, l.content.title).toBe(true);
  });

  it('keeps summaries distinct at benchmark scale', () => {
    const many = generateDemoListings(20_000, mulberry32(1));
    expect(new Set(many.map((l) => l.content.summary)).size).toBe(many.length);
    expect(new Set(many.slice(0, 1000).map((l) => l.content.title)).size).toBe(1000);
  });
});

// Seeding a thousand listings takes seconds, but minutes on a busy CI machine.
describe('demo seed', { timeout: 120_000 }, () => {
  const progress: string[] = [];

  it('creates one staff member per role and organisations in every review state, with a valid evidence chain', async () => {
    const { created } = await seedDemo(db, (msg) => progress.push(msg));
    expect(created).toBeGreaterThan(0);
    expect(progress).toContainEqual(expect.stringMatching(/^seed organizations (\d+)\/\1$/));
    expect(progress.filter((m) => m.startsWith('seed listings')).length).toBeGreaterThanOrEqual(10);
    expect(progress.at(-1)).toMatch(/^seed listings (\d+)\/\1$/);
    for (const staff of DEMO_STAFF) {
      expect((await db.user.findUniqueOrThrow({ where: { email: staff.email } })).staffRole).toBe(staff.role);
    }
    const statuses = new Set((await db.organization.findMany({ select: { status: true } })).map((o) => o.status));
    expect([...statuses].sort()).toEqual(['approved', 'pending', 'rejected']);
    for (const account of DEMO_ACCOUNTS) expect(await db.user.count({ where: { email: account.email } })).toBe(1);
    expect(await verifyEvidence(db, null)).toMatchObject({ ok: true });
  });

  it('publishes over a thousand consistent, varied listings from approved organisations of every type', async () => {
    const listings = await db.listing.findMany({
      where: { status: 'published' },
      include: { publishedVersion: true, organization: { select: { type: true, status: true, creditCode: true } } },
    });
    expect(listings.length).toBeGreaterThanOrEqual(1000);
    expect(listings.length).toBe(DEMO_PUBLISHED_LISTINGS);
    const orgs = new Map(listings.map((l) => [l.organizationId, l.organization]));
    expect(orgs.size).toBeGreaterThanOrEqual(50);
    for (const org of orgs.values()) {
      expect(org.status).toBe('approved');
      expect(creditCodeProblem(org.creditCode)).toBeNull();
    }
    expect(new Set([...orgs.values()].map((o) => o.type))).toEqual(new Set(ORGANIZATION_TYPES));

    const versions = listings.map((l) => {
      const v = l.publishedVersion!;
      expect(v).toMatchObject({ version: 1, status: 'published', listingId: l.id });
      expect(v.submittedAt!.getTime()).toBeLessThan(v.reviewedAt!.getTime());
      expect(v.checklist).toEqual({ no_classified_content: true, true_and_accurate: true, current_and_valid: true });
      expect(l).toMatchObject({ revision: 1, latestVersion: 1 });
      expect(l.validUntil!.toISOString()).toBe(new Date(`${v.validUntil}T23:59:59.999+08:00`).toISOString());
      expect(Date.now() - l.publishedAt!.getTime()).toBeLessThanOrEqual(121 * 86_400_000);
      return { listing: l, v };
    });

    const fields = new Set(versions.flatMap(({ v }) => v.industries.map((c) => c.split('.')[0])));
    expect([...fields].sort()).toEqual(INDUSTRIES.map((f) => f.code).sort());
    const subfields = new Set(versions.flatMap(({ v }) => v.industries.filter((c) => c.includes('.'))));
    expect(subfields.size).toBeGreaterThanOrEqual(Math.ceil(INDUSTRIES.flatMap((f) => f.subfields).length * 0.8));
    expect(new Set(versions.map(({ v }) => v.kind))).toEqual(new Set([...SUPPLY_KINDS, ...DEMAND_KINDS]));
    expect(new Set(versions.map(({ v }) => v.maturity))).toEqual(new Set(Maturity.options));
    expect(new Set(versions.map(({ v }) => v.provinceCode)).size).toBeGreaterThanOrEqual(25);

    const pairs = new Set(versions.map(({ v }) => `${v.title}\u0000${v.summary}`));
    expect(pairs.size).toBe(versions.length);
    expect(new Set(versions.map(({ v }) => v.title)).size).toBe(versions.length);
    expect(new Set(versions.map(({ v }) => v.summary)).size).toBe(versions.length);

    let negotiable = 0;
    let withIp = 0;
    let soon = 0;
    for (const { listing, v } of versions) {
      expect(listing.side).toBe(sideOfKind(v.kind as never));
      expect(v.title.length).toBeLessThanOrEqual(100);
      expect(v.summary.length).toBeGreaterThanOrEqual(60);
      expect(v.summary.length).toBeLessThanOrEqual(400);
      expect(v.details.length).toBeGreaterThanOrEqual(200);
      expect(v.details.length).toBeLessThanOrEqual(800);
      expect(v.title.includes(v.details) || v.summary.includes(v.details)).toBe(false);
      for (const term of CONFIDENTIAL_TERMS) {
        expect(v.title.includes(term) || v.summary.includes(term), `${term} in ${v.title}`).toBe(false);
      }
      expect(v.details).toContain(CONFIDENTIAL_TERMS[0]);
      expect(v.keywords.length).toBeGreaterThanOrEqual(3);
      expect(v.keywords.length).toBeLessThanOrEqual(8);
      expect(v.industries.length).toBeGreaterThanOrEqual(1);
      expect(v.industries.length).toBeLessThanOrEqual(5);
      if (v.priceNegotiable) {
        negotiable += 1;
        expect(v.priceMin).toBeNull();
      } else {
        expect(v.priceMin! <= v.priceMax!).toBe(true);
      }
      const ip = v.ip as { type: string; number: string }[];
      if (ip.length) withIp += 1;
      for (const item of ip) {
        if (item.type === 'software_copyright') expect(item.number).toMatch(/^\d{4}SR\d{6,7}$/);
        else expect(patentNumberProblem(item.number), item.number).toBeNull();
      }
      if (listing.validUntil!.getTime() - Date.now() < 8 * 86_400_000) soon += 1;
      const content = {
        kind: v.kind, title: v.title, summary: v.summary, details: v.details, industries: v.industries, keywords: v.keywords,
        provinceCode: v.provinceCode, cityCode: v.cityCode, maturity: v.maturity, ...(v.trl ? { trl: v.trl } : {}), modes: v.modes,
        price: v.priceNegotiable ? { mode: 'negotiable' } : { mode: 'range', min: Number(v.priceMin), max: Number(v.priceMax) },
        ip: ip.map((i) => ({ type: i.type, number: i.number })), validUntil: v.validUntil,
      };
      const parsed = ListingContent.safeParse(content);
      expect(parsed.success, `${v.title}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
    expect(negotiable / versions.length).toBeGreaterThan(0.1);
    expect(negotiable / versions.length).toBeLessThan(0.3);
    expect(withIp).toBeGreaterThan(50);
    expect(soon).toBeGreaterThan(5);

    const reviewed = await db.evidenceEntry.count({ where: { kind: 'listing.reviewed', subjectId: { in: listings.map((l) => l.id) } } });
    expect(reviewed).toBe(listings.length);
  });

  it('contains meaningful supply/demand pairs in the same sub-field', async () => {
    const demand = await db.listingVersion.findFirstOrThrow({ where: { title: '动力电池热失控早期预警技术需求', status: 'published' } });
    const supply = await db.listingVersion.findFirstOrThrow({ where: { title: '锂电池热失控多参数融合预警技术', status: 'published' } });
    expect(demand.industries[0]).toBe(supply.industries[0]);
    expect(demand.priceMin! <= supply.priceMax! && supply.priceMin! <= demand.priceMax!).toBe(true);
    expect(demand.modes.some((m) => supply.modes.includes(m))).toBe(true);
  });

  it('gives the demo members listings in every other state', async () => {
    const members = await db.user.findMany({ where: { email: { in: DEMO_MEMBERS.slice(0, 2).map((m) => m.email) } }, select: { organizationId: true } });
    const own = await db.listing.findMany({
      where: { organizationId: { in: members.map((m) => m.organizationId!) }, status: { not: 'published' } },
      include: { versions: true },
    });
    const count = (status: string) => own.filter((l) => l.status === status).length;
    expect([count('pending'), count('rejected'), count('draft')]).toEqual([10, 5, 3]);
    for (const l of own) {
      expect(l.publishedVersionId).toBeNull();
      expect(l.versions[0]!.status).toBe(l.status);
      if (l.status === 'rejected') expect(l.statusReason).toBe(l.versions[0]!.reviewReason);
      if (l.status === 'pending') expect(l.versions[0]!.submittedAt).not.toBeNull();
    }
    expect(new Set(own.map((l) => l.organizationId)).size).toBe(2);
  });

  it('is idempotent: a second run creates nothing', async () => {
    const before = await snapshot();
    expect(await seedDemo(db, () => {})).toEqual({ created: 0 });
    expect(await snapshot()).toEqual(before);
    expect(await verifyEvidence(db, null)).toMatchObject({ ok: true });
  });
});
