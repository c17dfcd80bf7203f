import { randomBytes, randomInt } from 'node:crypto';
import type { Db } from '@hub/db';
import { hashPassword } from '@hub/platform';
import { creditCodeCheckCharacter, type RegisterInput, type StaffRole } from '@hub/protocol';
import { ApiClient } from './client.ts';

const DIGITS = '0123456789';
const CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid, unique unified social credit code (enterprise registered in Hangzhou). */
export function buildCreditCode(): string {
  let body = '';
  for (let i = 0; i < 9; i++) body += CODE_CHARS[randomInt(CODE_CHARS.length)];
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

/** Registers an organisation through the API (from its own client IP) and returns the signed-in client. */
export async function registerMember(baseUrl: string, overrides: Overrides = {}) {
  const client = new ApiClient(baseUrl, { 'x-forwarded-for': randomClientIp() });
  const input = buildRegistration(overrides);
  const res = await client.post('/api/auth/register', input);
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
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
