import {
  type CooperationMode,
  DEMAND_KINDS,
  type IpItem,
  type ListingContent,
  type ListingKind,
  type ListingSide,
  type ListingVersionView,
  type Maturity,
  SUPPLY_KINDS,
  type z,
} from '@hub/protocol';
import { fieldPath, rowFieldPath } from './form-errors.ts';

export const MAX_LISTING_INDUSTRIES = 5;
export const MAX_KEYWORDS = 10;
export const MAX_IP_ITEMS = 20;

/** Kinds that belong to one side (the form offers only these). */
export const kindsOf = (side: ListingSide): readonly ListingKind[] => (side === 'supply' ? SUPPLY_KINDS : DEMAND_KINDS);

export interface IpRow {
  /** Stable key for the `{#each}` block while rows are added and removed. */
  key: number;
  type: IpItem['type'];
  number: string;
  title: string;
}

/** A listing's content as the inputs hold it: amounts are 万元 strings, optional numbers are ''. */
export interface ListingForm {
  kind: ListingKind | '';
  title: string;
  summary: string;
  details: string;
  industries: string[];
  keywords: string[];
  provinceCode: string;
  cityCode: string;
  maturity: Maturity | '';
  trl: string;
  modes: CooperationMode[];
  priceMode: 'negotiable' | 'range';
  priceMin: string;
  priceMax: string;
  ip: IpRow[];
  validUntil: string;
}

let nextKey = 1;
export const ipRow = (item: Partial<Omit<IpRow, 'key'>> = {}): IpRow => ({
  key: nextKey++,
  type: item.type ?? 'invention',
  number: item.number ?? '',
  title: item.title ?? '',
});

/** A day `years` from today in China time, as `YYYY-MM-DD` (the default valid-until: one year). */
export function dayFromToday(years: number, now = new Date()): string {
  const china = new Date(now.getTime() + 8 * 3_600_000);
  china.setUTCFullYear(china.getUTCFullYear() + years);
  return china.toISOString().slice(0, 10);
}

export function emptyListingForm(): ListingForm {
  return {
    kind: '',
    title: '',
    summary: '',
    details: '',
    industries: [],
    keywords: [],
    provinceCode: '',
    cityCode: '',
    maturity: '',
    trl: '',
    modes: [],
    priceMode: 'negotiable',
    priceMin: '',
    priceMax: '',
    ip: [],
    validUntil: dayFromToday(1),
  };
}

/** CNY → the 万元 string the input shows (`50000` → `5`, `5000` → `0.5`). */
export const wanFromCny = (cny: number | null): string => (cny === null ? '' : String(cny / 10_000));

/** The 万元 input → whole CNY; NaN for a blank or non-numeric input, so the schema refuses it. */
export function cnyFromWan(wan: string): number {
  const text = wan.trim().replace(/[,，\s]/g, '');
  if (!/^\d+(\.\d+)?$/.test(text)) return Number.NaN;
  return Math.round(Number(text) * 10_000);
}

/** Prefills the form from a version (editing). */
export function formFromContent(content: ListingVersionView['content']): ListingForm {
  return {
    kind: content.kind,
    title: content.title,
    summary: content.summary,
    details: content.details,
    industries: [...content.industries],
    keywords: [...content.keywords],
    provinceCode: content.provinceCode,
    cityCode: content.cityCode,
    maturity: content.maturity,
    trl: content.trl === null ? '' : String(content.trl),
    modes: [...content.modes],
    priceMode: content.price.mode,
    priceMin: wanFromCny(content.price.min),
    priceMax: wanFromCny(content.price.max),
    ip: content.ip.map((i) => ipRow({ type: i.type, number: i.number, title: i.title ?? '' })),
    validUntil: content.validUntil,
  };
}

/** The `content` of the request body. */
export function toContent(form: ListingForm): z.input<typeof ListingContent> {
  return {
    kind: form.kind as ListingKind,
    title: form.title,
    summary: form.summary,
    details: form.details,
    industries: form.industries,
    keywords: form.keywords,
    provinceCode: form.provinceCode,
    cityCode: form.cityCode,
    maturity: form.maturity as Maturity,
    ...(form.trl ? { trl: Number(form.trl) } : {}),
    modes: form.modes,
    price: form.priceMode === 'negotiable' ? { mode: 'negotiable' } : { mode: 'range', min: cnyFromWan(form.priceMin), max: cnyFromWan(form.priceMax) },
    ip: form.ip.map((row) => ({ type: row.type, number: row.number, ...(row.title.trim() ? { title: row.title } : {}) })),
    validUntil: form.validUntil,
  };
}

/** Field errors keep the row of an IP item (`content.ip.1.number`); other indexes belong to the whole field. */
export const listingFieldPath = rowFieldPath(['content.ip']);

const VALUE_OF: Record<string, (form: ListingForm) => unknown> = {
  'content.price.min': (f) => f.priceMin,
  'content.price.max': (f) => f.priceMax,
};

/** Whether the field at an error path (`content.title`, `content.ip.0.number`) was left blank. */
export function isListingFieldBlank(form: ListingForm, path: string): boolean {
  const ip = /^content\.ip\.(\d+)\.(\w+)$/.exec(path);
  let value: unknown;
  if (ip) value = (form.ip[Number(ip[1])] as unknown as Record<string, unknown> | undefined)?.[ip[2]!];
  else if (VALUE_OF[path]) value = VALUE_OF[path](form);
  else {
    const key = fieldPath(path).replace(/^content\./, '');
    value = (form as unknown as Record<string, unknown>)[key];
  }
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'string' ? value.trim() === '' : value === undefined;
}
