import { TfIdf } from '@node-rs/jieba';
import { idf as idfDict } from '@node-rs/jieba/dict';
import { segmenter, SYNONYM_GROUPS } from '@hub/search';

/**
 * Text relevance between a supply and a demand: cosine similarity of TF-IDF vectors over jieba's
 * search-mode tokens (so 锂电池 and 电池 share a term), with each synonym group folded into one term
 * (光伏 = 太阳能电池) and platform boilerplate (技术, 需求, 提供) weighed down. Symmetric, so a pair
 * scores the same whichever side's job computes it.
 */

/** Words every listing uses: they say nothing about what it is about. */
const STOP = new Set(
  '的 了 和 与 及 或 等 在 对 为 以 于 将 把 被 由 从 向 是 有 无 不 也 都 而 并 其 该 此 这 那 一种 一套 一个 我们 我司 我公司 公司 企业 单位 本 可 能 能够 可以 需要 希望 寻求 要求 进行 实现 提供 相关 具有 通过 主要 目前 以及 方面 问题 情况 有限 有限公司 项目 工作 开展 采用 利用 使用 包括 用于 基于 针对 我 您 欢迎 联系 合作 方式 方案 技术 需求 服务 研究 开发 研发 应用 产品 领域 行业 关于 谢谢 就是 如何 怎么 什么 一些 这个 那个 其他 以上 以下 左右 现有 已经 没有 非常 比较 寻找 问题 a an the of and or for to in on with by is are we our us need needs looking partner'.split(
    ' ',
  ),
);
/** Meaningful but generic words: kept at a third of their weight. */
const GENERIC = new Set('系统 设备 平台 装置 方法 工艺 材料 生产 制备 设计 检测 分析 测试 智能 新型 高效 高性能 解决 提升 降低 提高 优化 改进 国内 国际 领先 先进 成果 专利'.split(' '));

const WORDLIKE = /[\p{L}\p{N}]/u;
/** Bare numbers (30, 2000, 0.5): quantities, not topics. */
const NUMBER = /^[\d.,%]+$/;
const HAN = /\p{Script=Han}/u;

let idfTable: Map<string, number> | undefined;
let medianIdf = 10;
/** jieba's IDF table (270k words), loaded once. */
function idf(term: string): number {
  if (!idfTable) {
    idfTable = new Map();
    const values: number[] = [];
    for (const line of Buffer.from(idfDict).toString('utf8').split('\n')) {
      const space = line.lastIndexOf(' ');
      if (space <= 0) continue;
      const value = Number(line.slice(space + 1));
      idfTable.set(line.slice(0, space), value);
      values.push(value);
    }
    values.sort((a, b) => a - b);
    medianIdf = values[values.length >> 1] ?? medianIdf;
  }
  return idfTable.get(term) ?? medianIdf;
}

let canonical: Map<string, string> | undefined;
/** A synonym group's first word stands for the group. */
function canonicalTerm(term: string): string {
  if (!canonical) {
    canonical = new Map();
    for (const group of SYNONYM_GROUPS) for (const word of group) canonical.set(word.toLowerCase(), group[0]!.toLowerCase());
  }
  return canonical.get(term) ?? term;
}

/** A listing's text as the matcher reads it: parts with their weight (title and keywords count more). */
export interface ListingText {
  title: string;
  keywords: readonly string[];
  summary: string;
}

export type TermVector = Map<string, number>;

/** Weighted terms of one piece of text. */
function addTerms(vector: TermVector, text: string, weight: number) {
  for (const raw of segmenter().cutForSearch(text.normalize('NFKC'), true)) {
    const token = raw.trim().toLowerCase();
    if (!WORDLIKE.test(token) || STOP.has(token) || NUMBER.test(token)) continue;
    // A single Han character (膜, 钢, 热) is often meaningful but ambiguous; Latin letters alone never are.
    if (token.length === 1 && !HAN.test(token)) continue;
    const factor = (token.length === 1 ? 0.25 : 1) * (GENERIC.has(token) ? 0.33 : 1);
    const term = canonicalTerm(token);
    vector.set(term, (vector.get(term) ?? 0) + weight * factor * idf(token));
  }
}

/** The listing's TF-IDF vector, normalised to length 1. */
export function termVector(text: ListingText): TermVector {
  const vector: TermVector = new Map();
  addTerms(vector, text.title, 2);
  addTerms(vector, text.keywords.join(' '), 2);
  addTerms(vector, text.summary, 1);
  let norm = 0;
  for (const value of vector.values()) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [term, value] of vector) vector.set(term, value / norm);
  return vector;
}

/** Cosine similarity of two normalised vectors, and the terms that contribute most to it. */
export function similarity(a: TermVector, b: TermVector, top = 4): { value: number; shared: string[] } {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const contributions: [string, number][] = [];
  let value = 0;
  for (const [term, weight] of small) {
    const other = large.get(term);
    if (other === undefined) continue;
    value += weight * other;
    contributions.push([term, weight * other]);
  }
  contributions.sort((x, y) => y[1] - x[1]);
  return { value, shared: contributions.filter(([term]) => term.length > 1).slice(0, top).map(([term]) => term) };
}

let tfidf: TfIdf | undefined;
/**
 * The most telling words of a text (jieba TF-IDF), for candidate queries: short queries, because
 * Meilisearch ranks a long query mostly by its first words.
 */
export function extractKeywords(text: string, topK: number): string[] {
  tfidf ??= TfIdf.withDict(idfDict);
  return tfidf
    .extractKeywords(segmenter(), text.normalize('NFKC'), topK * 2)
    .map((k) => k.keyword.trim())
    .filter((k) => WORDLIKE.test(k) && !STOP.has(k.toLowerCase()) && !NUMBER.test(k) && k.length > 1)
    .slice(0, topK);
}
