import { createLogger, hashPassword, loadConfig, requireServiceUrls } from '@hub/platform';
import { creditCodeCheckCharacter, type OrganizationApplication } from '@hub/protocol';
import { createDb, type Db } from './index.ts';
import { appendEvidence } from './evidence.ts';
import { DEMO_MEMBERS, DEMO_PASSWORD, DEMO_STAFF } from './demo-accounts.ts';
import { DEMO_LISTING_SEED, DEMO_ORGANIZATION_SEED, generateDemoListings, type DemoListing } from './demo/listings.ts';
import { generateDemoOrganizations } from './demo/organizations.ts';
import { mulberry32 } from './demo/rng.ts';
import { demoListingId, writeOrganizationListings, type DemoListingRow, type DemoListingState } from './demo/write-listings.ts';

/** A valid unified social credit code from its first 17 characters. */
const code = (first17: string) => first17 + creditCodeCheckCharacter(first17);

type DemoOrganization = {
  key: string;
  application: Omit<OrganizationApplication, 'creditCode'> & { creditCode: string };
  decision: 'approved' | 'rejected' | null;
  reason?: string;
  /** Registered this many days before the seed ran (default: now); decided a day later. */
  registeredDaysAgo?: number;
};

/** Published demo listings, and the demo members' own listings in other states (for "my listings" and the review queue). */
export const DEMO_PUBLISHED_LISTINGS = 1050;
const MEMBER_LISTING_STATES: DemoListingState[] = [
  ...Array<DemoListingState>(10).fill('pending'), ...Array<DemoListingState>(5).fill('rejected'), ...Array<DemoListingState>(3).fill('draft'),
];
const REJECTION_REASONS = [
  '摘要中包含联系电话和微信号，请删除联系方式后重新提交。',
  '成熟度标注为产业化，但未提供应用证明材料，请核实后修改。',
  '标题与摘要描述的技术领域不一致，请调整行业分类。',
  '价格区间明显偏离同类项目，请核实金额单位（元/万元）。',
  '有效期超过项目实际周期，请按实际情况填写。',
];
const GENERATED_ORGANIZATIONS = 72;
/** Approved demo organisations that own listings: the two demo members first, then the generated ones. */
const LISTING_OWNERS = ['hzdianchi', 'zju-tt'] as const;

const ORGANIZATIONS: DemoOrganization[] = [
  {
    key: 'hzdianchi',
    decision: 'approved',
    application: {
      type: 'enterprise', enterpriseSize: 'medium', name: '杭州恒能电池科技有限公司', creditCode: code('91330106MA2B3C4D5'),
      provinceCode: '330000', cityCode: '330100', industries: ['new-energy', 'new-energy-vehicles'], contactName: '李明', contactPhone: '13857100001',
    },
  },
  {
    key: 'zju-tt',
    decision: 'approved',
    application: {
      type: 'university', name: '浙东理工大学技术转移中心', creditCode: code('12330000470003210'),
      provinceCode: '330000', cityCode: '330200', industries: ['advanced-materials', 'robotics', 'next-gen-it'], contactName: '赵磊', contactPhone: '0574-87600001',
    },
  },
  {
    key: 'zzjqr',
    decision: null,
    application: {
      type: 'research_institute', name: '郑州智能机器人研究院', creditCode: code('12410100MB1C2D3E4'),
      provinceCode: '410000', cityCode: '410100', industries: ['robotics', 'high-end-equipment'], contactName: '孙伟', contactPhone: '13937100002',
    },
  },
  {
    key: 'sxny',
    decision: null,
    application: {
      type: 'service_agency', specialities: ['ip', 'valuation', 'brokerage'], name: '苏州知识产权运营服务有限公司', creditCode: code('91320505MA1N2P3Q4'),
      provinceCode: '320000', cityCode: '320500', industries: ['modern-services'], contactName: '周婷', contactPhone: '13951200003',
    },
  },
  {
    key: 'whgx',
    decision: 'rejected',
    reason: '营业执照名称与统一社会信用代码登记信息不一致，请核对后重新提交。',
    application: {
      type: 'enterprise', enterpriseSize: 'small', name: '武汉光芯微电子有限公司', creditCode: code('91420100MA4K5L6M7'),
      provinceCode: '420000', cityCode: '420100', industries: ['electronics'], contactName: '吴昊', contactPhone: '13871200004',
    },
  },
];

async function ensureStaff(db: Db, passwordHash: string) {
  const ids = new Map<string, string>();
  for (const staff of DEMO_STAFF) {
    const existing = await db.user.findUnique({ where: { email: staff.email } });
    if (existing) {
      ids.set(staff.role, existing.id);
      continue;
    }
    const user = await db.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email: staff.email, name: staff.name, passwordHash, staffRole: staff.role } });
      await appendEvidence(tx, {
        kind: 'staff.role_changed', subjectType: 'user', subjectId: user.id, actorId: null,
        payload: { from: null, to: staff.role, reason: 'demo seed' },
      });
      return user;
    });
    ids.set(staff.role, user.id);
  }
  return ids;
}

async function ensureOrganization(db: Db, demo: DemoOrganization, reviewerId: string, passwordHash: string): Promise<boolean> {
  if (await db.organization.findUnique({ where: { creditCode: demo.application.creditCode } })) return false;
  const member = DEMO_MEMBERS.find((m) => m.organization === demo.key);
  const app = demo.application;
  await db.$transaction(async (tx) => {
    const snapshot = { ...app, enterpriseSize: app.enterpriseSize ?? null, specialities: app.specialities ?? [] };
    const submittedAt = new Date(Date.now() - (demo.registeredDaysAgo ?? 0) * 86_400_000);
    const decidedAt = demo.decision ? (demo.registeredDaysAgo ? new Date(submittedAt.getTime() + 86_400_000) : new Date()) : null;
    const org = await tx.organization.create({
      data: { ...snapshot, status: demo.decision ?? 'pending', submittedAt, createdAt: submittedAt, reviewedAt: decidedAt },
    });
    const user = await tx.user.create({
      data: { email: member?.email ?? `member@${demo.key}.demo`, name: app.contactName, passwordHash, organizationId: org.id, createdAt: submittedAt },
    });
    await tx.organizationReview.create({
      data: {
        organizationId: org.id, submission: 1, snapshot, submittedAt, decision: demo.decision, reason: demo.reason ?? null,
        reviewerId: demo.decision ? reviewerId : null, decidedAt,
      },
    });
    await appendEvidence(tx, {
      kind: 'organization.submitted', subjectType: 'organization', subjectId: org.id, actorId: user.id,
      payload: { submission: 1, application: snapshot },
    });
    if (demo.decision) {
      await appendEvidence(tx, {
        kind: 'organization.reviewed', subjectType: 'organization', subjectId: org.id, actorId: reviewerId,
        payload: { submission: 1, decision: demo.decision, reason: demo.reason ?? null },
      });
    }
  });
  return true;
}

/** Idempotent: creates only what is missing, so every `npm start` may run it. */
export async function seedDemo(db: Db, log: (msg: string, extra?: object) => void): Promise<{ created: number }> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const staff = await ensureStaff(db, passwordHash);
  let created = 0;
  const generated: DemoOrganization[] = generateDemoOrganizations(GENERATED_ORGANIZATIONS, mulberry32(DEMO_ORGANIZATION_SEED)).map((o) => ({
    key: o.key, application: o.application, decision: 'approved', registeredDaysAgo: o.registeredDaysAgo,
  }));
  const all = [...ORGANIZATIONS, ...generated];
  for (const [i, demo] of all.entries()) {
    if (await ensureOrganization(db, demo, staff.get('reviewer')!, passwordHash)) created += 1;
    if ((i + 1) % 10 === 0 || i + 1 === all.length) log(`seed organizations ${i + 1}/${all.length}`, { organization: demo.application.name });
  }
  const owners = [...LISTING_OWNERS.map((key) => ORGANIZATIONS.find((o) => o.key === key)!), ...generated];
  created += await seedListings(db, owners, staff.get('reviewer')!, log);
  return { created };
}

/**
 * Publishes the generated listings (same data on every run: a seeded PRNG) and leaves the demo
 * members some pending, rejected and draft ones. Keyed by deterministic ids, so a rerun adds nothing.
 */
async function seedListings(db: Db, owners: DemoOrganization[], reviewerId: string, log: (msg: string, extra?: object) => void): Promise<number> {
  const total = DEMO_PUBLISHED_LISTINGS + MEMBER_LISTING_STATES.length;
  const listings = generateDemoListings(total, mulberry32(DEMO_LISTING_SEED), {
    organizations: owners.map((o) => o.application),
    assign: (index) => (index >= DEMO_PUBLISHED_LISTINGS ? (index - DEMO_PUBLISHED_LISTINGS) % LISTING_OWNERS.length : undefined),
  });
  const orgs = await db.organization.findMany({
    where: { creditCode: { in: owners.map((o) => o.application.creditCode) } },
    select: { id: true, creditCode: true, members: { select: { id: true }, orderBy: { createdAt: 'asc' }, take: 1 } },
  });
  const byCode = new Map(orgs.map((o) => [o.creditCode, o]));
  const existing = new Set(
    (await db.listing.findMany({ where: { id: { in: listings.map((l) => demoListingId(l.index)) } }, select: { id: true } })).map((l) => l.id),
  );
  const groups = new Map<number, DemoListingRow[]>();
  for (const listing of listings) {
    if (existing.has(demoListingId(listing.index))) continue;
    const org = byCode.get(owners[listing.organizationIndex]!.application.creditCode)!;
    const member = listing.index - DEMO_PUBLISHED_LISTINGS;
    const state = member >= 0 ? MEMBER_LISTING_STATES[member]! : 'published';
    const row: DemoListingRow = { listing, state, organizationId: org.id, authorId: org.members[0]!.id };
    if (state === 'rejected') row.reason = REJECTION_REASONS[member % REJECTION_REASONS.length]!;
    groups.set(listing.organizationIndex, [...(groups.get(listing.organizationIndex) ?? []), row]);
  }
  let done = existing.size;
  let logged = Math.floor(done / 100);
  for (const rows of groups.values()) {
    await writeOrganizationListings(db, rows, reviewerId);
    done += rows.length;
    if (Math.floor(done / 100) > logged) {
      logged = Math.floor(done / 100);
      log(`seed listings ${logged * 100}/${total}`);
    }
  }
  log(`seed listings ${total}/${total}`, { created: total - existing.size });
  return total - existing.size;
}

export type { DemoListing };

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = createLogger('seed');
  const db = createDb(requireServiceUrls(loadConfig()).databaseUrl);
  try {
    const started = Date.now();
    const { created } = await seedDemo(db, (msg, extra) => log.info(extra ?? {}, msg));
    log.info({ created, ms: Date.now() - started }, created ? 'demo data seeded' : 'demo data already present');
  } catch (error) {
    log.fatal({ err: error }, 'seed failed');
    process.exitCode = 1;
  } finally {
    await db.$disconnect();
  }
}
