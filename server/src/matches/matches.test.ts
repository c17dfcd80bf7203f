import { randomBytes, randomUUID } from 'node:crypto';
import { MatchPusher } from '@hub/matching';
import { presenceKey } from '@hub/platform/realtime';
import { MATCH_FEATURES, type ListingContent, type MatchConsole, type ServerToClientEvents } from '@hub/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../../worker/src/worker.ts';
import { ApiClient, connected } from '../../test/client.ts';
import { buildListingContent, registerApprovedMember, registerMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

/**
 * 供需匹配 end to end, on the real services: listings published through the API and review, matched by
 * a real worker (Meilisearch candidates, scoring, storage), pushed over real sockets, answered and
 * confirmed through the API. Every topic below uses its own vocabulary and industry field, so the
 * listings of one topic never match those of another.
 */

const LIVE = { timeout: 20_000, interval: 100 };
const approve = { decision: 'approve', checklist: { no_classified_content: true, true_and_accurate: true, current_and_valid: true } };

type Member = Awaited<ReturnType<typeof registerApprovedMember>>;
type Staff = Awaited<ReturnType<typeof signInStaff>>;
type EventName = keyof ServerToClientEvents;
type Payload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

const university = { organization: { type: 'university' as const, enterpriseSize: undefined } };
const institute = { organization: { type: 'research_institute' as const, enterpriseSize: undefined } };
const agency = { organization: { type: 'service_agency' as const, enterpriseSize: undefined, specialities: ['brokerage' as const] } };

/** Everything one socket received, in order, so a test can look for its event among unrelated ones. */
interface Feed {
  events: { event: string; payload: unknown }[];
  of<E extends EventName>(event: E): Payload<E>[];
  close(): void;
}

/** A world: one hub, one in-process worker, one reviewer, and the sockets opened on it. */
interface World {
  t: TestHub;
  worker: ReturnType<typeof startWorker>;
  reviewer: Staff;
  feeds: Feed[];
}

async function startWorld(overrides: Record<string, string> = {}): Promise<World> {
  const t = await startTestHub(overrides);
  const worker = startWorker(t.config, t.urls, pino({ level: 'silent' }), { metricsPort: 0 });
  await worker.listening;
  return { t, worker, reviewer: await signInStaff(t.ctx.db, t.baseUrl, 'reviewer'), feeds: [] };
}

async function stopWorld(w: World | undefined) {
  if (!w) return;
  for (const feed of w.feeds) feed.close();
  await w.worker.close();
  await w.t.close();
}

/** Polls `probe` until `ok` holds (usable in hooks, where expect.poll is not). */
async function until<T>(what: string, probe: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = LIVE.timeout): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, LIVE.interval));
  }
}

/** Opens a socket for a signed-in user and waits until the server counts them online. */
async function listen(w: World, user: { client: ApiClient; userId: string }): Promise<Feed> {
  const socket = user.client.socket();
  const events: Feed['events'] = [];
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
  await connected(socket);
  const key = presenceKey(w.t.config.REDIS_PREFIX, user.userId);
  await until('presence', () => w.t.ctx.redis.zcard(key), (n) => n > 0, 10_000);
  const feed: Feed = {
    events,
    of: <E extends EventName>(event: E) => events.filter((e) => e.event === event).map((e) => e.payload as Payload<E>),
    close: () => void socket.close(),
  };
  w.feeds.push(feed);
  return feed;
}

/** Listing content with a unique confidential marker in `details`. */
function content(overrides: Partial<ListingContent> & Pick<ListingContent, 'kind' | 'title' | 'summary' | 'keywords' | 'industries'>): ListingContent {
  const demand = ['tech_need', 'service_need', 'financing_need', 'talent_need'].includes(overrides.kind);
  return buildListingContent({
    details: `【保密】核心参数与合作底价 SECRET-${randomBytes(4).toString('hex')}`,
    ...(demand ? { ip: [], price: { mode: 'range', min: 500_000, max: 2_000_000 } } : {}),
    ...overrides,
  });
}

/** Publishes through the API: the member submits, the reviewer approves. */
async function publish(w: World, member: Member, listing: ListingContent, submit = true): Promise<string> {
  const side = ['tech_need', 'service_need', 'financing_need', 'talent_need'].includes(listing.kind) ? 'demand' : 'supply';
  const created = await member.client.post('/api/listings', { side, content: listing, submit });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  if (!submit) return created.body.id;
  const approved = await w.reviewer.client.post(`/api/review/listings/${created.body.id}/decision`, approve);
  expect(approved.status).toBe(200);
  return created.body.id;
}

/** Waits until the matcher has finished with the current revision of each listing. */
async function matched(w: World, ids: string[]) {
  await until(
    'the matcher to finish with these listings',
    () => w.t.ctx.db.listing.findMany({ where: { id: { in: ids } }, select: { revision: true, matchedRevision: true } }),
    (rows) => rows.length === ids.length && rows.every((r) => r.matchedRevision === r.revision),
  );
}

const pairOf = (w: World, supplyListingId: string, demandListingId: string) =>
  w.t.ctx.db.match.findUnique({ where: { supplyListingId_demandListingId: { supplyListingId, demandListingId } } });

async function notificationsOf(member: Member) {
  const res = await member.client.get('/api/notifications');
  expect(res.status).toBe(200);
  return res.body.notifications as { kind: string; data: Record<string, unknown> }[];
}

// ─────────────────────────────────────────────────────────────────────────────────────────────────
// Listing texts. Topic A: battery thermal runaway (new energy). Topic B: machine vision (robotics).
// Topic C: a pair the matcher cannot see (diagnostics vs pig farming) plus a tech-transfer broker.
// ─────────────────────────────────────────────────────────────────────────────────────────────────

const A_SUPPLY_1 = content({
  kind: 'achievement',
  title: '锂离子电池热失控多参数早期预警技术',
  summary: '基于温度、电压、内阻与特征气体多参数融合的锂离子电池热失控早期预警方法，可在热失控发生前数分钟发出告警，已在储能电站完成中试验证，适用于储能系统和电动汽车电池包。',
  keywords: ['锂离子电池', '热失控', '早期预警', '储能安全'],
  industries: ['new-energy.lithium-battery'],
});
const A_SUPPLY_2 = content({
  kind: 'achievement',
  title: '储能电站电池舱特征气体监测与消防联动系统',
  summary: '通过氢气、一氧化碳等特征气体传感阵列监测储能电池舱内锂电池热失控征兆，并联动排风与消防装置，降低储能电站火灾风险。',
  keywords: ['储能电站', '气体监测', '热失控', '消防联动'],
  industries: ['new-energy.energy-storage'],
  maturity: 'industrial',
  modes: ['license', 'joint_development'],
});
const A_DEMAND = content({
  kind: 'tech_need',
  title: '储能电池包热失控监测预警方案',
  summary: '我公司生产工商业储能电池包，需要一套能提前发现锂离子电池热失控的监测预警方案，要求误报率低，可集成到电池管理系统中。',
  keywords: ['储能电池包', '热失控', '监测预警', '电池管理系统'],
  industries: ['new-energy.energy-storage'],
  modes: ['transfer', 'license', 'joint_development'],
  price: { mode: 'range', min: 800_000, max: 1_500_000 },
});

const B_SUPPLY_1 = content({
  kind: 'achievement',
  title: '基于深度学习的工业产品表面缺陷视觉检测技术',
  summary: '利用深度卷积神经网络对金属、玻璃等工业产品表面的划痕、凹坑和污渍进行在线视觉检测，检出率达99%以上，单件检测时间小于50毫秒。',
  keywords: ['机器视觉', '缺陷检测', '深度学习'],
  industries: ['robotics.machine-vision'],
});
const B_SUPPLY_2 = content({
  kind: 'tech_service',
  title: '工业视觉缺陷检测系统定制开发服务',
  summary: '为制造企业提供工业相机选型、光源设计与表面缺陷检测算法定制开发服务，可部署于产线实现产品表面缺陷在线自动检测。',
  keywords: ['机器视觉', '缺陷检测', '产线自动化'],
  industries: ['robotics.machine-vision'],
  modes: ['service', 'joint_development'],
  price: { mode: 'range', min: 200_000, max: 600_000 },
  ip: [],
});
const B_DEMAND = content({
  kind: 'tech_need',
  title: '手机玻璃盖板表面缺陷在线检测需求',
  summary: '我公司生产手机玻璃盖板，目前依靠人工目检划痕、崩边和污渍，效率低且漏检率高，需要基于机器视觉的表面缺陷在线自动检测方案。',
  keywords: ['玻璃盖板', '缺陷检测', '机器视觉'],
  industries: ['robotics.machine-vision'],
  modes: ['transfer', 'license', 'joint_development', 'service'],
  price: { mode: 'range', min: 300_000, max: 1_500_000 },
});

/** Unrelated on paper (different words, fields, regions and modes): only a person sees the fit. */
const C_SUPPLY = content({
  kind: 'achievement',
  title: 'CRISPR核酸等温扩增即时诊断平台',
  summary: '基于CRISPR-Cas12a与重组酶聚合酶扩增的核酸即时诊断平台，30分钟内出结果，无需PCR仪，可用于呼吸道病原体的床旁诊断。',
  keywords: ['CRISPR', '等温扩增', '即时诊断'],
  industries: ['biomedicine.diagnostics'],
  provinceCode: '110000',
  cityCode: '110100',
  modes: ['equity'],
});
const C_DEMAND = content({
  kind: 'tech_need',
  title: '规模化猪场疫病现场快速筛查需求',
  summary: '我公司经营多个规模化生猪养殖场，希望在猪场现场对非洲猪瘟等疫病进行快速筛查，减少样品送检等待时间，降低疫情扩散风险。',
  keywords: ['生猪养殖', '非洲猪瘟', '疫病筛查'],
  industries: ['modern-agriculture.animal-health'],
  provinceCode: '510000',
  cityCode: '510100',
  modes: ['joint_development'],
});
const C_FINANCING = content({
  kind: 'financing_need',
  title: '生猪养殖场扩建项目融资需求',
  summary: '我公司计划新建一座年出栏五万头的现代化生猪养殖场，需融资三千万元，可提供土地与设备抵押，期限三至五年。',
  keywords: ['生猪养殖', '项目融资', '抵押贷款'],
  industries: ['modern-agriculture'],
  provinceCode: '510000',
  cityCode: '510100',
  modes: ['equity'],
  price: { mode: 'range', min: 20_000_000, max: 30_000_000 },
});
const C_BROKER = content({
  kind: 'tech_service',
  title: '技术转移经纪与成果对接服务',
  summary: '为企业提供技术需求挖掘、高校院所成果对接、技术合同登记与知识产权许可谈判等全流程技术转移经纪服务。',
  keywords: ['技术转移', '成果对接', '技术经纪'],
  industries: ['modern-services.tech-transfer'],
  modes: ['service'],
  price: { mode: 'range', min: 50_000, max: 200_000 },
  ip: [],
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────

let w: World;
let staffFeed: Feed;
let outsider: Member;

beforeAll(async () => {
  w = await startWorld();
  staffFeed = await listen(w, w.reviewer);
  outsider = await registerApprovedMember(w.t.ctx.db, w.t.baseUrl);
});
afterAll(() => stopWorld(w));

describe('a storage-battery need and two achievements (topic A)', () => {
  let demander: Member;
  let supplier: Member;
  /** Never opens a socket: it hears of its matches through stored notifications. */
  let offline: Member;
  let demanderFeed: Feed;
  let supplierFeed: Feed;
  const ids = { supply1: '', supply2: '', demand: '', match1: '', match2: '' };

  beforeAll(async () => {
    [demander, supplier, offline] = await Promise.all([
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl),
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl, university),
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl, institute),
    ]);
    [demanderFeed, supplierFeed] = await Promise.all([listen(w, demander), listen(w, supplier)]);
    ids.supply1 = await publish(w, supplier, A_SUPPLY_1);
    ids.supply2 = await publish(w, offline, A_SUPPLY_2);
    ids.demand = await publish(w, demander, A_DEMAND);
    await until('two match:new pushes', () => demanderFeed.of('match:new').length, (n) => n === 2);
    const [m1, m2] = await Promise.all([pairOf(w, ids.supply1, ids.demand), pairOf(w, ids.supply2, ids.demand)]);
    ids.match1 = m1!.id;
    ids.match2 = m2!.id;
  });

  it('inbox: the organisation’s matches, best first, with zh/en reasons and a breakdown that adds up to the score', async () => {
    const res = await demander.client.get('/api/matches');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    const matches = res.body.matches as Payload<'match:new'>[];
    expect(matches.map((m) => m.id).sort()).toEqual([ids.match1, ids.match2].sort());
    const scores = matches.map((m) => m.score);
    expect(scores[0]).not.toBe(scores[1]);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const m of matches) {
      expect(m.score).toBeGreaterThanOrEqual(45);
      expect(m.mySide).toBe('demand');
      expect(m.status).toBe('open');
      expect(m.source).toBe('auto');
      expect(m.demand.listing.id).toBe(ids.demand);
      expect(Object.keys(m.breakdown).sort()).toEqual([...MATCH_FEATURES].sort());
      const sum = Object.values(m.breakdown).reduce((s, f) => s + f.value * f.weight * 100, 0);
      expect(Math.abs(sum - m.score)).toBeLessThan(0.5);
      expect(m.reasons.length).toBeGreaterThan(0);
      for (const r of m.reasons) {
        expect(MATCH_FEATURES).toContain(r.feature);
        expect(r.zh).toMatch(/\p{Script=Han}/u);
        expect(r.en).toMatch(/[A-Za-z]{3}/);
      }
      expect(m.reasons.find((r) => r.feature === 'text')?.zh).toContain('失控');
    }
    const viaGas = matches.find((m) => m.id === ids.match2)!;
    expect(viaGas.reasons).toContainEqual({ feature: 'industry', zh: '同属储能领域', en: 'Both in Energy storage' });

    // The supplier sees its own match only; the filter by listing narrows the demander's inbox.
    const mine = await supplier.client.get('/api/matches');
    expect(mine.body.matches.map((m: { id: string }) => m.id)).toEqual([ids.match1]);
    expect(mine.body.matches[0].mySide).toBe('supply');
    const byListing = await demander.client.get(`/api/matches?listingId=${ids.supply2}`);
    expect(byListing.body.matches.map((m: { id: string }) => m.id)).toEqual([ids.match2]);
  });

  it('inbox: outsiders see nothing, a stranger’s match is 404, 401 without a session, 403 before approval', async () => {
    const theirs = await outsider.client.get('/api/matches?status=all');
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual({ matches: [], total: 0 });
    for (const client of [outsider.client, offline.client]) {
      const res = await client.get(`/api/matches/${ids.match1}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('match_not_found');
    }
    const anonymous = new ApiClient(w.t.baseUrl);
    expect((await anonymous.get('/api/matches')).status).toBe(401);
    const res = await anonymous.get(`/api/matches/${ids.match1}`);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthenticated');
    const pending = await registerMember(w.t.baseUrl);
    const refused = await pending.client.get('/api/matches');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('organization_not_approved');
    expect((await demander.client.get('/api/matches?status=bogus')).body.error).toBe('validation_failed');
  });

  it('offline members get a stored match.new notification instead of a push; online members get the push', async () => {
    await expect
      .poll(async () => (await notificationsOf(offline)).filter((n) => n.kind === 'match.new').map((n) => n.data), LIVE)
      .toEqual([{ matchId: ids.match2, title: A_DEMAND.title, score: expect.any(Number) }]);
    expect(demanderFeed.of('match:new').map((m) => m.id).sort()).toEqual([ids.match1, ids.match2].sort());
    expect(supplierFeed.of('match:new').map((m) => m.id)).toEqual([ids.match1]);
    expect((await notificationsOf(demander)).filter((n) => n.kind === 'match.new')).toEqual([]);
    expect((await notificationsOf(supplier)).filter((n) => n.kind === 'match.new')).toEqual([]);
  });

  it('staff console: live console:match lines, recent activity, matches per minute and totals; members get 403', async () => {
    await expect
      .poll(() => staffFeed.of('console:match').filter((a) => a.event === 'created').map((a) => a.matchId), LIVE)
      .toEqual(expect.arrayContaining([ids.match1, ids.match2]));
    const line = staffFeed.of('console:match').find((a) => a.matchId === ids.match1)!;
    expect(line.supply).toEqual({ listingId: ids.supply1, title: A_SUPPLY_1.title, organizationName: supplier.input.organization.name });
    expect(line.demand.listingId).toBe(ids.demand);

    const res = await w.reviewer.client.get('/api/staff/matches');
    expect(res.status).toBe(200);
    const board = res.body as MatchConsole;
    expect(board.recent.map((a) => a.matchId)).toEqual(expect.arrayContaining([ids.match1, ids.match2]));
    const rows = await w.t.ctx.db.match.findMany({ where: { id: { in: [ids.match1, ids.match2] } }, select: { createdAt: true } });
    const minuteOf = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000).toISOString();
    for (const row of rows) {
      const minute = minuteOf(row.createdAt);
      const made = rows.filter((r) => minuteOf(r.createdAt) === minute).length;
      expect(board.perMinute.find((m) => m.minute === minute)?.created).toBeGreaterThanOrEqual(made);
    }
    const byStatus = await w.t.ctx.db.match.groupBy({ by: ['status'], _count: { _all: true } });
    const count = (status: string) => byStatus.find((s) => s.status === status)?._count._all ?? 0;
    expect(board.totals).toEqual({ open: count('open'), confirmed: count('confirmed'), declined: count('declined'), retracted: count('retracted') });
    expect(board.totals.open).toBeGreaterThanOrEqual(2);

    const member = await demander.client.get('/api/staff/matches');
    expect(member.status).toBe(403);
    expect(member.body.error).toBe('forbidden');
  });

  it('before confirmation, pushes and GETs carry only the viewer’s own confidential details', async () => {
    const [toDemander, toSupplier] = [JSON.stringify(demanderFeed.of('match:new')), JSON.stringify(supplierFeed.of('match:new'))];
    expect(toDemander).not.toContain(A_SUPPLY_1.details);
    expect(toDemander).not.toContain(A_SUPPLY_2.details);
    expect(toDemander).toContain(A_DEMAND.details);
    expect(toSupplier).not.toContain(A_DEMAND.details);
    expect(toSupplier).toContain(A_SUPPLY_1.details);

    const asDemander = (await demander.client.get(`/api/matches/${ids.match1}`)).body;
    expect(asDemander.demand.details).toBe(A_DEMAND.details);
    expect(asDemander.supply.details).toBeNull();
    const asSupplier = (await supplier.client.get(`/api/matches/${ids.match1}`)).body;
    expect(asSupplier.supply.details).toBe(A_SUPPLY_1.details);
    expect(asSupplier.demand.details).toBeNull();
    const inbox = JSON.stringify((await demander.client.get('/api/matches')).body);
    expect(inbox).not.toContain(A_SUPPLY_1.details);
    expect(inbox).not.toContain(A_SUPPLY_2.details);
    const asStaff = (await w.reviewer.client.get(`/api/matches/${ids.match1}`)).body;
    expect(asStaff.mySide).toBeNull();
    expect([asStaff.supply.details, asStaff.demand.details]).toEqual([A_SUPPLY_1.details, A_DEMAND.details]);
  });

  it('staff reading both sides’ details is recorded, once per read; staff in a party read as that party, unrecorded', async () => {
    const views = () => w.t.ctx.db.evidenceEntry.findMany({ where: { kind: 'match.details_viewed', subjectId: ids.match1 }, orderBy: { seq: 'asc' } });
    const before = (await views()).length;
    await w.reviewer.client.get(`/api/matches/${ids.match1}`);
    await demander.client.get(`/api/matches/${ids.match1}`);
    const recorded = (await views()).slice(before);
    expect(recorded.map((e) => [e.subjectType, e.actorId, e.payload])).toEqual([['match', w.reviewer.userId, { staffRole: 'reviewer' }]]);

    await w.t.ctx.db.user.update({ where: { id: demander.userId }, data: { staffRole: 'reviewer' } });
    try {
      const own = (await demander.client.get(`/api/matches/${ids.match1}`)).body;
      expect([own.mySide, own.supply.details, own.demand.details]).toEqual(['demand', null, A_DEMAND.details]);
      expect(JSON.stringify((await demander.client.get('/api/matches')).body)).not.toContain(A_SUPPLY_1.details);
    } finally {
      await w.t.ctx.db.user.update({ where: { id: demander.userId }, data: { staffRole: null } });
    }
    expect(await views()).toHaveLength(before + 1);
  });

  it('an invalid answer is refused with 400 and changes nothing', async () => {
    const before = await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match2 } });
    const evidence = await w.t.ctx.db.evidenceEntry.count();
    for (const body of [{ response: 'maybe' }, { response: 'interested', note: '很感兴趣' }, {}]) {
      const res = await demander.client.post(`/api/matches/${ids.match2}/response`, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
    }
    expect(await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match2 } })).toEqual(before);
    expect(await w.t.ctx.db.evidenceEntry.count()).toBe(evidence);
    // Someone who is not a party cannot answer either.
    expect((await outsider.client.post(`/api/matches/${ids.match2}/response`, { response: 'interested' })).body.error).toBe('match_not_found');
  });

  it('one side interested: still open, the answer is recorded and the other side hears it live', async () => {
    const res = await supplier.client.post(`/api/matches/${ids.match1}/response`, { response: 'interested' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ids.match1, status: 'open', roomId: null, supply: { response: 'interested' }, demand: { response: 'pending' } });
    expect(res.body.supply.respondedAt).toEqual(expect.any(String));
    await expect
      .poll(() => demanderFeed.of('match:updated').find((m) => m.id === ids.match1)?.supply.response, LIVE)
      .toBe('interested');
    const update = demanderFeed.of('match:updated').find((m) => m.id === ids.match1)!;
    expect(update.mySide).toBe('demand');
    expect(JSON.stringify(update)).not.toContain(A_SUPPLY_1.details);
    const row = await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match1 } });
    expect([row.status, row.supplyResponse, row.demandResponse]).toEqual(['open', 'interested', 'pending']);
    const answered = await w.t.ctx.db.evidenceEntry.findMany({ where: { kind: 'match.responded', subjectId: ids.match1 } });
    expect(answered.map((e) => [e.payload, e.actorId])).toEqual([[{ side: 'supply', response: 'interested' }, supplier.userId]]);
  });

  it('both interested: confirmed, a negotiation room, room:opened to both, evidence and notifications; details open to both parties', async () => {
    const res = await demander.client.post(`/api/matches/${ids.match1}/response`, { response: 'interested' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('confirmed');
    expect(res.body.confirmedAt).toEqual(expect.any(String));
    const roomId = res.body.roomId as string;
    expect(roomId).toEqual(expect.any(String));

    const room = await w.t.ctx.db.negotiationRoom.findUniqueOrThrow({ where: { id: roomId } });
    expect(room).toMatchObject({ matchId: ids.match1, supplyOrganizationId: supplier.organizationId, demandOrganizationId: demander.organizationId, title: A_DEMAND.title });

    for (const [feed, counterpart] of [[demanderFeed, supplier], [supplierFeed, demander]] as const) {
      await expect.poll(() => feed.of('room:opened').find((r) => r.roomId === roomId), LIVE).toBeDefined();
      expect(feed.of('room:opened').find((r) => r.roomId === roomId)).toEqual({
        roomId,
        matchId: ids.match1,
        title: A_DEMAND.title,
        counterpart: { id: counterpart.organizationId, name: counterpart.input.organization.name },
      });
    }
    await expect.poll(() => supplierFeed.of('match:updated').some((m) => m.id === ids.match1 && m.status === 'confirmed'), LIVE).toBe(true);

    // What the match's parties did (staff reads of it, recorded too, are another test's).
    const evidence = await w.t.ctx.db.evidenceEntry.findMany({
      where: { OR: [{ subjectId: ids.match1 }, { subjectId: roomId }], kind: { not: 'match.details_viewed' } },
      orderBy: { seq: 'asc' },
    });
    expect(evidence.map((e) => e.kind)).toEqual(['match.responded', 'match.responded', 'match.confirmed', 'room.opened']);
    expect(evidence[2]!.payload).toEqual({ roomId });
    expect(evidence[3]).toMatchObject({ subjectType: 'room', subjectId: roomId, payload: { matchId: ids.match1 }, actorId: demander.userId });

    for (const member of [demander, supplier]) {
      await expect
        .poll(async () => (await notificationsOf(member)).find((n) => n.kind === 'match.confirmed')?.data, LIVE)
        .toEqual({ matchId: ids.match1, roomId, title: A_DEMAND.title });
    }

    const asDemander = (await demander.client.get(`/api/matches/${ids.match1}`)).body;
    expect([asDemander.supply.details, asDemander.demand.details]).toEqual([A_SUPPLY_1.details, A_DEMAND.details]);
    const asSupplier = (await supplier.client.get(`/api/matches/${ids.match1}`)).body;
    expect([asSupplier.supply.details, asSupplier.demand.details]).toEqual([A_SUPPLY_1.details, A_DEMAND.details]);
    // The other match of the same need stays closed to its supplier's counterpart, and outsiders still get 404.
    expect((await demander.client.get(`/api/matches/${ids.match2}`)).body.supply.details).toBeNull();
    for (const client of [outsider.client, offline.client]) expect((await client.get(`/api/matches/${ids.match1}`)).status).toBe(404);
  });

  it('answering a confirmed match is 409 match_state_conflict and changes nothing', async () => {
    const before = await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match1 } });
    const res = await supplier.client.post(`/api/matches/${ids.match1}/response`, { response: 'declined' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('match_state_conflict');
    expect(await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match1 } })).toEqual(before);
    expect(await w.t.ctx.db.negotiationRoom.count({ where: { matchId: ids.match1 } })).toBe(1);
  });

  it('declining: status declined; the inbox filters by status', async () => {
    const res = await demander.client.post(`/api/matches/${ids.match2}/response`, { response: 'declined' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'declined', demand: { response: 'declined' }, supply: { response: 'pending' }, roomId: null });
    expect((await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match2 } })).status).toBe('declined');

    const idsFor = async (query: string) => {
      const r = await demander.client.get(`/api/matches${query}`);
      expect(r.status).toBe(200);
      expect(r.body.total).toBe(r.body.matches.length);
      return r.body.matches.map((m: { id: string }) => m.id).sort();
    };
    expect(await idsFor('')).toEqual([ids.match1]);
    expect(await idsFor('?status=active')).toEqual([ids.match1]);
    expect(await idsFor('?status=confirmed')).toEqual([ids.match1]);
    expect(await idsFor('?status=declined')).toEqual([ids.match2]);
    expect(await idsFor('?status=open')).toEqual([]);
    expect(await idsFor('?status=retracted')).toEqual([]);
    expect(await idsFor('?status=all')).toEqual([ids.match1, ids.match2].sort());
  });

  it('taking the need down retracts its live (declined) match for both parties but not the confirmed one', async () => {
    const offlineFeed = await listen(w, offline);
    const res = await w.reviewer.client.post(`/api/review/listings/${ids.demand}/take-down`, { reason: '需求信息与实际不符' });
    expect(res.status).toBe(200);
    for (const feed of [demanderFeed, offlineFeed]) {
      await expect.poll(() => feed.of('match:retracted'), LIVE).toContainEqual({ id: ids.match2, reason: 'listing_unpublished' });
    }
    expect(await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match2 } })).toMatchObject({ status: 'retracted', retractReason: 'listing_unpublished' });
    await matched(w, [ids.demand]);
    expect(await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match1 } })).toMatchObject({ status: 'confirmed', retractReason: null });
    for (const feed of [demanderFeed, supplierFeed]) expect(feed.of('match:retracted').map((r) => r.id)).not.toContain(ids.match1);
    expect((await demander.client.get('/api/matches?status=retracted')).body.matches.map((m: { id: string }) => m.id)).toEqual([ids.match2]);
  });
});

describe('retraction when a listing leaves the platform (topic B)', () => {
  let demander: Member;
  let supplier1: Member;
  let supplier2: Member;
  let feeds: Record<'demander' | 'supplier1' | 'supplier2', Feed>;
  const ids = { supply1: '', supply2: '', demand: '', match1: '', match2: '' };

  beforeAll(async () => {
    [demander, supplier1, supplier2] = await Promise.all([
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl),
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl, university),
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl),
    ]);
    const [d, s1, s2] = await Promise.all([listen(w, demander), listen(w, supplier1), listen(w, supplier2)]);
    feeds = { demander: d, supplier1: s1, supplier2: s2 };
    ids.supply1 = await publish(w, supplier1, B_SUPPLY_1);
    ids.supply2 = await publish(w, supplier2, B_SUPPLY_2);
    ids.demand = await publish(w, demander, B_DEMAND);
    await until('two match:new pushes', () => feeds.demander.of('match:new').length, (n) => n === 2);
    ids.match1 = (await pairOf(w, ids.supply1, ids.demand))!.id;
    ids.match2 = (await pairOf(w, ids.supply2, ids.demand))!.id;
  });

  it('a staff take-down of a supply retracts its match: both parties get match:retracted', async () => {
    const res = await w.reviewer.client.post(`/api/review/listings/${ids.supply1}/take-down`, { reason: '成果权属存在争议' });
    expect(res.status).toBe(200);
    for (const feed of [feeds.demander, feeds.supplier1]) {
      await expect.poll(() => feed.of('match:retracted'), LIVE).toContainEqual({ id: ids.match1, reason: 'listing_unpublished' });
    }
    expect(await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match1 } })).toMatchObject({ status: 'retracted', retractReason: 'listing_unpublished' });
    // The other match of the need is untouched, and its supplier heard nothing.
    expect((await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match2 } })).status).toBe('open');
    expect(feeds.supplier2.of('match:retracted')).toEqual([]);
    const view = (await demander.client.get(`/api/matches/${ids.match1}`)).body;
    expect(view).toMatchObject({ status: 'retracted', retractReason: 'listing_unpublished' });
  });

  it('the owner withdrawing the need retracts its remaining match for both parties', async () => {
    const res = await demander.client.post(`/api/listings/${ids.demand}/withdraw`);
    expect(res.status).toBe(200);
    for (const feed of [feeds.demander, feeds.supplier2]) {
      await expect.poll(() => feed.of('match:retracted'), LIVE).toContainEqual({ id: ids.match2, reason: 'listing_unpublished' });
    }
    expect(await w.t.ctx.db.match.findUniqueOrThrow({ where: { id: ids.match2 } })).toMatchObject({ status: 'retracted', retractReason: 'listing_unpublished' });
    expect((await supplier2.client.get('/api/matches')).body.total).toBe(0);
  });
});

describe('matches made by people: staff recommendations and raised hands (topic C)', () => {
  let staff: Staff;
  let demander: Member;
  let supplier: Member;
  let broker: Member;
  let demanderFeed: Feed;
  let supplierFeed: Feed;
  const ids = { supply: '', demand: '', financing: '', pending: '', brokerService: '' };

  beforeAll(async () => {
    staff = await signInStaff(w.t.ctx.db, w.t.baseUrl, 'moderator');
    [demander, supplier, broker] = await Promise.all([
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl),
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl, university),
      registerApprovedMember(w.t.ctx.db, w.t.baseUrl, agency),
    ]);
    [demanderFeed, supplierFeed] = await Promise.all([listen(w, demander), listen(w, supplier)]);
    ids.supply = await publish(w, supplier, C_SUPPLY);
    ids.demand = await publish(w, demander, C_DEMAND);
    ids.financing = await publish(w, demander, C_FINANCING);
    ids.brokerService = await publish(w, broker, C_BROKER);
    ids.pending = await publish(w, supplier, { ...C_SUPPLY, title: 'CRISPR核酸即时诊断平台（第二代）' }, false);
    await matched(w, [ids.supply, ids.demand, ids.financing, ids.brokerService]);
  });

  it('staff recommend a pair the matcher did not make: 201, both parties get match:new, evidence with the note', async () => {
    expect(await pairOf(w, ids.supply, ids.demand)).toBeNull();
    const note = '该CRISPR即时诊断平台可扩展用于非洲猪瘟病毒现场检测，建议双方对接合作开发。';
    const res = await staff.client.post('/api/staff/matches', { supplyListingId: ids.supply, demandListingId: ids.demand, note });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'open', source: 'staff', note, recommendedBy: { id: staff.userId }, mySide: null });
    expect(res.body.recommendedBy.name).toEqual(expect.any(String));
    const id = res.body.id as string;

    for (const [feed, side] of [[demanderFeed, 'demand'], [supplierFeed, 'supply']] as const) {
      await expect.poll(() => feed.of('match:new').find((m) => m.id === id), LIVE).toBeDefined();
      expect(feed.of('match:new').find((m) => m.id === id)).toMatchObject({ source: 'staff', note, mySide: side, recommendedBy: { id: staff.userId } });
    }
    await expect.poll(() => staffFeed.of('console:match').find((a) => a.matchId === id)?.source, LIVE).toBe('staff');
    const evidence = await w.t.ctx.db.evidenceEntry.findMany({ where: { kind: 'match.recommended', subjectId: id } });
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ actorId: staff.userId, payload: { supplyListingId: ids.supply, demandListingId: ids.demand, note } });
  });

  it('staff recommendations are refused for members (403), incompatible kinds (409) and unpublished or unknown listings (404)', async () => {
    const matches = await w.t.ctx.db.match.count();
    const note = '建议对接';
    const member = await demander.client.post('/api/staff/matches', { supplyListingId: ids.supply, demandListingId: ids.demand, note });
    expect(member.status).toBe(403);
    expect(member.body.error).toBe('forbidden');

    const incompatible = await staff.client.post('/api/staff/matches', { supplyListingId: ids.supply, demandListingId: ids.financing, note });
    expect(incompatible.status).toBe(409);
    expect(incompatible.body.error).toBe('match_not_eligible');

    for (const [supplyListingId, demandListingId] of [[ids.pending, ids.demand], [randomUUID(), ids.demand], [ids.supply, randomUUID()], [ids.demand, ids.supply]]) {
      const res = await staff.client.post('/api/staff/matches', { supplyListingId, demandListingId, note });
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('listing_not_found');
    }
    const invalid = await staff.client.post('/api/staff/matches', { supplyListingId: ids.supply, demandListingId: ids.demand });
    expect(invalid.status).toBe(400);
    expect(await w.t.ctx.db.match.count()).toBe(matches);
  });

  it('a service agency raises its hand on a need: 201 source interest, its side interested, the demander gets match:new', async () => {
    expect(await pairOf(w, ids.brokerService, ids.demand)).toBeNull();
    const brokerFeed = await listen(w, broker);
    const res = await broker.client.post('/api/matches/interest', {
      demandListingId: ids.demand,
      supplyListingId: ids.brokerService,
      note: '我们可协助对接高校兽医诊断团队',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'open', source: 'interest', mySide: 'supply', supply: { response: 'interested' }, demand: { response: 'pending' } });
    const id = res.body.id as string;
    await expect.poll(() => demanderFeed.of('match:new').find((m) => m.id === id), LIVE).toBeDefined();
    expect(demanderFeed.of('match:new').find((m) => m.id === id)).toMatchObject({
      source: 'interest',
      mySide: 'demand',
      supply: { listing: { id: ids.brokerService }, organization: { id: broker.organizationId, type: 'service_agency' }, response: 'interested', details: null },
    });
    await expect.poll(() => brokerFeed.of('match:new').some((m) => m.id === id), LIVE).toBe(true);
    expect(await w.t.ctx.db.evidenceEntry.count({ where: { kind: 'match.interest', subjectId: id, actorId: broker.userId } })).toBe(1);
  });

  it('raising a hand with another organisation’s supply listing is 404 listing_not_found', async () => {
    const matches = await w.t.ctx.db.match.count();
    const res = await broker.client.post('/api/matches/interest', { demandListingId: ids.demand, supplyListingId: ids.supply });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('listing_not_found');
    expect(await w.t.ctx.db.match.count()).toBe(matches);
  });
});

describe('per-user push limit and the digest (MATCH_PUSHES_PER_MINUTE=2)', () => {
  let tw: World;
  beforeAll(async () => {
    tw = await startWorld({ MATCH_PUSHES_PER_MINUTE: '2' });
  });
  afterAll(() => stopWorld(tw));

  const FUEL_CELL = [
    ['质子交换膜燃料电池低铂催化剂制备技术', '采用原子层沉积方法制备低铂载量核壳结构催化剂，燃料电池膜电极铂用量降低60%，耐久性超过两万小时，适用于车用氢燃料电池。', ['燃料电池', '低铂催化剂', '膜电极']],
    ['燃料电池金属双极板表面涂层技术', '在不锈钢双极板表面制备导电耐蚀碳基涂层，显著降低接触电阻，延长氢燃料电池电堆寿命，适合车用燃料电池批量生产。', ['燃料电池', '双极板', '涂层']],
    ['燃料电池电堆水热管理控制技术', '基于模型预测控制的氢燃料电池电堆水热管理方法，防止膜电极水淹与干涸，提升燃料电池系统功率密度与寿命。', ['燃料电池', '电堆', '水热管理']],
    ['车用燃料电池系统低温冷启动技术', '通过电堆自加热与吹扫策略实现零下三十度环境下氢燃料电池系统快速冷启动，已在燃料电池重卡上验证。', ['燃料电池', '冷启动', '燃料电池汽车']],
    ['燃料电池膜电极批量化制备工艺', '卷对卷连续涂布制备燃料电池膜电极，一致性好、成本低，可满足氢燃料电池汽车的规模化生产需要。', ['燃料电池', '膜电极', '卷对卷']],
  ] as const;

  it('five matches in a minute: two match:new pushes, the other three in one match:digest and a stored notification', async () => {
    const { t } = tw;
    const [demander, supplier] = await Promise.all([
      registerApprovedMember(t.ctx.db, t.baseUrl),
      registerApprovedMember(t.ctx.db, t.baseUrl, university),
    ]);
    const feed = await listen(tw, demander);
    const supplies: string[] = [];
    for (const [title, summary, keywords] of FUEL_CELL) {
      supplies.push(await publish(tw, supplier, content({ kind: 'achievement', title, summary, keywords: [...keywords], industries: ['new-energy.hydrogen'] })));
    }
    // All five are matched (with nothing yet) before the need arrives, so one job makes all five pairs at one instant.
    await matched(tw, supplies);
    await publish(
      tw,
      demander,
      content({
        kind: 'tech_need',
        title: '氢燃料电池重卡动力系统关键技术需求',
        summary: '我公司开发氢燃料电池重型卡车，需要在燃料电池催化剂、双极板、膜电极、电堆水热管理和低温冷启动等方面引进成熟技术，提升燃料电池系统功率密度与寿命。',
        keywords: ['氢燃料电池', '重卡', '燃料电池系统'],
        industries: ['new-energy.hydrogen'],
        modes: ['transfer', 'license', 'joint_development'],
      }),
    );

    // The minute the pushes were counted in, from the key the pusher wrote.
    const prefix = t.config.REDIS_PREFIX;
    let minute = -1;
    await expect
      .poll(async () => {
        const keys = await t.ctx.redis.keys(`${prefix}:match-pushes:${demander.userId}:*`);
        if (keys.length !== 1) return keys.length === 0 ? 0 : -keys.length;
        minute = Number(keys[0]!.split(':').pop());
        return Number(await t.ctx.redis.get(keys[0]!));
      }, LIVE)
      .toBe(5);
    const digestKey = `${prefix}:match-digest:${demander.userId}:${minute}`;
    // The three over the limit wait in that minute's list (unless the worker's own digest job, due just
    // after the minute ends, has already sent them).
    await expect.poll(async () => feed.of('match:digest').length > 0 || (await t.ctx.redis.llen(digestKey)) === 3, LIVE).toBe(true);
    if (!feed.of('match:digest').length) {
      const pusher = new MatchPusher({
        db: t.ctx.db,
        redis: t.ctx.redis,
        redisPrefix: prefix,
        broadcast: { to: (room, event, ...args) => void t.hub.io.to(room).emit(event, ...args) },
        queue: t.ctx.queue,
        pushesPerMinute: t.config.MATCH_PUSHES_PER_MINUTE,
      });
      await pusher.digest(demander.userId, minute);
    }
    await expect.poll(() => feed.of('match:digest').length, LIVE).toBe(1);
    const digest = feed.of('match:digest')[0]!;
    expect(digest.count).toBe(3);
    expect(digest.since).toBe(new Date(minute * 60_000).toISOString());
    expect(digest.topTitles).toHaveLength(3);
    for (const title of digest.topTitles) expect(FUEL_CELL.map(([supplyTitle]) => supplyTitle)).toContain(title);

    expect(feed.of('match:new')).toHaveLength(2);
    const pushed = new Set([...feed.of('match:new').map((m) => m.supply.listing.title), ...digest.topTitles]);
    expect(pushed.size).toBe(5);
    await expect
      .poll(async () => (await notificationsOf(demander)).filter((n) => n.kind === 'match.digest').map((n) => n.data.count), LIVE)
      .toEqual([3]);
    expect((await notificationsOf(demander)).filter((n) => n.kind === 'match.new')).toEqual([]);
    // The inbox holds all five.
    expect((await demander.client.get('/api/matches')).body.total).toBe(5);
    expect(await t.ctx.redis.exists(digestKey)).toBe(0);
  });
});
