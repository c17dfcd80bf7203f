import { createLogger, hashPassword, loadConfig, requireServiceUrls } from '@hub/platform';
import { creditCodeCheckCharacter, type OrganizationApplication } from '@hub/protocol';
import { createDb, type Db } from './index.ts';
import { appendEvidence } from './evidence.ts';
import { DEMO_MEMBERS, DEMO_PASSWORD, DEMO_STAFF } from './demo-accounts.ts';

/** A valid unified social credit code from its first 17 characters. */
const code = (first17: string) => first17 + creditCodeCheckCharacter(first17);

type DemoOrganization = {
  key: (typeof DEMO_MEMBERS)[number]['organization'] | 'sxny' | 'whgx';
  application: Omit<OrganizationApplication, 'creditCode'> & { creditCode: string };
  decision: 'approved' | 'rejected' | null;
  reason?: string;
};

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
    const decidedAt = demo.decision ? new Date() : null;
    const org = await tx.organization.create({ data: { ...snapshot, status: demo.decision ?? 'pending', reviewedAt: decidedAt } });
    const user = await tx.user.create({
      data: { email: member?.email ?? `member@${demo.key}.demo`, name: app.contactName, passwordHash, organizationId: org.id },
    });
    await tx.organizationReview.create({
      data: { organizationId: org.id, submission: 1, snapshot, decision: demo.decision, reason: demo.reason ?? null, reviewerId: demo.decision ? reviewerId : null, decidedAt },
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
  for (const [i, demo] of ORGANIZATIONS.entries()) {
    if (await ensureOrganization(db, demo, staff.get('reviewer')!, passwordHash)) created += 1;
    log(`seed organizations ${i + 1}/${ORGANIZATIONS.length}`, { organization: demo.application.name });
  }
  return { created };
}

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
