import {
  creditCodeCheckCharacter, INDUSTRIES, PROVINCES, type IndustryCode, type OrganizationApplication, type OrganizationType,
  type ServiceSpeciality,
} from '@hub/protocol';
import { RELATED_FIELDS } from './vocabulary.ts';
import { chance, int, pick, sample, weighted, type Rng } from './rng.ts';

/** One demo organisation as the seed registers it (approved) and the listing generator uses it. */
export interface DemoOrganizationSpec {
  key: string;
  application: OrganizationApplication;
  /** Days before the seed run that it registered (and was approved a day later). */
  registeredDaysAgo: number;
}

const MAINLAND = PROVINCES.filter((p) => Number(p.code) < 710000);

/** Technology hubs and their weight (provinces outside the list still get one organisation each). */
const HUB_CITIES: [string, string, number][] = [
  ['110000', '110100', 10], ['310000', '310100', 10], ['440000', '440300', 8], ['440000', '440100', 5], ['330000', '330100', 6],
  ['330000', '330200', 2], ['320000', '320100', 5], ['320000', '320500', 5], ['320000', '320200', 2], ['320000', '320400', 2],
  ['420000', '420100', 5], ['510000', '510100', 5], ['610000', '610100', 4], ['340000', '340100', 4], ['370000', '370100', 2],
  ['370000', '370200', 3], ['120000', '120100', 3], ['430000', '430100', 3], ['350000', '350200', 2], ['350000', '350100', 2],
  ['500000', '500100', 3], ['410000', '410100', 2], ['210000', '210100', 2], ['210000', '210200', 1], ['230000', '230100', 1],
  ['220000', '220100', 1], ['440000', '441900', 2], ['440000', '440600', 2],
];

const TYPE_PLAN: [OrganizationType, number][] = [
  ['enterprise', 30], ['university', 12], ['research_institute', 10], ['service_agency', 9], ['investor', 6], ['incubator', 5],
];

const shortProvince = (name: string) => name.replace(/(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/, '');
const shortCity = (name: string) => name.replace(/(市|地区|盟)$/, '');

const BRAND_A = '恒华博中天鼎九汇启星海锐德卓嘉鸿蓝晶泰凯宏瀚拓睿同'.split('');
const BRAND_B = '瑞芯远科宇盛州通明辰纳捷源越禾图驰研峰翔安润达信微'.split('');
const COMPANY_WORD: Record<IndustryCode, string[]> = {
  'next-gen-it': ['智能', '信息技术', '数据'], electronics: ['微电子', '半导体', '光电'], biomedicine: ['生物医药', '医疗器械', '生物'],
  'advanced-materials': ['新材料', '材料'], 'new-energy': ['新能源', '储能', '光伏'], 'new-energy-vehicles': ['汽车电子', '动力', '新能源汽车'],
  'high-end-equipment': ['智能装备', '精密机械'], robotics: ['机器人', '自动化'], 'energy-saving': ['环保', '节能'],
  'modern-agriculture': ['农业', '种业', '食品'], aerospace: ['航空', '无人机'], marine: ['海洋'], 'digital-creative': ['数字', '文化创意'],
  'modern-services': ['检测', '科技服务'],
};
const INSTITUTE_WORD: Record<IndustryCode, string> = {
  'next-gen-it': '人工智能', electronics: '集成电路创新', biomedicine: '生物医药', 'advanced-materials': '新材料', 'new-energy': '储能技术',
  'new-energy-vehicles': '智能网联汽车', 'high-end-equipment': '智能制造', robotics: '机器人', 'energy-saving': '环境科学',
  'modern-agriculture': '农业科学', aerospace: '航空航天技术', marine: '海洋工程', 'digital-creative': '数字创意', 'modern-services': '科技发展',
};
const UNIVERSITY_PREFIX = '江淮|岭南|渤海|西岭|中原|湘江|闽江|松辽|川西|黔南|滇池|陇东|关中|齐鲁|燕山|楚天|赣江|钱塘|太湖|长白|天山|珠江|汉江|秦岭'.split('|');
const UNIVERSITY_SUFFIX = '理工|科技|工业|农业|医科|海洋|电子科技|交通|石油|化工'.split('|');
const AGENCY: [ServiceSpeciality[], string][] = [
  [['ip', 'valuation'], '知识产权服务有限公司'], [['testing', 'instrument_sharing'], '检测认证有限公司'],
  [['brokerage', 'consulting'], '技术转移服务有限公司'], [['consulting', 'legal'], '科技咨询有限公司'], [['valuation', 'finance'], '资产评估有限公司'],
];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢'.split('');
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯健俊帆鹏辉婷晨阳'.split('');
const ALPHANUM = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const creditCode = (rng: Rng, type: OrganizationType, cityCode: string) => {
  const head = type === 'university' || type === 'research_institute' ? '12' : '91';
  const body = head === '12'
    ? Array.from({ length: 8 }, () => String(int(rng, 0, 9))).join('') + pick(rng, ALPHANUM.split(''))
    : 'MA' + Array.from({ length: 7 }, () => pick(rng, ALPHANUM.split(''))).join('');
  const first17 = head + cityCode + body;
  return first17 + creditCodeCheckCharacter(first17);
};

/**
 * `count` approved demo organisations of every type: the first ones cover every mainland province
 * once, the rest are weighted toward technology hubs; every industry field is some organisation's
 * main field. Names, codes and phones are invented; credit codes carry a valid check character.
 */
export function generateDemoOrganizations(count: number, rng: Rng): DemoOrganizationSpec[] {
  const planTotal = TYPE_PLAN.reduce((n, [, w]) => n + w, 0);
  const types: OrganizationType[] = [];
  for (const [type, w] of TYPE_PLAN) for (let i = 0; i < Math.max(1, Math.round((w * count) / planTotal)); i++) types.push(type);
  while (types.length < count) types.push('enterprise');
  const order = sample(rng, types, types.length).slice(0, count);
  const provinces = sample(rng, MAINLAND, MAINLAND.length);
  const names = new Set<string>();
  const codes = new Set<string>();
  const fields = INDUSTRIES.map((f) => f.code) as IndustryCode[];
  const techFields = fields.filter((f) => f !== 'modern-services');
  return order.map((type, i) => {
    let provinceCode: string;
    let cityCode: string;
    if (i < provinces.length) {
      const p = provinces[i]!;
      provinceCode = p.code;
      const hub = HUB_CITIES.filter(([pc]) => pc === p.code);
      cityCode = hub.length ? weighted(rng, hub.map(([, c, w]) => [c, w] as const)) : p.cities[0]!.code;
    } else {
      [provinceCode, cityCode] = weighted(rng, HUB_CITIES.map(([p, c, w]) => [[p, c] as const, w] as const));
    }
    const province = MAINLAND.find((p) => p.code === provinceCode)!;
    const city = province.cities.find((c) => c.code === cityCode)!;
    const place = province.cities.length === 1 ? shortProvince(province.name) : pick(rng, [shortCity(city.name), shortProvince(province.name)]);
    const main = techFields[i % techFields.length]!;
    const related = (RELATED_FIELDS[main] ?? []) as IndustryCode[];
    let industries: IndustryCode[];
    let specialities: ServiceSpeciality[] | undefined;
    let name = '';
    for (let attempt = 0; attempt < 50 && (!name || names.has(name)); attempt++) {
      const brand = pick(rng, BRAND_A) + pick(rng, BRAND_B);
      switch (type) {
        case 'enterprise':
          name = `${place}${brand}${pick(rng, COMPANY_WORD[main])}${pick(rng, ['科技有限公司', '科技有限公司', '股份有限公司', '技术有限公司'])}`;
          break;
        case 'university':
          name = `${pick(rng, UNIVERSITY_PREFIX)}${pick(rng, UNIVERSITY_SUFFIX)}大学${pick(rng, ['技术转移中心', '技术转移中心', '科技成果转化中心'])}`;
          break;
        case 'research_institute':
          name = pick(rng, [`${place}${INSTITUTE_WORD[main]}研究院`, `${place}${INSTITUTE_WORD[main]}产业技术研究院`, `${place}${brand}${INSTITUTE_WORD[main]}研究所`]);
          break;
        case 'service_agency': {
          const [spec, suffix] = pick(rng, AGENCY);
          specialities = spec;
          name = `${place}${brand}${suffix}`;
          break;
        }
        case 'investor':
          name = pick(rng, [`${place}${brand}创业投资管理有限公司`, `${place}科创${brand}股权投资基金管理有限公司`, `${brand}银行${shortCity(city.name)}科技支行`]);
          break;
        case 'incubator':
          name = pick(rng, [`${place}${brand}科技企业孵化器有限公司`, `${place}${brand}众创空间管理有限公司`]);
          break;
      }
    }
    names.add(name);
    switch (type) {
      case 'university': industries = [main, ...sample(rng, techFields.filter((f) => f !== main), 2)]; break;
      case 'service_agency': industries = ['modern-services', main]; break;
      case 'investor': case 'incubator': industries = ['modern-services', main, ...sample(rng, related, 1)]; break;
      default: industries = chance(rng, 0.5) && related.length ? [main, pick(rng, related)] : [main];
    }
    let code = creditCode(rng, type, cityCode);
    while (codes.has(code)) code = creditCode(rng, type, cityCode);
    codes.add(code);
    const contactName = pick(rng, SURNAMES) + pick(rng, GIVEN) + (chance(rng, 0.6) ? pick(rng, GIVEN) : '');
    const application: OrganizationApplication = {
      type,
      ...(type === 'enterprise' ? { enterpriseSize: pick(rng, ['large', 'medium', 'medium', 'small', 'small', 'micro'] as const) } : {}),
      ...(type === 'service_agency' ? { specialities } : {}),
      name, creditCode: code, provinceCode, cityCode, industries, contactName,
      contactPhone: `1${pick(rng, ['3', '5', '7', '8', '9'])}${String(int(rng, 0, 999_999_999)).padStart(9, '0')}`,
    };
    return { key: `org-${String(i + 1).padStart(3, '0')}`, application, registeredDaysAgo: int(rng, 130, 400) };
  });
}
