import type { CooperationMode, IpOwnership, OfferTerms, OfferView, z } from '@hub/protocol';
import { fieldPath, rowFieldPath } from './form-errors.ts';

export type IpOwnershipValue = z.infer<typeof IpOwnership>;

/** The terms' fields in the order they are shown (and diffed). */
export const OFFER_FIELDS = ['mode', 'priceCny', 'paymentTerms', 'milestones', 'scope', 'ipOwnership', 'confidentiality', 'validUntil'] as const;
export type OfferField = (typeof OFFER_FIELDS)[number];

export const MAX_MILESTONES = 20;

/** Puts an offer (pushed or answered) into the room's list, oldest version first; a counter marks the version it answers as countered. */
export function upsertOffer(offers: readonly OfferView[], offer: OfferView): OfferView[] {
  const others = offers.filter((o) => o.id !== offer.id);
  const marked = offer.previousId
    ? others.map((o) => (o.id === offer.previousId && o.status === 'open' ? { ...o, status: 'countered' as const } : o))
    : others;
  return [...marked, offer].sort((a, b) => a.version - b.version);
}

/** The offer waiting for an answer: the latest open version, if any. */
export function openOffer(offers: readonly OfferView[]): OfferView | null {
  return offers.filter((o) => o.status === 'open').at(-1) ?? null;
}

/** The agreement in principle: the accepted version, if any. */
export function acceptedOffer(offers: readonly OfferView[]): OfferView | null {
  return offers.filter((o) => o.status === 'accepted').at(-1) ?? null;
}

/** The version an offer answers (a counter's previous one). */
export function previousOffer(offers: readonly OfferView[], offer: Pick<OfferView, 'previousId'>): OfferView | null {
  return offer.previousId ? (offers.find((o) => o.id === offer.previousId) ?? null) : null;
}

/** Whether the viewer's side still has to accept this offer (the proposer's side accepted by proposing it). */
export function awaitsMyAcceptance(offer: Pick<OfferView, 'status' | 'acceptedBy'>, mySide: 'supply' | 'demand' | null): boolean {
  return offer.status === 'open' && mySide !== null && offer.acceptedBy[mySide] === null;
}

const milestonesKey = (terms: Pick<OfferTerms, 'milestones'>) =>
  JSON.stringify(terms.milestones.map((m) => [m.title, m.due, m.paymentPercent]));

/** Whether one field differs between two versions of the terms. */
export function fieldChanged(before: OfferTerms, after: OfferTerms, field: OfferField): boolean {
  if (field === 'milestones') return milestonesKey(before) !== milestonesKey(after);
  return before[field] !== after[field];
}

/** A counter against the version it answers, field by field, in display order. */
export function diffTerms(before: OfferTerms, after: OfferTerms): { field: OfferField; changed: boolean }[] {
  return OFFER_FIELDS.map((field) => ({ field, changed: fieldChanged(before, after, field) }));
}

// ── The form ─────────────────────────────────────────────────────────────────────

export interface MilestoneRow {
  /** Stable key for `{#each}` while rows are added and removed. */
  key: number;
  title: string;
  due: string;
  percent: string;
}

/** The terms as the inputs hold them: numbers as typed strings, unset choices as ''. */
export interface OfferForm {
  mode: CooperationMode | '';
  price: string;
  paymentTerms: string;
  milestones: MilestoneRow[];
  scope: string;
  ipOwnership: IpOwnershipValue | '';
  confidentiality: string;
  validUntil: string;
}

let nextKey = 1;
export const milestoneRow = (row: Partial<Omit<MilestoneRow, 'key'>> = {}): MilestoneRow => ({
  key: nextKey++,
  title: row.title ?? '',
  due: row.due ?? '',
  percent: row.percent ?? '',
});

/** The China-time day `days` from now, as YYYY-MM-DD. */
export function chinaDayFromNow(days: number, now = Date.now()): string {
  return new Date(now + days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** A blank offer (valid for 30 days by default). */
export function emptyOfferForm(now = Date.now()): OfferForm {
  return { mode: '', price: '', paymentTerms: '', milestones: [], scope: '', ipOwnership: '', confidentiality: '', validUntil: chinaDayFromNow(30, now) };
}

/**
 * A counter's starting point: the terms it answers. A validity date already past (or today, about
 * to lapse) moves 30 days ahead, since the server refuses one that is not ahead.
 */
export function formFromTerms(terms: OfferTerms, now = Date.now()): OfferForm {
  const today = chinaDayFromNow(0, now);
  return {
    mode: terms.mode,
    price: String(terms.priceCny),
    paymentTerms: terms.paymentTerms,
    milestones: terms.milestones.map((m) => milestoneRow({ title: m.title, due: m.due, percent: String(m.paymentPercent) })),
    scope: terms.scope,
    ipOwnership: terms.ipOwnership,
    confidentiality: terms.confidentiality,
    validUntil: terms.validUntil > today ? terms.validUntil : chinaDayFromNow(30, now),
  };
}

/** A whole number typed into a field (`1,200,000` and full-width commas are fine); NaN otherwise, so the schema refuses it. */
export function wholeNumber(text: string): number {
  const clean = text.trim().replace(/[,，\s]/g, '');
  return /^\d+$/.test(clean) ? Number(clean) : Number.NaN;
}

/** The `terms` of the request body. Blank numbers are left out, so the schema reports them as missing. */
export function termsFromForm(form: OfferForm): z.input<typeof OfferTerms> {
  const price = form.price.trim() === '' ? undefined : wholeNumber(form.price);
  return {
    mode: (form.mode || undefined) as CooperationMode,
    priceCny: price as number,
    paymentTerms: form.paymentTerms,
    milestones: form.milestones.map((row) => ({
      title: row.title,
      due: row.due,
      paymentPercent: (row.percent.trim() === '' ? undefined : wholeNumber(row.percent)) as number,
    })),
    scope: form.scope,
    ipOwnership: (form.ipOwnership || undefined) as IpOwnershipValue,
    confidentiality: form.confidentiality,
    validUntil: form.validUntil,
  };
}

/** The sum of the milestones' payment shares as typed (blank or odd rows count as 0). */
export function percentTotal(rows: readonly Pick<MilestoneRow, 'percent'>[]): number {
  return rows.reduce((sum, row) => sum + (Number.isNaN(wholeNumber(row.percent)) ? 0 : wholeNumber(row.percent)), 0);
}

/** How an error path of the offer body names its field: `terms.milestones.2.due` keeps its row, `terms.x.0` loses the index. */
export const offerFieldPath = rowFieldPath(['terms.milestones']);

/** Whether the input behind an error path was left blank (the message then reads "required"). */
export function isOfferFieldBlank(form: OfferForm, path: string): boolean {
  const row = /^terms\.milestones\.(\d+)\.(\w+)$/.exec(path);
  if (row) {
    const milestone = form.milestones[Number(row[1])];
    const key = row[2] === 'paymentPercent' ? 'percent' : (row[2] as 'title' | 'due');
    return !milestone || (milestone[key] ?? '').trim() === '';
  }
  const key = fieldPath(path).replace(/^terms\./, '');
  const value = key === 'priceCny' ? form.price : (form as unknown as Record<string, unknown>)[key];
  return typeof value === 'string' && value.trim() === '';
}
