import { describe, expect, it } from 'vitest';
import { CreditCode, creditCodeCheckCharacter, creditCodeProblem, OrganizationApplication, RegisterInput } from './index.ts';

/** Codes published by the registrants themselves (business licences, annual reports). */
const PUBLISHED = {
  sample: '91350100M000100Y43', // the GB 32100 example used in the schema's OpenAPI example
  tencent: '9144030071526726XG', // 深圳市腾讯计算机系统有限公司
  huawei: '914403001922038216', // 华为技术有限公司
  baidu: '91110000802100433B', // 北京百度网讯科技有限公司
  xiaomi: '91110108551385082Q', // 小米科技有限责任公司
};

/** Builds a valid code from 17 characters by appending its check character. */
const complete = (first17: string) => first17 + creditCodeCheckCharacter(first17);

/** Replaces the check character with a different character from the alphabet. */
const withWrongCheck = (code: string) => code.slice(0, 17) + (code[17] === '0' ? '1' : '0');

describe('creditCodeProblem', () => {
  it.each(Object.entries(PUBLISHED))('accepts the published code of %s', (_name, code) => {
    expect(creditCodeProblem(code)).toBeNull();
  });

  it('accepts codes completed with creditCodeCheckCharacter, including letters in the body', () => {
    for (const first17 of ['91330100MA27XL0E1', '12100000400000000', '52110000500000000', 'Y1330100ABCDEFGHJ', '93440300KLMNPQRTU']) {
      expect(creditCodeProblem(complete(first17)), first17).toBeNull();
    }
  });

  it('computes the check character the published codes carry', () => {
    for (const code of Object.values(PUBLISHED)) expect(creditCodeCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it("refuses a wrong check character with 'check_character'", () => {
    for (const code of Object.values(PUBLISHED)) expect(creditCodeProblem(withWrongCheck(code))).toBe('check_character');
    expect(creditCodeProblem(complete('91330100MA27XL0E1').slice(0, 17) + 'Y')).not.toBeNull();
  });

  it("refuses the letters I, O, S, V and Z with 'characters'", () => {
    for (const letter of ['I', 'O', 'S', 'V', 'Z']) {
      // In the body, and as the check character.
      expect(creditCodeProblem(`91350100M00010${letter}Y43`), letter).toBe('characters');
      expect(creditCodeProblem(`91350100M000100Y4${letter}`), letter).toBe('characters');
    }
  });

  it("refuses lower case and non-digits in the region part with 'characters'", () => {
    expect(creditCodeProblem('91350100m000100y43')).toBe('characters');
    expect(creditCodeProblem('913501A0M000100Y43')).toBe('characters');
  });

  it("refuses a wrong length with 'length'", () => {
    expect(creditCodeProblem('')).toBe('length');
    expect(creditCodeProblem(PUBLISHED.sample.slice(0, 17))).toBe('length');
    expect(creditCodeProblem(`${PUBLISHED.sample}0`)).toBe('length');
  });
});

describe('CreditCode schema', () => {
  it('trims and upper-cases its input before checking', () => {
    expect(CreditCode.parse(' 9144030071526726xg ')).toBe('9144030071526726XG');
    expect(CreditCode.parse('91350100m000100y43')).toBe('91350100M000100Y43');
  });

  it('reports each problem with its own message', () => {
    const message = (v: string) => CreditCode.safeParse(v).error?.issues[0]?.message;
    expect(message('123')).toBe('credit_code_length');
    expect(message('91350100M00010IY43')).toBe('credit_code_characters');
    expect(message(withWrongCheck(PUBLISHED.huawei))).toBe('credit_code_check_character');
  });
});

const application = (overrides: Record<string, unknown> = {}) => ({
  type: 'enterprise',
  enterpriseSize: 'small',
  name: '杭州测试科技有限公司',
  creditCode: PUBLISHED.sample,
  provinceCode: '330000',
  cityCode: '330100',
  industries: ['new-energy'],
  contactName: '李明',
  contactPhone: '13800138000',
  ...overrides,
});

const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string; code: string }[] } }) =>
  (result.error?.issues ?? []).map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code }));

describe('OrganizationApplication', () => {
  it('accepts a complete enterprise application', () => {
    expect(OrganizationApplication.safeParse(application()).success).toBe(true);
  });

  it('requires enterpriseSize for an enterprise, and only for one', () => {
    const { enterpriseSize: _omit, ...withoutSize } = application();
    expect(issues(OrganizationApplication.safeParse(withoutSize))).toEqual([
      { path: 'enterpriseSize', message: 'required_for_enterprise', code: 'custom' },
    ]);
    expect(issues(OrganizationApplication.safeParse(application({ type: 'university' })))).toEqual([
      { path: 'enterpriseSize', message: 'only_for_enterprise', code: 'custom' },
    ]);
  });

  it('requires at least one speciality for a service agency', () => {
    const agency = { type: 'service_agency', enterpriseSize: undefined };
    expect(issues(OrganizationApplication.safeParse(application(agency)))).toEqual([
      { path: 'specialities', message: 'required_for_service_agency', code: 'custom' },
    ]);
    expect(issues(OrganizationApplication.safeParse(application({ ...agency, specialities: [] })))).toEqual([
      { path: 'specialities', message: 'required_for_service_agency', code: 'custom' },
    ]);
    expect(OrganizationApplication.safeParse(application({ ...agency, specialities: ['ip', 'valuation'] })).success).toBe(true);
  });

  it('refuses a city that does not belong to the province', () => {
    // 杭州 (330100) is in 浙江 (330000), not in 福建 (350000).
    expect(issues(OrganizationApplication.safeParse(application({ provinceCode: '350000' })))).toEqual([
      { path: 'cityCode', message: 'unknown_region', code: 'custom' },
    ]);
    expect(issues(OrganizationApplication.safeParse(application({ cityCode: '339900' })))).toEqual([
      { path: 'cityCode', message: 'unknown_region', code: 'custom' },
    ]);
    expect(OrganizationApplication.safeParse(application({ provinceCode: '350000', cityCode: '350100' })).success).toBe(true);
  });

  it('refuses unknown fields', () => {
    const result = OrganizationApplication.safeParse(application({ status: 'approved' }));
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: ['status'] })]);
  });

  it('takes between one and five industries, all known', () => {
    const five = ['new-energy', 'robotics', 'aerospace', 'marine', 'biomedicine'];
    expect(OrganizationApplication.safeParse(application({ industries: five })).success).toBe(true);
    expect(issues(OrganizationApplication.safeParse(application({ industries: [] })))[0]?.path).toBe('industries');
    expect(issues(OrganizationApplication.safeParse(application({ industries: [...five, 'electronics'] })))[0]?.path).toBe('industries');
    expect(issues(OrganizationApplication.safeParse(application({ industries: ['alchemy'] })))[0]?.path).toBe('industries.0');
  });

  it('upper-cases the credit code and refuses a bad one on its path', () => {
    expect(OrganizationApplication.parse(application({ creditCode: '91110108551385082q' })).creditCode).toBe('91110108551385082Q');
    expect(issues(OrganizationApplication.safeParse(application({ creditCode: withWrongCheck(PUBLISHED.sample) })))).toEqual([
      { path: 'creditCode', message: 'credit_code_check_character', code: 'custom' },
    ]);
  });
});

describe('RegisterInput', () => {
  const user = { name: '李明', email: ' Li.Ming@Example.CN ', password: 'correct-horse-battery' };

  it('accepts an organisation with its first member and normalises the email', () => {
    const parsed = RegisterInput.parse({ organization: application(), user });
    expect(parsed.user.email).toBe('li.ming@example.cn');
    expect(parsed.organization.creditCode).toBe(PUBLISHED.sample);
  });

  it('applies the organisation rules inside the registration', () => {
    const { enterpriseSize: _omit, ...withoutSize } = application();
    expect(issues(RegisterInput.safeParse({ organization: withoutSize, user }))).toEqual([
      { path: 'organization.enterpriseSize', message: 'required_for_enterprise', code: 'custom' },
    ]);
    expect(issues(RegisterInput.safeParse({ organization: application({ cityCode: '110100' }), user }))).toEqual([
      { path: 'organization.cityCode', message: 'unknown_region', code: 'custom' },
    ]);
  });

  it('refuses unknown fields at the top level and in the user', () => {
    expect(issues(RegisterInput.safeParse({ organization: application(), user, staffRole: 'admin' }))).toEqual([
      expect.objectContaining({ path: '', code: 'unrecognized_keys' }),
    ]);
    expect(issues(RegisterInput.safeParse({ organization: application(), user: { ...user, staffRole: 'admin' } }))).toEqual([
      expect.objectContaining({ path: 'user', code: 'unrecognized_keys' }),
    ]);
  });

  it('refuses a short password', () => {
    expect(issues(RegisterInput.safeParse({ organization: application(), user: { ...user, password: 'short' } }))).toEqual([
      expect.objectContaining({ path: 'user.password', message: 'password_too_short' }),
    ]);
  });
});
