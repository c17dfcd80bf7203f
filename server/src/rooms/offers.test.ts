import type { OfferView, RoomEntryView } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../../test/client.ts';
import { dayFromNow, registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { collect, waitFor } from '../../test/room-client.ts';
import { buildRoom, clientKey as key, openRoom as openRoomOf } from '../../test/room-factory.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub();
});
afterAll(async () => {
  // Let the presence announcements of the sockets just closed finish before Redis goes away.
  await new Promise((r) => setTimeout(r, 300));
  await t.close();
});


/** 意向条款 for a licence of a battery-safety technology. */
const buildTerms = (overrides: Record<string, unknown> = {}) => ({
  mode: 'license',
  priceCny: 1_200_000,
  paymentTerms: '合同签订后30日内支付40%，中试验收后支付60%',
  milestones: [
    { title: '技术资料交付', due: dayFromNow(30), paymentPercent: 40 },
    { title: '中试验收', due: dayFromNow(120), paymentPercent: 60 },
  ],
  scope: '锂电池热失控多参数预警技术在储能电站项目中的普通许可，许可期五年，限浙江省内。',
  ipOwnership: 'supplier',
  confidentiality: '双方对技术秘密负保密义务，期限五年。',
  validUntil: dayFromNow(14),
  ...overrides,
});

const openRoom = () => openRoomOf(t.ctx.db, t.baseUrl);

describe('offers (意向条款)', () => {
  it('a proposal is a room entry with its terms, and the other side sees the entry and the offer live', async () => {
    const { room, supplier, b, close } = await openRoom();
    const entrySeen = nextEvent(b, 'room:entry');
    const offerSeen = nextEvent(b, 'room:offer');
    const terms = buildTerms();
    const res = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms });
    expect(res.status).toBe(201);
    const offer = res.body as OfferView;
    expect(offer).toMatchObject({ roomId: room.id, version: 1, previousId: null, side: 'supply', status: 'open', author: { id: supplier.userId }, seq: 1, terms });
    expect(offer.acceptedBy.supply).toEqual(expect.any(String));
    expect(offer.acceptedBy.demand).toBeNull();
    const entry = await entrySeen;
    expect(entry).toMatchObject({ seq: 1, kind: 'offer', author: { id: supplier.userId }, data: { offerId: offer.id, version: 1, previousId: null, side: 'supply', terms } });
    expect(await offerSeen).toEqual(offer);
    const listed = await supplier.client.get(`/api/rooms/${room.id}/offers`);
    expect(listed.body.offers).toEqual([offer]);
    close();
  });

  it('a counter links to the open offer, which becomes countered; acceptance by both records the exact terms and moves the room to intent', async () => {
    const { room, supplier, demander, a, b, close } = await openRoom();
    const offersToA = collect(a, 'room:offer');
    const first = (await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() })).body as OfferView;
    const counterTerms = buildTerms({ priceCny: 950_000, ipOwnership: 'joint' });
    const counter = await demander.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: counterTerms, previousId: first.id });
    expect(counter.status).toBe(201);
    expect(counter.body).toMatchObject({ version: 2, previousId: first.id, side: 'demand', status: 'open', seq: 2, terms: counterTerms });
    expect(counter.body.acceptedBy).toEqual({ supply: null, demand: expect.any(String) });
    await waitFor('three offers to A', () => offersToA.length === 3);
    expect(offersToA.map((o) => [o.version, o.status])).toEqual([[1, 'open'], [1, 'countered'], [2, 'open']]);
    expect((await t.ctx.db.roomOffer.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('countered');
    // The countered version can no longer be accepted or countered.
    expect((await demander.client.post(`/api/rooms/${room.id}/offers/${first.id}/accept`)).body.error).toBe('offer_state_conflict');
    expect((await demander.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms(), previousId: first.id })).body.error).toBe('offer_state_conflict');

    const entriesToB = collect(b, 'room:entry');
    const offersToB = collect(b, 'room:offer');
    const updated = nextEvent(b, 'room:updated');
    const accepted = await supplier.client.post(`/api/rooms/${room.id}/offers/${counter.body.id}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id: counter.body.id, status: 'accepted', acceptedBy: { supply: expect.any(String), demand: counter.body.acceptedBy.demand } });
    expect(await updated).toMatchObject({ id: room.id, stage: 'intent', lastSeq: 4, frozen: false });
    expect((await updated as Record<string, unknown>).mySide).toBeUndefined();
    await waitFor('the entries and the offer to B', () => entriesToB.length === 2 && offersToB.length === 1);
    const [agreement, stage] = entriesToB as RoomEntryView[];
    expect(agreement).toMatchObject({ seq: 3, kind: 'agreement', author: { id: supplier.userId } });
    expect(agreement!.data).toEqual({
      offerId: counter.body.id,
      version: 2,
      terms: counterTerms,
      acceptedBy: { supply: accepted.body.acceptedBy.supply, demand: accepted.body.acceptedBy.demand },
    });
    expect(stage).toMatchObject({ seq: 4, kind: 'stage', data: { from: 'first_contact', to: 'intent', side: 'supply' } });
    expect(offersToB[0]).toEqual(accepted.body);
    expect((await supplier.client.get(`/api/rooms/${room.id}`)).body.stage).toBe('intent');
    // Accepted: nothing more to accept.
    expect((await supplier.client.post(`/api/rooms/${room.id}/offers/${counter.body.id}/accept`)).body.error).toBe('offer_state_conflict');
    const listed = await demander.client.get(`/api/rooms/${room.id}/offers`);
    expect(listed.body.offers.map((o: OfferView) => [o.version, o.status])).toEqual([[1, 'countered'], [2, 'accepted']]);
    close();
  });

  it('refuses accepting or countering your own offer, and a second open offer', async () => {
    const { room, supplier, demander, close } = await openRoom();
    const offer = (await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() })).body as OfferView;
    const own = await supplier.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`);
    expect([own.status, own.body.error]).toEqual([409, 'offer_state_conflict']);
    const ownCounter = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms({ priceCny: 1 }), previousId: offer.id });
    expect([ownCounter.status, ownCounter.body.error]).toEqual([409, 'offer_state_conflict']);
    for (const client of [supplier.client, demander.client]) {
      const second = await client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() });
      expect([second.status, second.body.error]).toEqual([409, 'offer_state_conflict']);
    }
    const missing = await demander.client.post(`/api/rooms/${room.id}/offers/00000000-0000-4000-8000-000000000000/accept`);
    expect([missing.status, missing.body.error]).toEqual([404, 'offer_not_found']);
    expect(await t.ctx.db.roomOffer.count({ where: { roomId: room.id } })).toBe(1);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(1);
    close();
  });

  it('refuses invalid terms with field errors and stores nothing', async () => {
    const { room, supplier, close } = await openRoom();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ priceCny: -1 }, 'terms.priceCny', 'price_negative'],
      [{ validUntil: dayFromNow(-1) }, 'terms.validUntil', 'valid_until_past'],
      [{ milestones: [{ title: '交付', due: dayFromNow(10), paymentPercent: 40 }, { title: '验收', due: dayFromNow(40), paymentPercent: 50 }] }, 'terms.milestones', 'payment_percent_total_not_100'],
    ];
    for (const [overrides, path, message] of cases) {
      const res = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms(overrides) });
      expect(res.status, path).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.details.fields).toContainEqual({ path, message });
    }
    expect(await t.ctx.db.roomOffer.count({ where: { roomId: room.id } })).toBe(0);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(0);
    close();
  });

  it('refuses a lone surrogate or a NUL in the terms with a coded 400 and stores nothing', async () => {
    const { room, supplier, close } = await openRoom();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ paymentTerms: '首付40%\uD800' }, 'terms.paymentTerms', 'invalid_text'],
      [{ scope: '普通许可\uDC00，限浙江省内' }, 'terms.scope', 'invalid_text'],
      [{ confidentiality: '保密\u0000五年' }, 'terms.confidentiality', 'control_characters'],
      [{ milestones: [{ title: '交付\uD83D', due: dayFromNow(10), paymentPercent: 100 }] }, 'terms.milestones.0.title', 'invalid_text'],
    ];
    for (const [overrides, path, message] of cases) {
      const res = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms(overrides) });
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ error: 'validation_failed', details: { fields: [{ path, message }] } });
    }
    expect(await t.ctx.db.roomOffer.count({ where: { roomId: room.id } })).toBe(0);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(0);
    close();
  });

  it('a resend with the same client key returns the first offer; the same key with other terms is 409', async () => {
    const { room, supplier, close } = await openRoom();
    const clientKey = key();
    const terms = buildTerms();
    const first = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey, terms });
    const again = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey, terms });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const changed = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey, terms: { ...terms, priceCny: 1_000_000 } });
    expect([changed.status, changed.body.error]).toEqual([409, 'idempotency_conflict']);
    expect(await t.ctx.db.roomOffer.count({ where: { roomId: room.id } })).toBe(1);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(1);
    close();
  });

  it('two sends of one offer at once store it once; two different proposals at once leave one open', async () => {
    const { room, supplier, close } = await openRoom();
    const clientKey = key();
    const terms = buildTerms();
    const resends = await Promise.all([0, 1, 2].map(() => supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey, terms })));
    expect(resends.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(resends.map((r) => r.body.id)).size).toBe(1);
    expect(await t.ctx.db.roomOffer.count({ where: { roomId: room.id } })).toBe(1);

    const other = await buildRoom(t.ctx.db, t.baseUrl);
    const racing = await Promise.all([
      other.supplier.client.post(`/api/rooms/${other.room.id}/offers`, { clientKey: key(), terms }),
      other.demander.client.post(`/api/rooms/${other.room.id}/offers`, { clientKey: key(), terms: buildTerms({ priceCny: 800_000 }) }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await t.ctx.db.roomOffer.count({ where: { roomId: other.room.id, status: 'open' } })).toBe(1);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: other.room.id } })).toBe(1);
    close();
  });

  it('parties only: staff may read offers but get 403 making or accepting; outsiders get 404', async () => {
    const { room, supplier, close } = await openRoom();
    const offer = (await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() })).body as OfferView;
    const staff = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
    expect((await staff.client.get(`/api/rooms/${room.id}/offers`)).body.offers).toHaveLength(1);
    expect((await staff.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() })).status).toBe(403);
    expect((await staff.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`)).status).toBe(403);
    const outsider = await registerApprovedMember(t.ctx.db, t.baseUrl);
    for (const res of [
      await outsider.client.get(`/api/rooms/${room.id}/offers`),
      await outsider.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() }),
      await outsider.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`),
    ]) {
      expect([res.status, res.body.error]).toEqual([404, 'room_not_found']);
    }
    expect(await t.ctx.db.roomOffer.count({ where: { roomId: room.id } })).toBe(1);
    close();
  });

  it('a closed or frozen room takes no offers or acceptances; an offer past its validity cannot be accepted but still lists', async () => {
    const { room, supplier, demander, close } = await openRoom();
    const offer = (await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() })).body as OfferView;
    await t.ctx.db.negotiationRoom.update({ where: { id: room.id }, data: { frozenAt: new Date() } });
    expect((await demander.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`)).body.error).toBe('room_state_conflict');
    await t.ctx.db.negotiationRoom.update({ where: { id: room.id }, data: { frozenAt: null } });
    await t.ctx.db.roomOffer.update({ where: { id: offer.id }, data: { terms: { ...offer.terms, validUntil: dayFromNow(-1), milestones: [] } } });
    const expired = await demander.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`);
    expect([expired.status, expired.body.error]).toEqual([409, 'offer_state_conflict']);
    expect((await demander.client.get(`/api/rooms/${room.id}/offers`)).status).toBe(200);
    // A lapsed offer no longer blocks a fresh proposal: it is withdrawn.
    const fresh = await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() });
    expect(fresh.body).toMatchObject({ version: 2, previousId: null, status: 'open' });
    expect((await t.ctx.db.roomOffer.findUniqueOrThrow({ where: { id: offer.id } })).status).toBe('withdrawn');
    // The lapse is on the record, just before the new offer.
    const entries = (await demander.client.get(`/api/rooms/${room.id}/entries`)).body.entries as RoomEntryView[];
    expect(entries.slice(-2).map((e) => [e.kind, e.author, e.data.action ?? null, e.data.offerId])).toEqual([
      ['offer', null, 'lapsed', offer.id],
      ['offer', expect.objectContaining({ id: supplier.userId }), null, fresh.body.id],
    ]);
    expect(entries.at(-2)!.data).toMatchObject({ version: 1, validUntil: dayFromNow(-1) });
    expect((await demander.client.post(`/api/rooms/${room.id}/stage`, { stage: 'closed' })).status).toBe(200);
    expect((await demander.client.post(`/api/rooms/${room.id}/offers/${fresh.body.id}/accept`)).body.error).toBe('room_state_conflict');
    expect((await demander.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms(), previousId: fresh.body.id })).body.error).toBe(
      'room_state_conflict',
    );
    close();
  });

  it('a room already at intent keeps its stage on agreement', async () => {
    const { room, supplier, demander, b, close } = await openRoom();
    // 达成意向 without an offer takes both sides: one proposes, the other confirms.
    expect((await demander.client.post(`/api/rooms/${room.id}/stage`, { stage: 'intent' })).body).toMatchObject({ stage: 'first_contact' });
    expect((await supplier.client.post(`/api/rooms/${room.id}/stage`, { stage: 'intent' })).body).toMatchObject({ stage: 'intent', stageProposal: null });
    const offer = (await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() })).body as OfferView;
    const updates = collect(b, 'room:updated');
    const accepted = await demander.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`);
    expect(accepted.body.status).toBe('accepted');
    const kinds = (await t.ctx.db.roomEntry.findMany({ where: { roomId: room.id }, orderBy: { seq: 'asc' } })).map((e) => e.kind);
    expect(kinds).toEqual(['stage', 'stage', 'offer', 'agreement']);
    await new Promise((r) => setTimeout(r, 200));
    expect(updates).toEqual([]);
    close();
  });

  it('an accepted offer reaches 达成意向 without a proposal, and a proposal pending meanwhile lapses', async () => {
    const { room, supplier, demander, close } = await openRoom();
    const proposed = await supplier.client.post(`/api/rooms/${room.id}/stage`, { stage: 'signed' });
    expect(proposed.body).toMatchObject({ stage: 'first_contact', stageProposal: { stage: 'signed', side: 'supply' } });
    const offer = (await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms: buildTerms() })).body as OfferView;
    expect((await demander.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`)).body.status).toBe('accepted');
    expect((await demander.client.get(`/api/rooms/${room.id}`)).body).toMatchObject({ stage: 'intent', stageProposal: null });
    // The lapsed proposal can no longer be confirmed: 签约 needs a new one.
    const late = await demander.client.post(`/api/rooms/${room.id}/stage`, { stage: 'signed' });
    expect(late.body).toMatchObject({ stage: 'intent', stageProposal: { stage: 'signed', side: 'demand' } });
    close();
  });

  it('two racing accepts make exactly one agreement, and the evidence export verifies with the offer and agreement in it', async () => {
    const { room, supplier, demander, close } = await openRoom();
    const terms = buildTerms();
    const offer = (await supplier.client.post(`/api/rooms/${room.id}/offers`, { clientKey: key(), terms })).body as OfferView;
    const results = await Promise.all([0, 1, 2].map(() => demander.client.post(`/api/rooms/${room.id}/offers/${offer.id}/accept`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id, kind: 'agreement' } })).toBe(1);
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id, kind: 'stage' } })).toBe(1);

    const evidence = await demander.client.get(`/api/rooms/${room.id}/evidence`);
    expect(evidence.status).toBe(200);
    expect(evidence.body.verification).toMatchObject({ ok: true, checked: 3, firstBroken: null });
    expect(evidence.body.room.stage).toBe('intent');
    const entries = evidence.body.entries as RoomEntryView[];
    expect(entries.map((e) => e.kind)).toEqual(['offer', 'agreement', 'stage']);
    expect(entries[0]!.data).toMatchObject({ offerId: offer.id, terms });
    expect(entries[1]!.data).toMatchObject({ offerId: offer.id, version: 1, terms });
    // The printable page spells out the offer and the agreed terms, not just that something happened.
    const page = (await demander.client.get(`/api/rooms/${room.id}/evidence?format=html`)).text;
    expect(page).toContain('供方提出第 1 版条款');
    expect(page).toContain('双方接受条款，达成意向');
    expect(page.split(`&quot;priceCny&quot;: ${terms.priceCny}`).length - 1).toBe(2);
    close();
  });
});
