import { OfferTerms, type OfferView } from '@hub/protocol';
import { describe, expect, it } from 'vitest';
import { issuesToFields, translateFieldErrors } from './form-errors.ts';
import {
  acceptedOffer,
  awaitsMyAcceptance,
  chinaDayFromNow,
  diffTerms,
  emptyOfferForm,
  formFromTerms,
  isOfferFieldBlank,
  milestoneRow,
  offerFieldPath,
  openOffer,
  percentTotal,
  previousOffer,
  termsFromForm,
  upsertOffer,
  wholeNumber,
} from './offers.ts';

// The schema checks validity dates against the real clock.
const NOW = Date.now();

const TERMS: OfferTerms = {
  mode: 'license',
  priceCny: 1_200_000,
  paymentTerms: '合同签订后 15 日内支付首款',
  milestones: [
    { title: '技术资料交付', due: '2026-06-30', paymentPercent: 40 },
    { title: '验收', due: '2026-09-30', paymentPercent: 60 },
  ],
  scope: '独占许可，浙江省内',
  ipOwnership: 'supplier',
  confidentiality: '保密期三年',
  validUntil: chinaDayFromNow(30, NOW),
};

function offer(id: string, version: number, overrides: Partial<OfferView> = {}): OfferView {
  return {
    id,
    roomId: 'room-1',
    version,
    previousId: null,
    side: 'supply',
    author: { id: 'u1', name: '张工' },
    terms: TERMS,
    status: 'open',
    acceptedBy: { supply: '2026-05-01T04:00:00.000Z', demand: null },
    seq: version + 1,
    createdAt: '2026-05-01T04:00:00.000Z',
    ...overrides,
  };
}

describe('offer versions', () => {
  it('a counter marks the version it answers as countered; versions stay in order', () => {
    const v1 = offer('o1', 1);
    const v2 = offer('o2', 2, { previousId: 'o1', side: 'demand', acceptedBy: { supply: null, demand: '2026-05-01T05:00:00.000Z' } });
    const list = upsertOffer(upsertOffer([], v2), v1);
    expect(list.map((o) => [o.version, o.status])).toEqual([
      [1, 'open'],
      [2, 'open'],
    ]);
    // Pushed in order, the counter closes the version before it.
    const live = upsertOffer([v1], v2);
    expect(live.map((o) => [o.version, o.status])).toEqual([
      [1, 'countered'],
      [2, 'open'],
    ]);
    expect(openOffer(live)?.id).toBe('o2');
    expect(previousOffer(live, v2)?.id).toBe('o1');
    // The same offer again (a push after the POST's answer) replaces it, no duplicate.
    expect(upsertOffer(live, { ...v2, status: 'accepted' })).toHaveLength(2);
    expect(acceptedOffer(upsertOffer(live, { ...v2, status: 'accepted' }))?.id).toBe('o2');
    expect(openOffer(upsertOffer(live, { ...v2, status: 'accepted' }))).toBeNull();
  });

  it('the side that has not accepted yet is asked to; the proposer is not', () => {
    const v1 = offer('o1', 1);
    expect(awaitsMyAcceptance(v1, 'demand')).toBe(true);
    expect(awaitsMyAcceptance(v1, 'supply')).toBe(false);
    expect(awaitsMyAcceptance(v1, null)).toBe(false);
    expect(awaitsMyAcceptance({ ...v1, status: 'countered' }, 'demand')).toBe(false);
  });
});

describe('diffTerms', () => {
  it('marks exactly the fields that changed, in display order', () => {
    const after: OfferTerms = { ...TERMS, priceCny: 1_000_000, ipOwnership: 'joint' };
    const diff = diffTerms(TERMS, after);
    expect(diff.map((d) => d.field)).toEqual(['mode', 'priceCny', 'paymentTerms', 'milestones', 'scope', 'ipOwnership', 'confidentiality', 'validUntil']);
    expect(diff.filter((d) => d.changed).map((d) => d.field)).toEqual(['priceCny', 'ipOwnership']);
  });

  it('compares milestones by content, so a changed share or date shows and equal copies do not', () => {
    expect(diffTerms(TERMS, { ...TERMS, milestones: TERMS.milestones.map((m) => ({ ...m })) }).some((d) => d.changed)).toBe(false);
    const shifted = { ...TERMS, milestones: [{ ...TERMS.milestones[0]!, paymentPercent: 30 }, { ...TERMS.milestones[1]!, paymentPercent: 70 }] };
    expect(diffTerms(TERMS, shifted).filter((d) => d.changed).map((d) => d.field)).toEqual(['milestones']);
    expect(diffTerms(TERMS, { ...TERMS, milestones: [] }).filter((d) => d.changed).map((d) => d.field)).toEqual(['milestones']);
  });
});

describe('the offer form', () => {
  it('a counter starts from the terms it answers and round-trips to the same terms', () => {
    const form = formFromTerms(TERMS, NOW);
    expect(form).toMatchObject({ mode: 'license', price: '1200000', ipOwnership: 'supplier', validUntil: TERMS.validUntil });
    expect(form.milestones.map((m) => m.percent)).toEqual(['40', '60']);
    const parsed = OfferTerms.safeParse(termsFromForm(form));
    expect(parsed.success).toBe(true);
    expect(termsFromForm(form)).toEqual(TERMS);
  });

  it('a validity date that is not ahead moves 30 days on', () => {
    expect(formFromTerms({ ...TERMS, validUntil: chinaDayFromNow(0, NOW) }, NOW).validUntil).toBe(chinaDayFromNow(30, NOW));
    expect(formFromTerms({ ...TERMS, validUntil: chinaDayFromNow(-3, NOW) }, NOW).validUntil).toBe(chinaDayFromNow(30, NOW));
    expect(formFromTerms({ ...TERMS, validUntil: chinaDayFromNow(1, NOW) }, NOW).validUntil).toBe(chinaDayFromNow(1, NOW));
    expect(emptyOfferForm(NOW).validUntil).toBe(chinaDayFromNow(30, NOW));
  });

  it('numbers are whole, commas allowed; anything else is refused by the schema', () => {
    expect(wholeNumber('1,200,000')).toBe(1_200_000);
    expect(wholeNumber(' 1，000 ')).toBe(1000);
    expect(wholeNumber('12.5')).toBeNaN();
    expect(wholeNumber('-3')).toBeNaN();
    expect(percentTotal([milestoneRow({ percent: '40' }), milestoneRow({ percent: 'x' }), milestoneRow({ percent: '35' })])).toBe(75);
  });

  it('a blank form reports each missing field (as required), milestone rows by row', () => {
    const form = { ...emptyOfferForm(NOW), milestones: [milestoneRow({ title: '首付', due: '', percent: '100' })] };
    const parsed = OfferTerms.safeParse(termsFromForm(form));
    expect(parsed.success).toBe(false);
    const fields = issuesToFields(parsed.error!.issues).map((f) => ({ ...f, path: `terms.${f.path}` }));
    const errors = translateFieldErrors(fields, (path) => isOfferFieldBlank(form, path), offerFieldPath);
    expect(Object.keys(errors).sort()).toEqual(['terms.ipOwnership', 'terms.milestones.0.due', 'terms.mode', 'terms.paymentTerms', 'terms.priceCny', 'terms.scope'].sort());
    expect(errors['terms.milestones.0.due']).toBe('请输入有效日期。');
    const { 'terms.milestones.0.due': _due, ...others } = errors;
    expect(new Set(Object.values(others))).toEqual(new Set(['此项为必填项。']));
  });

  it('shares that do not add up to 100 are reported on the milestones', () => {
    const form = formFromTerms({ ...TERMS, milestones: [{ ...TERMS.milestones[0]!, paymentPercent: 50 }] }, NOW);
    const parsed = OfferTerms.safeParse(termsFromForm(form));
    const fields = issuesToFields(parsed.error!.issues).map((f) => ({ ...f, path: `terms.${f.path}` }));
    expect(translateFieldErrors(fields, (path) => isOfferFieldBlank(form, path), offerFieldPath)).toEqual({
      'terms.milestones': '各付款节点的付款比例合计须为 100%。',
    });
  });
});
