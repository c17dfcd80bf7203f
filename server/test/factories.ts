import { randomBytes, randomInt } from 'node:crypto';
import type { Db } from '@hub/db';
import { hashPassword } from '@hub/platform';
import { CREDIT_CODE_ALPHABET, creditCodeCheckCharacter, type ListingContent, type RegisterInput, type StaffRole } from '@hub/protocol';
import { ApiClient } from './client.ts';

const DIGITS = '0123456789';

/** A valid, unique unified social credit code (enterprise registered in Hangzhou). */
export function buildCreditCode(): string {
  let body = '';
  for (let i = 0; i < 9; i++) body += CREDIT_CODE_ALPHABET[randomInt(CREDIT_CODE_ALPHABET.length)];
  const first17 = `91${'330100'}${body}`;
  return first17 + creditCodeCheckCharacter(first17);
}

export const TEST_PASSWORD = 'correct-horse-battery';

type Overrides = { organization?: Partial<RegisterInput['organization']>; user?: Partial<RegisterInput['user']> };

export function buildRegistration(overrides: Overrides = {}): RegisterInput {
  const tag = randomBytes(4).toString('hex');
  return {
    organization: {
      type: 'enterprise',
      enterpriseSize: 'small',
      name: `杭州测试科技有限公司${tag}`,
      creditCode: buildCreditCode(),
      provinceCode: '330000',
      cityCode: '330100',
      industries: ['new-energy'],
      contactName: '李明',
      contactPhone: `138${Array.from({ length: 8 }, () => DIGITS[randomInt(10)]).join('')}`,
      ...overrides.organization,
    } as RegisterInput['organization'],
    user: { name: '李明', email: `user-${tag}@example.cn`, password: TEST_PASSWORD, ...overrides.user },
  };
}

/** A documentation-range client address, so tests do not share the per-IP rate limits. */
export const randomClientIp = () => `198.51.${randomInt(256)}.${randomInt(256)}`;

/** Registers an organisation through the API (from its own client IP), signs in as its member and returns the client. */
export async function registerMember(baseUrl: string, overrides: Overrides = {}) {
  const client = new ApiClient(baseUrl, { 'x-forwarded-for': randomClientIp() });
  const input = buildRegistration(overrides);
  const registered = await client.post('/api/auth/register', input);
  if (registered.status !== 202) throw new Error(`registration failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  const res = await client.post('/api/auth/login', { email: input.user.email, password: input.user.password });
  if (res.status !== 200) throw new Error(`sign-in after registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { client, input, organizationId: res.body.organization.id as string, userId: res.body.user.id as string };
}

/** Creates a staff user directly and signs them in. */
export async function signInStaff(db: Db, baseUrl: string, role: StaffRole) {
  const email = `${role}-${randomBytes(4).toString('hex')}@staff.example.cn`;
  const user = await db.user.create({ data: { email, name: `${role} 测试`, passwordHash: await hashPassword(TEST_PASSWORD), staffRole: role } });
  const client = new ApiClient(baseUrl);
  const res = await client.post('/api/auth/login', { email, password: TEST_PASSWORD });
  if (res.status !== 200) throw new Error(`staff login failed: ${res.status}`);
  return { client, userId: user.id, email };
}

/** A date `days` from today as YYYY-MM-DD (China time). */
export function dayFromNow(days: number): string {
  return new Date(Date.now() + 8 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** Valid listing content for a supply achievement; details carry a marker that must never leak. */
export function buildListingContent(overrides: Partial<ListingContent> = {}): ListingContent {
  const tag = randomBytes(3).toString('hex');
  return {
    kind: 'achievement',
    title: `锂电池热失控多参数预警技术 ${tag}`,
    summary: '基于温度、电压与气体多参数融合的锂电池热失控早期预警方法，可在热失控发生前数分钟给出告警，适用于储能电站与电动汽车电池包。',
    details: `【保密】电解液配方与传感器布置参数 SECRET-${tag}`,
    industries: ['new-energy.lithium-battery'],
    keywords: ['锂电池', '热失控', '预警'],
    provinceCode: '330000',
    cityCode: '330100',
    maturity: 'pilot',
    trl: 6,
    modes: ['transfer', 'license'],
    price: { mode: 'range', min: 500_000, max: 2_000_000 },
    ip: [{ type: 'invention', number: '200310102344.5', title: '一种锂电池热失控预警方法' }],
    validUntil: dayFromNow(180),
    ...overrides,
  };
}

/** Registers an organisation, marks it approved (as a reviewer would) and returns its signed-in member. */
export async function registerApprovedMember(db: Db, baseUrl: string, overrides: Overrides = {}) {
  const member = await registerMember(baseUrl, overrides);
  await db.organization.update({ where: { id: member.organizationId }, data: { status: 'approved', reviewedAt: new Date() } });
  return member;
}
