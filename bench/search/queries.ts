/**
 * The mixed query set: real Chinese phrases, sub-words of compounds (电池 inside 锂电池), two-word
 * queries, queries with filters, and filter-only queries (empty q). Values are query-string
 * parameters of GET /api/listings/search (lists comma-separated).
 */
export interface BenchQuery {
  label: string;
  params: Record<string, string>;
}

const q = (text: string, filters: Record<string, string> = {}): BenchQuery => {
  const params = { ...(text ? { q: text } : {}), ...filters };
  const label = [text || '(no text)', ...Object.entries(filters).map(([k, v]) => `${k}=${v}`)].join(' ');
  return { label, params };
};

export const QUERIES: BenchQuery[] = [
  // Phrases as users type them.
  q('锂电池热失控'),
  q('工业机器人视觉检测'),
  q('光伏组件回收'),
  q('储能系统安全'),
  q('基因测序'),
  q('氢燃料电池'),
  q('机器视觉缺陷检测'),
  q('污水处理膜'),
  q('碳化硅功率器件'),
  q('石墨烯导热膜'),
  q('无人机巡检'),
  q('海水淡化'),
  q('数控机床'),
  q('MEMS压力传感器'),
  // Single words, and sub-words inside compounds (电池 ⊂ 锂电池, 机器人 ⊂ 工业机器人).
  q('电池'),
  q('机器人'),
  q('大模型'),
  q('人工智能'),
  q('激光雷达'),
  q('传感器'),
  q('疫苗'),
  q('视觉'),
  q('检测'),
  q('电机'),
  q('膜'),
  q('芯片'),
  q('回收'),
  // Two words.
  q('锂电池 储能'),
  q('无人机 农业'),
  q('机器视觉 质检'),
  q('AI 质检'),
  // Text with filters.
  q('锂电池', { side: 'demand' }),
  q('机器人', { industry: 'robotics', province: '440000' }),
  q('电池', { maturity: 'pilot,industrial' }),
  q('光伏', { priceMin: '1000000', priceMax: '10000000' }),
  q('生物医药', { side: 'supply', industry: 'biomedicine' }),
  q('数控机床', { province: '320000', maturity: 'industrial' }),
  q('人工智能', { kind: 'tech_need' }),
  q('检测', { side: 'supply', industry: 'modern-services.testing', priceMax: '500000' }),
  // Filters only.
  q('', { side: 'demand', industry: 'new-energy' }),
  q('', { province: '110000', maturity: 'pilot' }),
];
