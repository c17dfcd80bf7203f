/** Industry fields (行业领域) an organisation works in; listings add sub-fields later. */
export const INDUSTRIES = [
  { code: 'next-gen-it', name: '新一代信息技术', nameEn: 'Next-generation IT' },
  { code: 'electronics', name: '电子信息', nameEn: 'Electronics and information' },
  { code: 'biomedicine', name: '生物医药', nameEn: 'Biomedicine' },
  { code: 'advanced-materials', name: '先进材料', nameEn: 'Advanced materials' },
  { code: 'new-energy', name: '新能源', nameEn: 'New energy' },
  { code: 'new-energy-vehicles', name: '新能源汽车', nameEn: 'New energy vehicles' },
  { code: 'high-end-equipment', name: '高端装备制造', nameEn: 'High-end equipment manufacturing' },
  { code: 'robotics', name: '机器人', nameEn: 'Robotics' },
  { code: 'energy-saving', name: '节能环保', nameEn: 'Energy saving and environmental protection' },
  { code: 'modern-agriculture', name: '现代农业', nameEn: 'Modern agriculture' },
  { code: 'aerospace', name: '航空航天', nameEn: 'Aerospace' },
  { code: 'marine', name: '海洋工程', nameEn: 'Marine engineering' },
  { code: 'digital-creative', name: '数字创意', nameEn: 'Digital creative industries' },
  { code: 'modern-services', name: '现代服务业', nameEn: 'Modern services' },
] as const;

export type IndustryCode = (typeof INDUSTRIES)[number]['code'];
export const INDUSTRY_CODES = INDUSTRIES.map((i) => i.code) as [IndustryCode, ...IndustryCode[]];
