import {
  INDUSTRIES, industryField, industryNode, patentCheckCharacter, PROVINCE_BY_CODE, sideOfKind, type CooperationMode, type IpItem,
  type ListingKind, type ListingSide, type Maturity, type OrganizationType, type PriceInput,
} from '@hub/protocol';
import { chance, int, pick, sample, weighted, mulberry32, type Rng } from './rng.ts';
import { generateDemoOrganizations } from './organizations.ts';
import { CONFIDENTIAL_MARKER, INSTRUMENTS, RELATED_FIELDS, VOCABULARY, type SubfieldVocabulary } from './vocabulary.ts';

/** What the generator needs to know of the organisation that owns a listing. */
export interface DemoListingOrganization {
  type: OrganizationType;
  industries: readonly string[];
  provinceCode: string;
  cityCode: string;
  specialities?: readonly string[];
}

/** The editable content of a listing, in the shape of the protocol's ListingContent. */
export interface DemoListingContent {
  kind: ListingKind;
  title: string;
  summary: string;
  details: string;
  industries: string[];
  keywords: string[];
  provinceCode: string;
  cityCode: string;
  maturity: Maturity;
  trl?: number;
  modes: CooperationMode[];
  price: PriceInput;
  ip: { type: IpItem['type']; number: string; title?: string }[];
  validUntil: string;
}

export interface DemoListing {
  /** Position in the generated sequence: the seed derives the listing's id from it. */
  index: number;
  organizationIndex: number;
  side: ListingSide;
  content: DemoListingContent;
  /** When it was (notionally) published: spread over the 120 days before `now`. */
  publishedAt: Date;
}

export interface GenerateDemoListingsOptions {
  /** Owners; by default the 72 organisations of generateDemoOrganizations(72, mulberry32(DEMO_ORGANIZATION_SEED)). */
  organizations?: readonly DemoListingOrganization[];
  /** The moment validUntil and publishedAt are computed from (default: now). */
  now?: Date;
  /** Forces the owner of some indexes (the seed uses it for the demo members' own listings). */
  assign?: (index: number) => number | undefined;
}

export const DEMO_ORGANIZATION_SEED = 20261126;
export const DEMO_LISTING_SEED = 4;

/** Words that only confidential details use, so a test can prove they never reach a title or summary. */
export const CONFIDENTIAL_TERMS = [CONFIDENTIAL_MARKER, '客户名单', '工艺窗口', '源码', '报价底价', '良率数据', '供应商', '预算审批'] as const;

const DAY = 86_400_000;

const KINDS_BY_TYPE: Record<OrganizationType, [ListingKind, number][]> = {
  enterprise: [['tech_need', 34], ['service_need', 12], ['financing_need', 12], ['talent_need', 10], ['achievement', 20], ['tech_service', 8], ['instrument_sharing', 2], ['expert', 2]],
  university: [['achievement', 55], ['expert', 16], ['instrument_sharing', 12], ['tech_service', 12], ['service_need', 3], ['talent_need', 2]],
  research_institute: [['achievement', 40], ['tech_service', 20], ['instrument_sharing', 14], ['expert', 10], ['tech_need', 6], ['financing_need', 5], ['talent_need', 5]],
  service_agency: [['tech_service', 60], ['instrument_sharing', 20], ['expert', 15], ['talent_need', 5]],
  investor: [['financial_product', 85], ['expert', 5], ['service_need', 10]],
  incubator: [['tech_service', 35], ['financial_product', 20], ['instrument_sharing', 15], ['service_need', 10], ['talent_need', 10], ['financing_need', 10]],
};

const MATURITY_BY_KIND: Record<ListingKind, [Maturity, number][]> = {
  achievement: [['research', 20], ['lab', 27], ['pilot', 30], ['industrial', 23]],
  tech_need: [['research', 8], ['lab', 12], ['pilot', 35], ['industrial', 45]],
  financing_need: [['research', 10], ['lab', 25], ['pilot', 35], ['industrial', 30]],
  tech_service: [['research', 5], ['lab', 12], ['pilot', 25], ['industrial', 58]],
  instrument_sharing: [['research', 10], ['lab', 15], ['pilot', 25], ['industrial', 50]],
  expert: [['research', 20], ['lab', 20], ['pilot', 25], ['industrial', 35]],
  financial_product: [['research', 15], ['lab', 25], ['pilot', 30], ['industrial', 30]],
  service_need: [['research', 5], ['lab', 15], ['pilot', 30], ['industrial', 50]],
  talent_need: [['research', 15], ['lab', 20], ['pilot', 30], ['industrial', 35]],
};

const TRL: Record<Maturity, [number, number]> = { research: [1, 3], lab: [4, 5], pilot: [6, 7], industrial: [8, 9] };

/** Cooperation modes that fit each kind (first set is the most common). */
const MODES_BY_KIND: Record<ListingKind, CooperationMode[][]> = {
  achievement: [['transfer', 'license'], ['transfer'], ['license', 'joint_development'], ['transfer', 'equity'], ['joint_development', 'equity'], ['transfer', 'license', 'joint_development']],
  tech_service: [['service'], ['service', 'joint_development']],
  instrument_sharing: [['service']],
  expert: [['service'], ['service', 'joint_development']],
  financial_product: [['equity'], ['service'], ['equity', 'service']],
  tech_need: [['joint_development'], ['transfer', 'joint_development'], ['license'], ['joint_development', 'service'], ['transfer', 'license']],
  service_need: [['service']],
  financing_need: [['equity'], ['equity', 'service']],
  talent_need: [['service'], ['joint_development', 'service']],
};

const MODE_TEXT: Record<CooperationMode, string> = { transfer: '技术转让', license: '技术许可', joint_development: '合作开发', equity: '作价入股', service: '技术服务' };
const FINANCE_MODE_TEXT: Record<CooperationMode, string> = { ...MODE_TEXT, equity: '股权投资', service: '债权融资' };

type PriceGroup = 'tech' | 'service' | 'instrument' | 'talent' | 'finance';
const PRICE_GROUP: Record<ListingKind, PriceGroup> = {
  achievement: 'tech', tech_need: 'tech', tech_service: 'service', service_need: 'service', instrument_sharing: 'instrument',
  expert: 'talent', talent_need: 'talent', financial_product: 'finance', financing_need: 'finance',
};
/** Price or budget bounds in 万元 by maturity. */
const PRICE_RANGE: Record<PriceGroup, Record<Maturity, [number, number]>> = {
  tech: { research: [5, 100], lab: [20, 300], pilot: [80, 1000], industrial: [200, 5000] },
  service: { research: [1, 20], lab: [2, 50], pilot: [5, 100], industrial: [5, 200] },
  instrument: { research: [0.05, 1], lab: [0.05, 1], pilot: [0.1, 2], industrial: [0.1, 2] },
  talent: { research: [10, 80], lab: [15, 100], pilot: [20, 120], industrial: [30, 150] },
  finance: { research: [50, 500], lab: [200, 2000], pilot: [500, 5000], industrial: [1000, 20000] },
};

const SUBFIELDS_BY_FIELD = new Map(INDUSTRIES.map((f) => [f.code as string, f.subfields.map((s) => s.code as string)]));

const nice = (cny: number) => {
  const mag = 10 ** Math.max(2, Math.floor(Math.log10(cny)) - 1);
  return Math.max(100, Math.round(cny / mag) * mag);
};

export function formatCny(cny: number): string {
  if (cny >= 1e8) return `${+(cny / 1e8).toFixed(2)}亿元`;
  if (cny >= 1e4) return `${+(cny / 1e4).toFixed(1)}万元`;
  return `${cny}元`;
}

const priceText = (price: PriceInput) => (price.mode === 'negotiable' ? '面议' : `${formatCny(price.min)}至${formatCny(price.max)}`);

type Part = string | { word: 'O' | 'C' | 'M' | 'A' } | { lo: number; hi: number; decimals: boolean };
const compiled = new Map<string, Part[]>();

/** Parses a template once: `{O}`, `{C}`, `{M}`, `{A}` are words, `{lo-hi}` a number in range (one decimal when a bound has one). */
function compile(template: string): Part[] {
  let parts = compiled.get(template);
  if (parts) return parts;
  parts = [];
  const re = /\{(?:([OCMA])|(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?))\}/g;
  let last = 0;
  for (let m = re.exec(template); m; m = re.exec(template)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    if (m[1]) parts.push({ word: m[1] as 'O' | 'C' | 'M' | 'A' });
    else parts.push({ lo: Number(m[2]), hi: Number(m[3]), decimals: m[2]!.includes('.') || m[3]!.includes('.') });
    last = re.lastIndex;
  }
  if (last < template.length) parts.push(template.slice(last));
  compiled.set(template, parts);
  return parts;
}

const NO_WORDS = { O: '', C: '', M: '', A: '' };

/** Fills a template's words and numbers. */
function fill(rng: Rng, template: string, w: { O: string; C: string; M: string; A: string } = NO_WORDS): string {
  let out = '';
  for (const part of compile(template)) {
    if (typeof part === 'string') out += part;
    else if ('word' in part) out += w[part.word];
    else out += part.decimals ? (part.lo + rng() * (part.hi - part.lo)).toFixed(1) : String(part.lo + Math.floor(rng() * (part.hi - part.lo + 1)));
  }
  return out;
}

const BRAND_A = '恒华博中天鼎九汇启星海锐德卓嘉鸿蓝晶泰凯宏瀚拓睿同'.split('');
const BRAND_B = '瑞芯远科宇盛州通明辰纳捷源越禾图驰研峰翔安润达信微'.split('');
const CLIENT_TRADE = ['汽车', '储能', '电子', '制药', '重工', '化工', '电力', '集团', '装备', '食品'];
const client = (rng: Rng) => pick(rng, BRAND_A) + pick(rng, BRAND_B) + pick(rng, CLIENT_TRADE);

const STATUS_BY_MATURITY: Record<Maturity, string[]> = {
  research: ['已完成原理验证和实验室样品制备', '已完成关键机理研究并获得原理样机', '处于实验室研究阶段，核心方法已得到验证'],
  lab: ['已完成小试，{3-12}批次样品性能稳定', '小试样品已送{2-6}家下游企业试用', '已完成小试工艺包编制，数据完整'],
  pilot: ['已建成中试线并完成{5-30}批次验证', '中试产品已在{2-8}家企业开展应用验证', '已完成中试放大，具备工程化条件'],
  industrial: ['已实现规模化生产，在{5-60}家客户稳定应用', '已形成成熟产品并批量供货', '已在{10-120}个项目中落地应用，运行稳定'],
};
const PRINCIPLE = [
  '通过{M}建立了{O}关键参数与性能之间的定量模型',
  '以{M}为核心，结合自主开发的工艺与控制策略',
  '采用{M}，解决了传统方案精度低、成本高的问题',
  '将{M}与在线监测相结合，实现全过程闭环控制',
  '在{M}基础上优化了关键结构与工艺路线',
  '利用{M}显著提升了{O}的稳定性和一致性',
];
const PAIN = [
  '现有方案{C}能力不足，影响产品良率与交付',
  '进口方案成本高、供货周期长，亟需国产替代',
  '现有工艺稳定性差，批次一致性难以保证',
  '随着产能扩张，原有技术已无法满足{A}客户的新要求',
  '行业新标准实施后，现有产品需要在{C}方面升级',
  '售后反馈集中在{C}环节，急需系统性解决',
];
const DEADLINE = ['计划{6-18}个月内完成验证并导入量产', '要求{3-12}个月内提交样机并通过现场测试', '欢迎高校院所与企业联合申报项目', '可提供试验场地和测试样品', '合作成功后可长期采购'];
const SERVICE_WORD = ['检测分析', '工艺优化', '失效分析', '仿真设计', '定制开发', '中试验证', '技术咨询', '方案设计'];
const FINANCE_PRODUCT = ['科技成果转化贷', '知识产权质押贷款', '股权投资', '投贷联动方案', '研发费用贷', '科技保险', '产业基金投资'];
const TALENT_ROLE = ['首席科学家', '研发总监', '高级工程师', '技术负责人', '博士后研究人员', '算法工程师', '工艺工程师'];
const TALENT_REQ = ['博士学位或高级职称，{5-12}年以上相关研发经验', '熟悉{M}，有产业化项目经验者优先', '主持过省部级以上科研项目，有团队管理经验', '硕士及以上学历，具备{3-8}年{O}开发经验'];
const TALENT_BENEFIT = ['安家补贴和人才公寓', '股权激励', '柔性工作安排', '科研启动经费', '子女入学协助'];
const ROUNDS = ['天使轮', 'Pre-A轮', 'A轮', 'B轮'];
const FINANCING_USE = ['扩建产线和购置设备', '中试放大与市场推广', '研发团队扩充与产品认证', '建设区域服务中心', '补充流动资金和原材料储备'];
const CLOSING = ['欢迎有意向的单位联系洽谈。', '可安排现场考察和技术交流。', '支持线上路演和一对一洽谈。', '详细资料可在对接后提供。'];

export interface ListingDraftChoice {
  kind: ListingKind;
  sub: string;
  object?: string;
  capability?: string;
  title?: string;
  maturity?: Maturity;
  price?: PriceInput;
  modes?: CooperationMode[];
}

/** Hand-picked supply/demand pairs that the demo shows as matches: same sub-field, overlapping money, compatible modes. */
const FEATURED: { sub: string; object: string; capability: string; demand: string; supply: string }[] = [
  { sub: 'new-energy-vehicles.power-battery', object: '动力电池包', capability: '热失控早期预警', demand: '动力电池热失控早期预警技术需求', supply: '锂电池热失控多参数融合预警技术' },
  { sub: 'robotics.machine-vision', object: '视觉检测系统', capability: '表面缺陷检测', demand: '工业机器人视觉检测系统开发需求（汽车零部件表面缺陷）', supply: '基于深度学习的工业机器人视觉缺陷检测技术' },
  { sub: 'energy-saving.water', object: '高盐废水', capability: '零排放', demand: '煤化工高盐废水零排放技术需求', supply: '高盐废水纳滤分盐与MVR蒸发结晶零排放工艺' },
  { sub: 'new-energy.hydrogen', object: 'PEM电解槽', capability: '电解制氢降本', demand: '兆瓦级PEM电解槽降本技术合作开发需求', supply: '低铂载量PEM电解槽膜电极制备技术' },
  { sub: 'biomedicine.diagnostics', object: 'POCT检测仪', capability: '快速检测', demand: '基层医院心肌标志物POCT快速检测产品引进需求', supply: '微流控化学发光POCT快速检测平台' },
  { sub: 'modern-agriculture.smart-agriculture', object: '水肥一体化系统', capability: '精准灌溉', demand: '设施园艺水肥一体化精准灌溉系统需求', supply: '基于土壤墒情传感的水肥一体化精准灌溉技术' },
  { sub: 'high-end-equipment.cnc', object: '五轴联动加工中心', capability: '热误差补偿', demand: '五轴加工中心热误差补偿技术攻关', supply: '数控机床热误差建模与实时补偿技术' },
  { sub: 'next-gen-it.ai', object: '工业大模型', capability: '私有化部署', demand: '制造企业工业大模型私有化部署需求', supply: '面向制造业知识管理的工业大模型私有化部署方案' },
];

class Generator {
  private readonly titles = new Set<string>();
  private readonly summaries = new Set<string>();
  private readonly orgWeights: (readonly [number, number])[];
  private readonly today: number;

  constructor(
    private readonly rng: Rng,
    private readonly orgs: readonly DemoListingOrganization[],
    private readonly now: Date,
  ) {
    const typeWeight: Record<OrganizationType, number> = { enterprise: 3, university: 3.5, research_institute: 3, service_agency: 2, investor: 1.2, incubator: 1.2 };
    this.orgWeights = orgs.map((o, i) => [i, typeWeight[o.type] * (0.4 + rng() * 1.6)] as const);
    // Midnight of today in China time, as a UTC instant.
    this.today = Math.floor((now.getTime() + 8 * 3_600_000) / DAY) * DAY;
  }

  generate(count: number, assign?: (index: number) => number | undefined): DemoListing[] {
    const out: DemoListing[] = [];
    const featured: DemoListing[] = [];
    if (!assign || count > 2 * FEATURED.length) {
      for (const f of FEATURED) featured.push(...this.featuredPair(f));
    }
    let f = 0;
    for (let index = 0; index < count; index++) {
      const forced = assign?.(index);
      if (forced === undefined && f < featured.length && index % 7 === 3) {
        out.push({ ...featured[f++]!, index });
        continue;
      }
      const orgIndex = forced ?? (index < this.orgs.length ? index : weighted(this.rng, this.orgWeights));
      const org = this.orgs[orgIndex]!;
      const kind = weighted(this.rng, KINDS_BY_TYPE[org.type]);
      out.push(this.build(index, orgIndex, { kind, sub: this.pickSubfield(org, kind) }));
    }
    return out;
  }

  private featuredPair(f: (typeof FEATURED)[number]): DemoListing[] {
    const field = industryField(f.sub);
    const find = (types: OrganizationType[]) => {
      const fit = this.orgs.map((o, i) => [o, i] as const).filter(([o]) => types.includes(o.type));
      const best = fit.filter(([o]) => o.industries.includes(field));
      return pick(this.rng, best.length ? best : fit)[1];
    };
    const supply = this.build(-1, find(['university', 'research_institute']), {
      kind: 'achievement', sub: f.sub, object: f.object, capability: f.capability, title: f.supply, maturity: 'pilot', modes: ['transfer', 'license', 'joint_development'],
    });
    const s = supply.content.price.mode === 'range' ? supply.content.price : { min: 1_000_000, max: 3_000_000 };
    const demand = this.build(-1, find(['enterprise']), {
      kind: 'tech_need', sub: f.sub, object: f.object, capability: f.capability, title: f.demand, maturity: 'pilot',
      price: { mode: 'range', min: nice(s.min * 0.8), max: nice(s.max * 1.3) }, modes: ['joint_development', 'transfer'],
    });
    return [supply, demand];
  }

  private pickSubfield(org: DemoListingOrganization, kind: ListingKind): string {
    const rng = this.rng;
    const tech = org.industries.filter((c) => c !== 'modern-services');
    if (org.industries.includes('modern-services')) {
      const spec = org.specialities ?? [];
      if (kind === 'financial_product' && chance(rng, 0.3)) return 'modern-services.tech-finance';
      if (kind === 'instrument_sharing' && chance(rng, 0.3)) return 'modern-services.testing';
      if (kind === 'tech_service' && chance(rng, tech.length ? 0.4 : 1)) {
        if (spec.includes('ip')) return 'modern-services.ip-services';
        if (spec.includes('testing')) return 'modern-services.testing';
        if (spec.includes('brokerage')) return 'modern-services.tech-transfer';
        return pick(rng, SUBFIELDS_BY_FIELD.get('modern-services')!);
      }
    }
    const code = pick(rng, tech.length ? tech : org.industries);
    return code.includes('.') ? code : pick(rng, SUBFIELDS_BY_FIELD.get(code)!);
  }

  private build(index: number, organizationIndex: number, choice: ListingDraftChoice): DemoListing {
    const rng = this.rng;
    const org = this.orgs[organizationIndex]!;
    const { kind, sub } = choice;
    const vocab = VOCABULARY[sub]!;
    const field = industryField(sub);
    const subName = industryNode(sub)!.name;
    const maturity = choice.maturity ?? weighted(rng, MATURITY_BY_KIND[kind]);
    const modes = choice.modes ?? [...pick(rng, MODES_BY_KIND[kind])];
    const price = choice.price ?? this.price(kind, maturity);
    let words!: Words;
    let title = '';
    // Retry on a repeated title while the set is small; for very large counts, repeats are accepted.
    const attempts = this.titles.size < 5_000 ? 12 : 2;
    for (let attempt = 0; attempt < attempts; attempt++) {
      words = this.words(vocab, field, choice);
      title = choice.title ?? this.title(kind, subName, words);
      if (!this.titles.has(title) || choice.title) break;
    }
    this.titles.add(title);
    let summary = '';
    for (let attempt = 0; attempt < 12; attempt++) {
      summary = this.summary(kind, subName, maturity, modes, price, vocab, words);
      if (!this.summaries.has(summary)) break;
    }
    this.summaries.add(summary);
    const side = sideOfKind(kind);
    const [lo, hi] = TRL[maturity];
    const validDays = chance(rng, 0.03) ? int(rng, 1, 7) : int(rng, 30, 730);
    const content: DemoListingContent = {
      kind,
      title,
      summary,
      details: this.details(side, kind, sub, vocab, words),
      industries: this.industries(sub, field, kind),
      keywords: this.keywords(subName, field, words),
      ...this.region(org),
      maturity,
      ...(chance(rng, 0.9) ? { trl: int(rng, lo, hi) } : {}),
      modes,
      price,
      ip: side === 'supply' ? this.ip(kind, sub, words) : [],
      validUntil: new Date(this.today + validDays * DAY).toISOString().slice(0, 10),
    };
    const publishedAt = new Date(this.now.getTime() - Math.floor((0.02 + rng() * 119.9) * DAY));
    return { index, organizationIndex, side, content, publishedAt };
  }

  private words(vocab: SubfieldVocabulary, field: string, choice: ListingDraftChoice): Words {
    const rng = this.rng;
    const applications = sample(rng, vocab.applications, 2);
    const O = choice.object ?? pick(rng, vocab.objects);
    let C = choice.capability ?? pick(rng, vocab.capabilities);
    // Some sub-fields name the same thing as object and capability (概念验证): never say it twice.
    if (!choice.capability && (O.includes(C) || C.includes(O))) C = vocab.capabilities.find((c) => !O.includes(c) && !c.includes(O)) ?? C;
    return {
      O,
      C,
      M: pick(rng, vocab.methods),
      A: applications[0]!,
      A2: applications[1] ?? applications[0]!,
      instrument: pick(rng, INSTRUMENTS[field] ?? INSTRUMENTS['modern-services']!),
      service: pick(rng, SERVICE_WORD),
      product: pick(rng, FINANCE_PRODUCT),
      role: pick(rng, TALENT_ROLE),
      round: pick(rng, ROUNDS),
    };
  }

  private title(kind: ListingKind, subName: string, w: Words): string {
    const rng = this.rng;
    const { O, C, M, A } = w;
    let options: string[];
    switch (kind) {
      case 'achievement': options = [`基于${M}的${O}${C}技术`, `${O}${C}关键技术及产业化`, `面向${A}的${O}${C}技术`, `${O}${C}新技术（${M}）`, `高可靠${O}${C}成套技术`, `${M}用于${O}${C}的技术成果`]; break;
      case 'tech_service': options = [`${O}${C}技术服务`, `${A}${O}${w.service}服务`, `${subName}${w.service}服务（${O}）`, `${M}技术服务：${O}${C}`]; break;
      case 'instrument_sharing': options = [`${w.instrument}开放共享（${O}测试）`, `${w.instrument}机时共享服务（${A}）`, `${subName}公共测试平台：${w.instrument}`]; break;
      case 'expert': options = [`${subName}${C}专家团队`, `${C}领域资深专家提供技术指导`, `${O}${C}方向教授团队对外服务`, `${A}${subName}技术顾问团队`]; break;
      case 'financial_product': options = [`${subName}企业${w.product}`, `面向${A}的${w.product}`, `${C}专项${w.product}`, `${subName}产业${w.product}（${A}）`]; break;
      case 'tech_need': options = [`${O}${C}技术需求`, `寻求${O}${C}解决方案`, `${A}${O}${C}技术攻关`, `征集${C}技术（${O}）`, `${O}${C}联合开发需求`]; break;
      case 'service_need': options = [`${O}${w.service}服务需求`, `寻求${subName}第三方${w.service}服务（${O}）`, `${O}${C}项目委托${w.service}`]; break;
      case 'financing_need': options = [`${O}${C}产业化项目融资`, `${subName}企业寻求股权融资（${O}）`, `${C}项目扩产融资需求（${A}）`, `${A}${O}项目${w.round}融资`]; break;
      case 'talent_need': options = [`诚聘${subName}${w.role}（${C}方向）`, `引进${C}领域高层次人才（${O}）`, `招募${O}${w.role}`, `柔性引进${subName}技术专家（${C}）`]; break;
    }
    return pick(rng, options).slice(0, 100);
  }

  private summary(kind: ListingKind, subName: string, maturity: Maturity, modes: CooperationMode[], price: PriceInput, vocab: SubfieldVocabulary, w: Words): string {
    const rng = this.rng;
    const { O, C, M, A, A2 } = w;
    const m1 = fill(rng, pick(rng, vocab.metrics));
    let m2 = fill(rng, pick(rng, vocab.metrics));
    if (m2 === m1) m2 = fill(rng, pick(rng, vocab.metrics));
    const sub = (t: string) => fill(rng, t, w);
    const modeText = modes.map((m) => MODE_TEXT[m]).join('、');
    let text: string;
    switch (kind) {
      case 'achievement':
        text = chance(rng, 0.5)
          ? `本成果面向${A}，针对${O}${C}的行业难题，${sub(pick(rng, PRINCIPLE))}。${sub(pick(rng, STATUS_BY_MATURITY[maturity]))}，${m1}，${m2}。可通过${modeText}方式合作，适用于${A}、${A2}等场景。`
          : `${O}在${A}中应用广泛，但${C}一直是制约其性能的关键环节。项目团队${sub(pick(rng, PRINCIPLE))}，经第三方测试${m1}、${m2}。目前${sub(pick(rng, STATUS_BY_MATURITY[maturity]))}，拟以${modeText}方式推进转化。`;
        break;
      case 'tech_service':
        text = `团队长期从事${subName}领域研发，可为${A}、${A2}等行业企业提供${O}${C}相关的${w.service}服务。依托${M}和完善的实验条件，${m1}。服务流程包括需求诊断、方案设计、实施验证和技术培训，已服务企业${int(rng, 20, 400)}家。`;
        break;
      case 'instrument_sharing':
        text = `本单位${w.instrument}对外开放共享，可开展${O}相关的${C}测试与分析，配备专职技术人员，支持预约机时和委托测试两种方式。${pick(rng, [`设备购置于${int(rng, 2016, 2024)}年，运行状态良好`, `年开放机时不少于${int(rng, 800, 2500)}小时`, `常规样品${int(rng, 3, 7)}个工作日出具报告`])}。主要服务${A}、${A2}等领域用户，收费${priceText(price)}（按机时或样品计）。`;
        break;
      case 'expert':
        text = `专家团队由${int(rng, 2, 6)}名教授/研究员和${int(rng, 3, 12)}名博士组成，长期从事${subName}方向研究，在${O}${C}方面积累深厚，承担国家级和省部级项目${int(rng, 3, 20)}项。可提供技术诊断、${C}方案设计、人才培养和联合攻关等服务，曾帮助${A}企业实现${m1}。`;
        break;
      case 'financial_product':
        text = `面向${subName}领域科技型企业推出的${w.product}，重点支持${subName === '科技金融' ? A : `${O}${C}等项目`}的研发与成果转化。额度${priceText(price)}，${pick(rng, [`审批时间不超过${int(rng, 3, 10)}个工作日`, `年化利率低至${(3 + rng()).toFixed(2)}%`, `投资阶段覆盖天使轮至B轮`, `可采用知识产权质押等轻资产增信方式`])}。申请条件：成立满${int(rng, 1, 3)}年、拥有核心知识产权，可提供${modes.map((m) => FINANCE_MODE_TEXT[m]).join('、')}等支持。`;
        break;
      case 'tech_need':
        text = chance(rng, 0.5)
          ? `我公司主要面向${A}领域，现有${O}在${C}方面存在瓶颈：${sub(pick(rng, PAIN))}。拟寻求${M}等技术方案，期望${m1}、${m2}。希望通过${modeText}方式合作，${sub(pick(rng, DEADLINE))}。`
          : `为提升${A}产品竞争力，现征集${O}${C}相关技术。目前${sub(pick(rng, PAIN))}。技术目标：${m1}；${m2}。预算${priceText(price)}，合作方式为${modeText}，${sub(pick(rng, DEADLINE))}。`;
        break;
      case 'service_need':
        text = `因${pick(rng, ['新产品上市前认证', '客户质量审核要求', '工艺变更验证', '项目验收需要', '出口认证需要'])}，需委托具备资质的机构开展${O}${w.service}服务，重点关注${C}相关指标（如${m1}）。要求服务方具备${pick(rng, ['CNAS/CMA资质', '同类项目经验', '专业技术团队'])}，${int(rng, 2, 8)}周内完成交付，预算${priceText(price)}。`;
        break;
      case 'financing_need':
        text = `公司专注${subName}领域，核心产品为${O}，在${C}方面拥有自主知识产权（发明专利${int(rng, 3, 30)}项），${m1}。${sub(pick(rng, STATUS_BY_MATURITY[maturity]))}。本轮拟融资${priceText(price)}，主要用于${pick(rng, FINANCING_USE)}，欢迎${modes.map((m) => FINANCE_MODE_TEXT[m]).join('、')}机构洽谈。`;
        break;
      case 'talent_need':
        text = `因业务发展需要，现面向全国引进${subName}方向${w.role}，负责${O}${C}相关技术研发和团队建设，主要应用于${A}。要求${sub(pick(rng, TALENT_REQ))}。年薪${priceText(price)}，可提供${sample(rng, TALENT_BENEFIT, 2).join('、')}。`;
        break;
    }
    if (text.length < 60) text += pick(rng, CLOSING);
    if (text.length > 400) text = text.slice(0, text.lastIndexOf('。', 398) + 1);
    return text;
  }

  private details(side: ListingSide, kind: ListingKind, sub: string, vocab: SubfieldVocabulary, w: Words): string {
    const rng = this.rng;
    const year = () => int(rng, 2025, 2027);
    const clients = `意向客户名单：${client(rng)}、${client(rng)}、${client(rng)}，其中第一家已签署保密协议并完成样品测试。`;
    const floor = () => `报价底价：整体转让不低于${int(rng, 50, 3000)}万元，独占许可入门费${int(rng, 20, 500)}万元加${int(rng, 2, 8)}%销售提成。`;
    const claims = () => `未公开专利权利要求草案${int(rng, 5, 30)}项，计划于${year()}年提交PCT国际申请，技术秘密清单共${int(rng, 3, 12)}项。`;
    const code = () => `核心算法源码与模型权重存放于内部代码仓库（v${int(rng, 1, 4)}.${int(rng, 0, 9)}.${int(rng, 0, 20)}），训练样本${int(rng, 2, 80)}万条，标注规范见附件三。`;
    const parts: (() => string)[] = [];
    if (side === 'demand') {
      parts.push(
        () => `现有产线参数：${w.O}节拍${int(rng, 8, 120)}秒/件，不良率${(rng() * 6).toFixed(2)}%，年产量约${int(rng, 5, 500)}万件。`,
        () => `现用供应商：${client(rng)}（年采购额约${int(rng, 100, 5000)}万元），合同将于${year()}年到期，更换须经质量部门审核。`,
        () => `内部预算审批：项目编号RD-${year()}-${String(int(rng, 1, 999)).padStart(3, '0')}，已批复预算${int(rng, 30, 3000)}万元，报价底价另行通知。`,
        () => `技术指标底线：${fill(rng, pick(rng, vocab.metrics))}，验收样本${int(rng, 50, 2000)}件，测试数据集由我方提供且不得外传。`,
        () => `客户名单：下游客户${client(rng)}、${client(rng)}对该项改进提出明确要求，年订单规模约${int(rng, 1, 20)}亿元。`,
      );
      if (kind === 'financing_need') parts.push(() => `财务数据：上年营收${int(rng, 500, 50000)}万元，净利润${int(rng, -2000, 8000)}万元，投前估值预期${(1 + rng() * 30).toFixed(1)}亿元，现有股东${int(rng, 2, 9)}名，股权结构见附件。`);
      if (kind === 'talent_need') parts.push(() => `薪酬结构：基本年薪${int(rng, 30, 150)}万元加期权${int(rng, 5, 100)}万股，团队现有${int(rng, 5, 60)}人，汇报对象为总经理，候选人名单严格保密。`);
    } else if (kind === 'financial_product') {
      parts.push(
        () => `内部风控模型：准入评分不低于${int(rng, 60, 85)}分，不良率控制在${(rng() * 2).toFixed(2)}%以内，单户授信上限按上年营收${int(rng, 20, 50)}%核定。`,
        () => `合作担保机构名单：${client(rng)}融资担保、${client(rng)}融资担保，担保费补贴比例${int(rng, 30, 80)}%，风险补偿资金池规模${int(rng, 1, 20)}亿元。`,
        () => `审批授权：${int(rng, 500, 3000)}万元以下由分支机构审批，利率底价为LPR减${int(rng, 10, 60)}个基点，内部审批编号FIN-${year()}-${int(rng, 100, 999)}。`,
        () => `已投/已贷客户名单：${client(rng)}、${client(rng)}、${client(rng)}，合计余额${int(rng, 1, 30)}亿元。`,
      );
    } else if (kind === 'instrument_sharing') {
      parts.push(
        () => `收费底价：校内外协作项目可按标准价${int(rng, 50, 80)}%结算，长期合作客户年度框架协议底价${int(rng, 5, 60)}万元。`,
        () => `${w.instrument}关键操作参数与样品前处理作业指导书（编号SOP-${int(rng, 100, 999)}）仅对签约用户提供，设备维护记录保存于内部系统。`,
        () => `现有合作客户名单：${client(rng)}、${client(rng)}、${client(rng)}，年度机时占用约${int(rng, 20, 70)}%。`,
        () => `预约优先级规则：重点合作单位每月保留${int(rng, 20, 120)}机时，加急测试加收${int(rng, 20, 100)}%，操作人员联系方式见内部通讯录。`,
      );
    } else {
      const digital = /^(next-gen-it|digital-creative|modern-services)|autonomous-driving|smart-agriculture|satellite|smart-grid/.test(sub);
      parts.push(() => clients, floor, claims);
      if (digital) {
        parts.push(
          code,
          () => `系统架构与接口文档：部署需${int(rng, 2, 32)}台服务器，核心服务采用${pick(rng, ['微服务', '单体加插件', '边云协同'])}架构，接口鉴权密钥轮换周期${int(rng, 7, 90)}天。`,
          () => `线上运行数据：近${int(rng, 3, 24)}个月日均调用${int(rng, 1, 900)}万次，关键指标${fill(rng, pick(rng, vocab.metrics))}，异常日志样例见附件。`,
        );
      } else {
        parts.push(
          () => `核心工艺参数：${w.O}关键工序温度${int(rng, 60, 1200)}℃、保温${int(rng, 1, 24)}小时、压力${(rng() * 20).toFixed(1)}MPa，工艺窗口±${int(rng, 2, 8)}%。`,
          () => `关键配比：组分A/B/C = ${int(rng, 40, 80)}:${int(rng, 10, 40)}:${int(rng, 1, 10)}，添加剂内部代号${pick(rng, BRAND_A)}${int(rng, 100, 999)}，原料批号须与工艺卡一致。`,
          () => `良率数据：近${int(rng, 6, 40)}批次平均良率${(85 + rng() * 14).toFixed(1)}%，主要失效模式为${pick(rng, vocab.capabilities)}环节偏差。`,
          code,
        );
      }
      if (kind === 'expert') parts.push(() => `团队成员联系方式及在研横向项目清单（${int(rng, 3, 15)}项）仅对签约方提供，收费标准按人天${int(rng, 3, 20)}千元计。`);
      if (kind === 'tech_service') parts.push(() => `服务报价明细：基础方案${int(rng, 2, 30)}万元，驻场服务每人天${int(rng, 2, 8)}千元，往期交付报告样本${int(rng, 3, 20)}份可在签约后查阅。`);
    }
    let text = CONFIDENTIAL_MARKER;
    const end = '以上信息仅向签署保密协议的对接方披露。';
    const target = 200 + int(rng, 0, 250);
    for (const part of sample(rng, parts, parts.length)) {
      if (text.length >= target) break;
      const next = part();
      if (text.length + next.length + end.length > 800) break;
      text += next;
    }
    return text + end;
  }

  private industries(sub: string, field: string, kind: ListingKind): string[] {
    const rng = this.rng;
    const codes = new Set([sub]);
    if (chance(rng, 0.4)) codes.add(field);
    if (chance(rng, 0.3)) codes.add(pick(rng, SUBFIELDS_BY_FIELD.get(field)!));
    const related = RELATED_FIELDS[field] ?? [];
    if (related.length && chance(rng, 0.15)) codes.add(pick(rng, SUBFIELDS_BY_FIELD.get(pick(rng, related))!));
    if (field !== 'modern-services') {
      if (kind === 'financial_product' || kind === 'financing_need') codes.add('modern-services.tech-finance');
      if (kind === 'instrument_sharing' && chance(rng, 0.5)) codes.add('modern-services.testing');
    }
    return [...codes].slice(0, 5);
  }

  private keywords(subName: string, field: string, w: Words): string[] {
    const rng = this.rng;
    const fieldName = industryNode(field)!.name;
    const all = [...new Set([w.C, w.O, subName, w.M, w.A, fieldName, w.A2])].filter((k) => k.length <= 20);
    return all.slice(0, int(rng, 3, Math.min(8, all.length)));
  }

  private region(org: DemoListingOrganization): { provinceCode: string; cityCode: string } {
    const rng = this.rng;
    const province = PROVINCE_BY_CODE.get(org.provinceCode)!;
    if (province.cities.length > 1 && chance(rng, 0.15)) return { provinceCode: province.code, cityCode: pick(rng, province.cities).code };
    return { provinceCode: org.provinceCode, cityCode: org.cityCode };
  }

  private price(kind: ListingKind, maturity: Maturity): PriceInput {
    const rng = this.rng;
    if (chance(rng, 0.2)) return { mode: 'negotiable' };
    const [lo, hi] = PRICE_RANGE[PRICE_GROUP[kind]][maturity];
    const min = nice(lo * 1e4 * (hi / lo) ** (rng() * 0.6));
    let max = nice(min * (1.5 + rng() * 2.5));
    if (max <= min) max = min * 2;
    return { mode: 'range', min, max };
  }

  private ip(kind: ListingKind, sub: string, w: Words): DemoListingContent['ip'] {
    const rng = this.rng;
    const p = kind === 'achievement' ? 0.65 : kind === 'tech_service' ? 0.15 : kind === 'expert' ? 0.1 : 0;
    if (!chance(rng, p)) return [];
    const software = sub.startsWith('next-gen-it') || sub.endsWith('industrial-software') || sub.endsWith('digital-media') ? 0.5 : 0.1;
    return Array.from({ length: int(rng, 1, 3) }, () => {
      const year = int(rng, 2016, 2024);
      if (chance(rng, software)) {
        return { type: 'software_copyright' as const, number: `${year}SR${String(int(rng, 100_000, 1_999_999)).padStart(7, '0')}`, title: `${w.O}${w.C}软件V${int(rng, 1, 3)}.0` };
      }
      const type = weighted(rng, [['invention', 62], ['utility_model', 35], ['design', 3]] as const);
      const digits = `${year}${type === 'invention' ? '1' : type === 'utility_model' ? '2' : '3'}${String(int(rng, 0, 9_999_999)).padStart(7, '0')}`;
      const title = type === 'invention' ? `一种${w.O}${w.C}方法` : type === 'utility_model' ? `一种${w.O}${w.C}装置` : `${w.O}（外观设计）`;
      return { type, number: `${digits}.${patentCheckCharacter(digits)}`, title };
    });
  }
}

interface Words { O: string; C: string; M: string; A: string; A2: string; instrument: string; service: string; product: string; role: string; round: string }

/**
 * Pure and deterministic for a given rng state and `now`: `count` listings in Chinese across every
 * industry field, kind and maturity, built from per-sub-field vocabularies so that supply and demand
 * in the same sub-field share technical words. Titles and summaries do not repeat (titles may, rarely,
 * once a sub-field's combinations run out, which only happens for very large counts).
 */
export function generateDemoListings(count: number, rng: Rng, options: GenerateDemoListingsOptions = {}): DemoListing[] {
  const organizations = options.organizations ?? generateDemoOrganizations(72, mulberry32(DEMO_ORGANIZATION_SEED)).map((o) => o.application);
  return new Generator(rng, organizations, options.now ?? new Date()).generate(count, options.assign);
}
