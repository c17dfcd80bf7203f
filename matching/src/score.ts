import {
  counterpartKinds,
  findCity,
  industryField,
  industryNode,
  PROVINCE_BY_CODE,
  type CooperationMode,
  type ListingKind,
  type ListingSide,
  type MatchBreakdown,
  type MatchFeature,
  type MatchReason,
  type Maturity,
} from '@hub/protocol';
import { MATCHING, type MatchingConfig } from './config.ts';
import { similarity, termVector, type TermVector } from './text.ts';

/** What the scorer reads of a published listing (optional parts may be missing, e.g. in an evaluation set). */
export interface MatchableListing {
  id: string;
  side: ListingSide;
  kind: ListingKind;
  revision: number;
  organizationId: string;
  organizationName: string;
  organizationType: string;
  title: string;
  summary: string;
  keywords: string[];
  /** Industry codes as the author chose them (fields or sub-fields). */
  industries: string[];
  provinceCode: string | null;
  cityCode: string | null;
  maturity: Maturity | null;
  modes: CooperationMode[];
  /** CNY; both null when negotiable (面议). */
  priceMin: number | null;
  priceMax: number | null;
  publishedAt: Date;
  /** Patents and software copyrights listed with it. */
  ipCount: number;
  /** Confirmed matches of its organisation so far (provider reputation). */
  confirmedDeals: number;
}

export interface ScoredPair {
  supply: MatchableListing;
  demand: MatchableListing;
  /** 0–100. */
  score: number;
  breakdown: MatchBreakdown;
  reasons: MatchReason[];
}

interface Feature {
  value: number;
  reason?: { zh: string; en: string };
}

const vectors = new Map<string, TermVector>();
const VECTOR_CACHE = 20_000;
/** Term vectors by listing revision: a popular candidate is scored against many listings. */
function vectorOf(listing: MatchableListing): TermVector {
  const key = `${listing.id}:${listing.revision}`;
  let vector = vectors.get(key);
  if (!vector) {
    vector = termVector(listing);
    if (vectors.size >= VECTOR_CACHE) vectors.delete(vectors.keys().next().value!);
    vectors.set(key, vector);
  }
  return vector;
}

function text(supply: MatchableListing, demand: MatchableListing): Feature {
  const { value, shared } = similarity(vectorOf(supply), vectorOf(demand));
  // Cosine of two short texts rarely passes 0.5 even when they are about the same thing.
  const scaled = Math.min(1, value * 2.2);
  if (!shared.length) return { value: scaled };
  return { value: scaled, reason: { zh: `共同关键词：${shared.join('、')}`, en: `Shared terms: ${shared.join(', ')}` } };
}

/** Same sub-field 1; a field and one of its sub-fields 0.8; sibling sub-fields 0.6; unrelated 0. */
function industry(supply: MatchableListing, demand: MatchableListing): Feature {
  if (!supply.industries.length || !demand.industries.length) return { value: 0.3 };
  let best = 0;
  let code = '';
  for (const a of supply.industries) {
    for (const b of demand.industries) {
      const value = a === b ? 1 : a === industryField(b) || b === industryField(a) ? 0.8 : industryField(a) === industryField(b) ? 0.6 : 0;
      if (value > best) [best, code] = [value, a === b ? a : industryField(a)];
    }
  }
  const node = industryNode(code);
  if (!node) return { value: best };
  return { value: best, reason: { zh: `同属${node.name}领域`, en: `Both in ${node.nameEn}` } };
}

/** Macro-regions by the first two digits of the province code (GB/T 2260). */
const MACRO_REGIONS: [string, string, string[]][] = [
  ['华北', 'North China', ['11', '12', '13', '14', '15']],
  ['东北', 'Northeast China', ['21', '22', '23']],
  ['华东', 'East China', ['31', '32', '33', '34', '35', '36', '37']],
  ['华中', 'Central China', ['41', '42', '43']],
  ['华南', 'South China', ['44', '45', '46']],
  ['西南', 'Southwest China', ['50', '51', '52', '53', '54']],
  ['西北', 'Northwest China', ['61', '62', '63', '64', '65']],
  ['港澳台', 'Hong Kong, Macao and Taiwan', ['71', '81', '82']],
];
const macroRegion = (provinceCode: string) => MACRO_REGIONS.find(([, , prefixes]) => prefixes.includes(provinceCode.slice(0, 2)));

function region(supply: MatchableListing, demand: MatchableListing): Feature {
  if (!supply.provinceCode || !demand.provinceCode) return { value: 0.4 };
  if (supply.provinceCode === demand.provinceCode) {
    const city = supply.cityCode && supply.cityCode === demand.cityCode ? findCity(supply.provinceCode, supply.cityCode) : undefined;
    if (city) return { value: 1, reason: { zh: `同在${city.name}`, en: `Both in ${city.nameEn}` } };
    const province = PROVINCE_BY_CODE.get(supply.provinceCode);
    return { value: 0.8, reason: province ? { zh: `同在${province.name}`, en: `Both in ${province.nameEn}` } : undefined };
  }
  const [a, b] = [macroRegion(supply.provinceCode), macroRegion(demand.provinceCode)];
  if (a && a === b) return { value: 0.5, reason: { zh: `同属${a[0]}地区`, en: `Both in ${a[1]}` } };
  return { value: 0.2 };
}

/** Price (supply) against budget (demand); 面议 on either side is neutral. */
function price(supply: MatchableListing, demand: MatchableListing): Feature {
  const s = supply.priceMin !== null && supply.priceMax !== null ? [supply.priceMin, supply.priceMax] : null;
  const d = demand.priceMin !== null && demand.priceMax !== null ? [demand.priceMin, demand.priceMax] : null;
  if (!s || !d) return { value: 0.5 };
  const [sMin, sMax] = s as [number, number];
  const [dMin, dMax] = d as [number, number];
  if (dMin <= sMin && sMax <= dMax) return { value: 1, reason: { zh: '预算覆盖报价区间', en: 'The budget covers the asking price' } };
  if (sMax < dMin) return { value: 0.75, reason: { zh: '报价低于预算', en: 'The asking price is below the budget' } };
  if (sMin <= dMax && dMin <= sMax) return { value: 0.8, reason: { zh: '预算与报价区间部分重叠', en: 'The budget overlaps the asking price' } };
  // The supplier asks more than the budget: falls to 0 at twice the budget.
  return { value: Math.max(0, 1 - (sMin - dMax) / Math.max(dMax, 1)) * 0.5 };
}

const MATURITY_ORDER: Maturity[] = ['research', 'lab', 'pilot', 'industrial'];
const MATURITY_NAMES: Record<Maturity, [string, string]> = {
  research: ['研发阶段', 'research'],
  lab: ['小试', 'lab scale'],
  pilot: ['中试', 'pilot scale'],
  industrial: ['产业化', 'industrial scale'],
};

/** A supply at least as mature as the demand asks fits fully; each stage short of it costs. */
function maturity(supply: MatchableListing, demand: MatchableListing): Feature {
  if (!supply.maturity || !demand.maturity) return { value: 0.5 };
  const gap = MATURITY_ORDER.indexOf(supply.maturity) - MATURITY_ORDER.indexOf(demand.maturity);
  if (gap >= 0) {
    const [zh, en] = MATURITY_NAMES[supply.maturity];
    return { value: 1, reason: { zh: `成熟度满足需求（${zh}）`, en: `Maturity meets the need (${en})` } };
  }
  return { value: gap === -1 ? 0.5 : gap === -2 ? 0.2 : 0 };
}

const MODE_NAMES: Record<CooperationMode, [string, string]> = {
  transfer: ['技术转让', 'transfer'],
  license: ['技术许可', 'licence'],
  joint_development: ['合作开发', 'joint development'],
  equity: ['作价入股', 'equity'],
  service: ['技术服务', 'service'],
};

function modes(supply: MatchableListing, demand: MatchableListing): Feature {
  if (!supply.modes.length || !demand.modes.length) return { value: 0.5 };
  const shared = supply.modes.filter((m) => demand.modes.includes(m));
  if (!shared.length) return { value: 0 };
  return {
    value: 1,
    reason: { zh: `双方均接受${shared.map((m) => MODE_NAMES[m][0]).join('、')}`, en: `Both accept ${shared.map((m) => MODE_NAMES[m][1]).join(', ')}` },
  };
}

const PROVIDER_BASE: Record<string, number> = { university: 0.65, research_institute: 0.65, enterprise: 0.55, service_agency: 0.55, investor: 0.55, incubator: 0.5 };

/** The supplier's standing: who it is, the IP behind the offer, the matches it has confirmed before. */
function reputation(supply: MatchableListing): Feature {
  const value = Math.min(1, (PROVIDER_BASE[supply.organizationType] ?? 0.5) + Math.min(0.3, 0.1 * supply.confirmedDeals) + (supply.ipCount > 0 ? 0.15 : 0));
  if (supply.confirmedDeals > 0) {
    return { value, reason: { zh: `供给方已有${supply.confirmedDeals}次确认对接`, en: `The provider has ${supply.confirmedDeals} confirmed matches` } };
  }
  if (supply.ipCount > 0) return { value, reason: { zh: `有${supply.ipCount}项知识产权支撑`, en: `Backed by ${supply.ipCount} IP items` } };
  return { value };
}

/** The older of the two listings decides: a stale listing on either side makes the pair less urgent. */
function freshness(supply: MatchableListing, demand: MatchableListing, now: number, config: MatchingConfig): Feature {
  const oldest = Math.min(supply.publishedAt.getTime(), demand.publishedAt.getTime());
  const days = Math.max(0, (now - oldest) / 86_400_000);
  const value = 0.5 ** (days / config.freshnessHalfLifeDays);
  return value >= 0.9 ? { value, reason: { zh: '双方均为近期发布', en: 'Both published recently' } } : { value };
}

/** True when these two listings can be matched at all: opposite sides, answering kinds, different organisations. */
export function compatible(a: MatchableListing, b: MatchableListing): boolean {
  return a.side !== b.side && a.organizationId !== b.organizationId && counterpartKinds(a.kind).includes(b.kind);
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Scores a pair by its explainable features; the reasons are the strongest features, best first.
 * `judged`: a person paired them (staff, or a supplier raising its hand), so the relevance gate that
 * keeps the machine from pairing unrelated listings does not zero the score.
 */
export function scorePair(a: MatchableListing, b: MatchableListing, now = Date.now(), config: MatchingConfig = MATCHING, judged = false): ScoredPair {
  const [supply, demand] = a.side === 'supply' ? [a, b] : [b, a];
  const features: Record<MatchFeature, Feature> = {
    text: text(supply, demand),
    industry: industry(supply, demand),
    region: region(supply, demand),
    price: price(supply, demand),
    maturity: maturity(supply, demand),
    modes: modes(supply, demand),
    reputation: reputation(supply),
    freshness: freshness(supply, demand, now, config),
  };
  const breakdown = {} as MatchBreakdown;
  let total = 0;
  for (const [name, feature] of Object.entries(features) as [MatchFeature, Feature][]) {
    const weight = config.weights[name];
    breakdown[name] = { value: round(feature.value), weight };
    total += weight * feature.value;
  }
  // Agreement on price, region and the like cannot make a match of two listings that share neither
  // words nor an industry (an unknown industry is no evidence either).
  const unrelated = features.text.value < config.minText && features.industry.value < 0.6;
  const score = unrelated && !judged ? 0 : round(total * 100, 1);
  const reasons = (Object.entries(features) as [MatchFeature, Feature][])
    .filter(([, f]) => f.reason && f.value >= config.reasonAt)
    .sort(([x, fx], [y, fy]) => config.weights[y] * fy.value - config.weights[x] * fx.value)
    .map(([feature, f]) => ({ feature, ...f.reason! }));
  return { supply, demand, score, breakdown, reasons };
}
