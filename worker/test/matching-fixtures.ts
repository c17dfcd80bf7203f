import type { Db } from '@hub/db';
import { compatible, loadMatchable, MATCHING, scorePair } from '@hub/matching';
import type { ListingKind } from '@hub/protocol';
import { buildListingRows, type ListingRowOverrides } from '../../server/test/listing-factory.ts';

/**
 * Topics of a synthetic catalogue for the matching tests: each has its own industry field and its own
 * vocabulary, so every supply/demand pair inside a topic is a match and no pair across topics is.
 * Each topic sits in another macro-region too. By the scorer, same-topic pairs score about 80 and
 * cross-topic pairs at most about 36 (threshold 45); matching-faults.test.ts checks the brute-force
 * result equals the same-topic pairs before it relies on that.
 */
export interface Topic {
  name: string;
  industry: string;
  /** Province and city (each topic in another macro-region, so region agreement cannot bridge topics). */
  region: [string, string];
  keywords: string[];
  summary: (title: string) => string;
  supplies: string[];
  demands: string[];
}

export const TOPICS: Topic[] = [
  {
    name: 'lithium',
    region: ['330000', '330100'],
    industry: 'new-energy.lithium-battery',
    keywords: ['锂电池', '锂离子电池'],
    summary: (t) => `${t}，面向锂电池产业，关注能量密度、循环寿命和生产成本。`,
    supplies: ['高镍三元锂电池正极材料制备技术', '锂电池硅碳负极材料规模化制备工艺', '锂离子电池高安全电解液配方技术', '锂电池极片涂布与激光切割工艺', '退役锂电池梯次利用与回收提锂技术'],
    demands: ['寻求高能量密度锂电池正极材料技术', '锂电池负极材料性能提升技术需求', '提高锂离子电池安全性的电解液需求', '锂电池极片生产线工艺改进需求', '废旧锂电池回收提锂技术需求'],
  },
  {
    name: 'medical-devices',
    region: ['110000', '110100'],
    industry: 'biomedicine.medical-devices',
    keywords: ['医疗器械', '临床'],
    summary: (t) => `${t}，面向医疗器械产业，关注临床安全性、注册审批和国产替代。`,
    supplies: ['可降解心血管支架材料与加工技术', '骨科植入物金属3D打印技术', '便携式超声影像诊断设备', '微创腔镜手术器械设计', '医用导管亲水涂层技术'],
    demands: ['寻求可降解血管支架技术合作', '骨科植入物个性化定制技术需求', '基层医院便携超声诊断设备需求', '腔镜手术器械国产化需求', '医用导管涂层工艺需求'],
  },
  {
    name: 'breeding',
    region: ['420000', '420100'],
    industry: 'modern-agriculture.breeding',
    keywords: ['育种', '品种'],
    summary: (t) => `${t}，面向种业育种，关注品种产量、抗性和种子质量。`,
    supplies: ['水稻抗病高产分子育种技术', '小麦耐旱新品种选育技术', '玉米杂交种子纯度鉴定技术', '蔬菜种子包衣与引发技术', '大豆高油品种选育成果'],
    demands: ['水稻抗病品种选育合作需求', '耐旱小麦品种技术需求', '玉米种子纯度鉴定技术需求', '蔬菜种子包衣技术需求', '高油大豆品种推广需求'],
  },
  {
    name: 'machine-vision',
    region: ['440000', '440300'],
    industry: 'robotics.machine-vision',
    keywords: ['机器视觉', '视觉检测'],
    summary: (t) => `${t}，面向产线的机器视觉应用，关注识别精度与节拍。`,
    supplies: ['工业视觉表面缺陷检测系统', '三维视觉引导抓取技术', '高速读码与字符识别视觉方案', '视觉测量与尺寸检测技术', '深度学习视觉质检平台'],
    demands: ['零件表面缺陷视觉检测需求', '无序工件三维视觉抓取需求', '包装产线高速读码识别需求', '精密零件视觉尺寸测量需求', '视觉质检替代人工目检需求'],
  },
  {
    name: 'water',
    region: ['510000', '510100'],
    industry: 'energy-saving.water',
    keywords: ['废水处理', '污水'],
    summary: (t) => `${t}，面向水处理，关注出水达标、运行成本和回用率。`,
    supplies: ['高浓度有机废水厌氧处理技术', '工业废水膜分离回用技术', '污泥减量与资源化处理工艺', '农村生活污水一体化处理设备', '含重金属废水深度处理技术'],
    demands: ['化工园区高浓度废水处理需求', '印染废水膜处理回用需求', '污水厂污泥减量处理需求', '乡镇生活污水处理设备需求', '电镀废水重金属去除需求'],
  },
  {
    name: 'uav',
    region: ['610000', '610100'],
    industry: 'aerospace.uav',
    keywords: ['无人机'],
    summary: (t) => `${t}，面向无人机行业应用，关注续航、载荷和作业效率。`,
    supplies: ['长航时垂直起降固定翼无人机', '无人机集群协同控制技术', '电力巡检无人机自主巡航系统', '植保无人机精准喷洒技术', '无人机激光雷达测绘系统'],
    demands: ['长航时垂直起降无人机平台需求', '多无人机集群协同作业需求', '输电线路无人机自主巡检需求', '农田植保无人机喷洒服务需求', '无人机激光雷达测绘建模需求'],
  },
];

export interface SeededListing {
  id: string;
  revision: number;
  side: 'supply' | 'demand';
  topic: string;
  organizationId: string;
}

/** Content of one topical listing for `buildListingRows`. */
export function topicalContent(topic: Topic, side: 'supply' | 'demand', i: number): ListingRowOverrides {
  const title = (side === 'supply' ? topic.supplies : topic.demands)[i % 5]!;
  const kind: ListingKind = side === 'supply' ? 'achievement' : 'tech_need';
  const [provinceCode, cityCode] = topic.region;
  return { kind, title, summary: topic.summary(title), keywords: topic.keywords, industries: [topic.industry], provinceCode, cityCode };
}

/** `perSide` supplies and demands of each topic (so at most 5), each from its own organisation, published (revision 2, never matched). */
export async function seedTopicalListings(db: Db, topics: Topic[], perSide: number): Promise<SeededListing[]> {
  // One topic after another, the topics side by side.
  const perTopic = await Promise.all(
    topics.map(async (topic) => {
      const seeded: SeededListing[] = [];
      for (let i = 0; i < perSide; i++) {
        for (const side of ['supply', 'demand'] as const) {
          const { listing, organizationId } = await buildListingRows(db, {
            ...topicalContent(topic, side, i),
            organization: { type: side === 'supply' ? 'university' : 'enterprise' },
          });
          seeded.push({ id: listing.id, revision: listing.revision, side, topic: topic.name, organizationId });
        }
      }
      return seeded;
    }),
  );
  return perTopic.flat();
}

export const pairKey = (supplyId: string, demandId: string) => `${supplyId}|${demandId}`;

/** Every supply/demand pair inside a topic: what the matcher must find. */
export function topicalPairs(listings: SeededListing[]): Set<string> {
  const pairs = new Set<string>();
  for (const s of listings.filter((l) => l.side === 'supply')) {
    for (const d of listings.filter((l) => l.side === 'demand' && l.topic === s.topic)) pairs.add(pairKey(s.id, d.id));
  }
  return pairs;
}

/**
 * What a perfect run of the pipeline stores: every compatible pair of these listings scored by brute
 * force (no candidate search, no queue), kept when it reaches the threshold. Returns the pairs and
 * the best score of a pair that was left out (to show the margin).
 */
export async function bruteForcePairs(db: Db, ids: string[]): Promise<{ pairs: Set<string>; bestRejected: number; worstAccepted: number }> {
  const listings = await loadMatchable(db, ids);
  const pairs = new Set<string>();
  let bestRejected = 0;
  let worstAccepted = 100;
  for (const supply of listings.filter((l) => l.side === 'supply')) {
    for (const demand of listings.filter((l) => l.side === 'demand')) {
      if (!compatible(supply, demand)) continue;
      const { score } = scorePair(supply, demand);
      if (score >= MATCHING.threshold) {
        pairs.add(pairKey(supply.id, demand.id));
        worstAccepted = Math.min(worstAccepted, score);
      } else {
        bestRejected = Math.max(bestRejected, score);
      }
    }
  }
  return { pairs, bestRejected, worstAccepted };
}

/** Open matches as pair keys, failing on a duplicate pair (the unique index should make that impossible). */
export async function storedPairs(db: Db, status: 'open' | 'any' = 'open'): Promise<{ pairs: Set<string>; rows: number }> {
  const rows = await db.match.findMany({
    where: status === 'open' ? { status: 'open' } : {},
    select: { supplyListingId: true, demandListingId: true },
  });
  return { pairs: new Set(rows.map((r) => pairKey(r.supplyListingId, r.demandListingId))), rows: rows.length };
}

/** Listings whose current revision the matcher has finished, out of `ids`. */
export async function matchedCount(db: Db, ids: string[]): Promise<number> {
  const rows = await db.listing.findMany({ where: { id: { in: ids } }, select: { revision: true, matchedRevision: true } });
  return rows.filter((r) => r.matchedRevision === r.revision).length;
}

/** Polls `probe` every `intervalMs` until it returns a truthy value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T>, what: string, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
