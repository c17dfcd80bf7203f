/**
 * The industry taxonomy (行业领域): fields and their sub-fields. Organisations pick fields; listings
 * pick fields or sub-fields. A sub-field's code is `<field>.<sub>`, so its field is its prefix.
 */
export interface IndustryNode {
  code: string;
  name: string;
  nameEn: string;
}
export interface IndustryField extends IndustryNode {
  subfields: readonly IndustryNode[];
}

const sub = (field: string, entries: [string, string, string][]): IndustryNode[] =>
  entries.map(([code, name, nameEn]) => ({ code: `${field}.${code}`, name, nameEn }));

export const INDUSTRIES = [
  { code: 'next-gen-it', name: '新一代信息技术', nameEn: 'Next-generation IT', subfields: sub('next-gen-it', [
    ['ai', '人工智能', 'Artificial intelligence'], ['big-data', '大数据', 'Big data'], ['cloud', '云计算', 'Cloud computing'],
    ['iot', '物联网', 'Internet of things'], ['blockchain', '区块链', 'Blockchain'], ['cybersecurity', '网络安全', 'Cybersecurity'],
    ['industrial-software', '工业软件', 'Industrial software'],
  ]) },
  { code: 'electronics', name: '电子信息', nameEn: 'Electronics and information', subfields: sub('electronics', [
    ['ic', '集成电路', 'Integrated circuits'], ['semiconductor-devices', '半导体器件', 'Semiconductor devices'], ['display', '新型显示', 'Displays'],
    ['communication', '通信设备', 'Communication equipment'], ['sensors', '传感器', 'Sensors'], ['optoelectronics', '光电子', 'Optoelectronics'],
  ]) },
  { code: 'biomedicine', name: '生物医药', nameEn: 'Biomedicine', subfields: sub('biomedicine', [
    ['innovative-drugs', '创新药', 'Innovative drugs'], ['biologics', '生物制品', 'Biologics'], ['medical-devices', '医疗器械', 'Medical devices'],
    ['diagnostics', '体外诊断', 'In-vitro diagnostics'], ['tcm', '中医药', 'Traditional Chinese medicine'], ['gene-cell', '基因与细胞治疗', 'Gene and cell therapy'],
  ]) },
  { code: 'advanced-materials', name: '先进材料', nameEn: 'Advanced materials', subfields: sub('advanced-materials', [
    ['metals', '先进金属材料', 'Advanced metals'], ['polymers', '高分子材料', 'Polymers'], ['ceramics', '先进陶瓷', 'Advanced ceramics'],
    ['composites', '复合材料', 'Composites'], ['nano', '纳米材料', 'Nanomaterials'], ['graphene', '石墨烯', 'Graphene'],
  ]) },
  { code: 'new-energy', name: '新能源', nameEn: 'New energy', subfields: sub('new-energy', [
    ['lithium-battery', '锂电池', 'Lithium batteries'], ['energy-storage', '储能', 'Energy storage'], ['photovoltaic', '光伏', 'Photovoltaics'],
    ['wind', '风电', 'Wind power'], ['hydrogen', '氢能与燃料电池', 'Hydrogen and fuel cells'], ['smart-grid', '智能电网', 'Smart grid'],
  ]) },
  { code: 'new-energy-vehicles', name: '新能源汽车', nameEn: 'New energy vehicles', subfields: sub('new-energy-vehicles', [
    ['power-battery', '动力电池', 'Traction batteries'], ['motor-control', '电机电控', 'Motors and controllers'], ['charging', '充换电', 'Charging and swapping'],
    ['autonomous-driving', '智能驾驶', 'Autonomous driving'], ['lightweight', '轻量化', 'Lightweighting'],
  ]) },
  { code: 'high-end-equipment', name: '高端装备制造', nameEn: 'High-end equipment manufacturing', subfields: sub('high-end-equipment', [
    ['cnc', '数控机床', 'CNC machine tools'], ['intelligent-manufacturing', '智能制造', 'Intelligent manufacturing'], ['additive', '增材制造', 'Additive manufacturing'],
    ['rail', '轨道交通装备', 'Rail transit equipment'], ['precision-instruments', '精密仪器', 'Precision instruments'],
  ]) },
  { code: 'robotics', name: '机器人', nameEn: 'Robotics', subfields: sub('robotics', [
    ['industrial', '工业机器人', 'Industrial robots'], ['service', '服务机器人', 'Service robots'], ['special', '特种机器人', 'Special-purpose robots'],
    ['machine-vision', '机器视觉', 'Machine vision'], ['core-components', '核心零部件', 'Core components'],
  ]) },
  { code: 'energy-saving', name: '节能环保', nameEn: 'Energy saving and environmental protection', subfields: sub('energy-saving', [
    ['water', '水处理', 'Water treatment'], ['air', '大气治理', 'Air pollution control'], ['solid-waste', '固废资源化', 'Solid waste recycling'],
    ['soil', '土壤修复', 'Soil remediation'], ['efficiency', '节能技术', 'Energy efficiency'], ['carbon', '碳捕集与利用', 'Carbon capture and use'],
  ]) },
  { code: 'modern-agriculture', name: '现代农业', nameEn: 'Modern agriculture', subfields: sub('modern-agriculture', [
    ['breeding', '种业育种', 'Breeding'], ['smart-agriculture', '智慧农业', 'Smart agriculture'], ['agri-machinery', '农业机械', 'Agricultural machinery'],
    ['food-processing', '农产品加工', 'Food processing'], ['animal-health', '动物疫病防控', 'Animal health'],
  ]) },
  { code: 'aerospace', name: '航空航天', nameEn: 'Aerospace', subfields: sub('aerospace', [
    ['uav', '无人机', 'Unmanned aerial vehicles'], ['satellite', '卫星应用', 'Satellite applications'], ['aero-engine', '航空发动机', 'Aero engines'],
  ]) },
  { code: 'marine', name: '海洋工程', nameEn: 'Marine engineering', subfields: sub('marine', [
    ['offshore-equipment', '海洋装备', 'Offshore equipment'], ['marine-bio', '海洋生物', 'Marine biology'], ['desalination', '海水淡化', 'Desalination'],
  ]) },
  { code: 'digital-creative', name: '数字创意', nameEn: 'Digital creative industries', subfields: sub('digital-creative', [
    ['vr-ar', '虚拟现实', 'Virtual and augmented reality'], ['digital-media', '数字媒体', 'Digital media'], ['industrial-design', '工业设计', 'Industrial design'],
  ]) },
  { code: 'modern-services', name: '现代服务业', nameEn: 'Modern services', subfields: sub('modern-services', [
    ['testing', '检验检测', 'Testing and inspection'], ['ip-services', '知识产权服务', 'IP services'], ['tech-finance', '科技金融', 'Technology finance'],
    ['consulting', '科技咨询', 'Technology consulting'], ['tech-transfer', '技术转移服务', 'Technology transfer services'],
  ]) },
] as const satisfies readonly IndustryField[];

export type IndustryCode = (typeof INDUSTRIES)[number]['code'];
export const INDUSTRY_CODES = INDUSTRIES.map((i) => i.code) as [IndustryCode, ...IndustryCode[]];

/** Every field and sub-field code, for validating listings. */
export const INDUSTRY_NODE_CODES: readonly string[] = INDUSTRIES.flatMap((f) => [f.code, ...f.subfields.map((s) => s.code)]);

const NODE_BY_CODE = new Map<string, IndustryNode>(INDUSTRIES.flatMap((f) => [[f.code, f] as const, ...f.subfields.map((s) => [s.code, s] as const)]));

export function industryNode(code: string): IndustryNode | undefined {
  return NODE_BY_CODE.get(code);
}

/** The field a code belongs to (itself for a field). */
export const industryField = (code: string): string => code.split('.')[0]!;
