import { randomUUID } from 'node:crypto';
import type { Db } from '@hub/db';
import { MATCHING } from '@hub/matching';
import { JOB_OPTIONS, MATCH_FEATURES, QUEUE, type ListingStatus, type MatchBreakdown, type MatchReason } from '@hub/protocol';
import { indexListings, type ListingDocument } from '@hub/search';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestServices } from '../../../server/test/harness.ts';
import { buildListingRows, buildOrganizationRow, type ListingRowOverrides } from '../../../server/test/listing-factory.ts';
import { realProcessorDeps } from '../../test/processor-deps.ts';
import { runJob } from './index.ts';

let t: Awaited<ReturnType<typeof realProcessorDeps>>;
let db: Db;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const services = await createTestServices();
  cleanup = services.cleanup;
  t = await realProcessorDeps(services.config, services.urls);
  db = t.db;
});
afterAll(async () => {
  await t?.close();
  await cleanup?.();
});

// Each test starts from an empty catalogue: what earlier tests published leaves the platform and the index.
beforeEach(async () => {
  await db.listing.updateMany({ where: { status: 'published' }, data: { status: 'withdrawn', revision: { increment: 1 } } });
  await t.search.client.index(t.search.indexUid).deleteAllDocuments().waitTask({ timeout: 30_000 });
  t.emitted.length = 0;
});

type Result = { outcome: string; scored?: number; created?: number; improved?: number; retracted?: number };
/** Runs one match-listing job the way the worker does: payload validated by its schema, then the processor. */
const match = (listingId: string, revision: number) => runJob(t.deps, 'match-listing', { listingId, revision }) as Promise<Result>;
const matchCurrent = async (listingId: string) => match(listingId, (await db.listing.findUniqueOrThrow({ where: { id: listingId } })).revision);

/** Puts these listings' documents in the index (what their index-listing jobs would have done). */
async function index(...ids: string[]) {
  await indexListings(db, t.search.client, t.search.indexUid, ids);
}

const BATTERY_DEMAND: ListingRowOverrides = {
  kind: 'tech_need',
  title: '储能电池包热失控监测预警方案',
  summary: '我公司生产储能电池包，需要一套能提前发现锂电池热失控的监测预警方案，要求误报率低，可集成到电池管理系统。',
  keywords: ['电池包', '热失控', '监测预警'],
  industries: ['new-energy.energy-storage'],
};
const THERMAL_RUNAWAY_SUPPLY: ListingRowOverrides = {
  kind: 'achievement',
  title: '锂离子电池热失控早期预警技术',
  summary: '基于多传感器融合的锂离子电池安全监测系统，可在热失控发生前数分钟发出预警，适用于储能电站和电动汽车电池包。',
  keywords: ['锂离子电池', '热失控', '预警'],
  industries: ['new-energy.lithium-battery'],
  organization: { type: 'university' },
};
const RICE_BREEDING = {
  title: '水稻抗稻瘟病分子标记辅助育种技术',
  summary: '利用分子标记辅助选择培育抗稻瘟病水稻新品种，田间抗性稳定，亩产提高百分之十。',
  keywords: ['水稻', '育种', '稻瘟病'],
  industries: ['modern-agriculture.breeding'],
};

/** A demand and one matching supply, each from its own organisation, indexed and matched once. */
async function matchedPair(demand: ListingRowOverrides = BATTERY_DEMAND, supply: ListingRowOverrides = THERMAL_RUNAWAY_SUPPLY) {
  const d = await buildListingRows(db, demand);
  const s = await buildListingRows(db, supply);
  await index(d.listing.id, s.listing.id);
  const first = await match(d.listing.id, d.listing.revision);
  expect(first).toMatchObject({ outcome: 'matched', created: 1 });
  const row = await db.match.findUniqueOrThrow({ where: { supplyListingId_demandListingId: { supplyListingId: s.listing.id, demandListingId: d.listing.id } } });
  return { demand: d.listing, supply: s.listing, match: row };
}

/** Publishes a new version of a listing with other content (as an approved edit does): revision + 1. */
async function publishNewVersion(listingId: string, content: Pick<ListingRowOverrides, 'title' | 'summary' | 'keywords' | 'industries'>) {
  return db.$transaction(async (tx) => {
    const listing = await tx.listing.findUniqueOrThrow({ where: { id: listingId }, include: { publishedVersion: true } });
    const { id: _id, createdAt: _createdAt, ip, checklist: _checklist, ...previous } = listing.publishedVersion!;
    await tx.listingVersion.update({ where: { id: listing.publishedVersionId! }, data: { status: 'superseded' } });
    const version = await tx.listingVersion.create({
      data: { ...previous, ip: ip ?? [], ...content, version: listing.latestVersion + 1, status: 'published' },
    });
    return tx.listing.update({
      where: { id: listingId },
      data: { publishedVersionId: version.id, latestVersion: version.version, revision: { increment: 1 } },
    });
  });
}

const pairsOf = (demandListingId: string) =>
  db.match.findMany({ where: { demandListingId }, orderBy: { score: 'desc' } });

describe('match-listing', { timeout: 60_000 }, () => {
  it('finds the relevant published supplies among distractors and stores explained, unique matches', async () => {
    const demand = await buildListingRows(db, BATTERY_DEMAND);
    const relevant = [
      await buildListingRows(db, THERMAL_RUNAWAY_SUPPLY),
      await buildListingRows(db, {
        kind: 'achievement',
        title: '储能电站电池热失控抑制与安全监测系统',
        summary: '面向储能电站的电池安全监测系统，实时监测电池包温度与气体，热失控预警准确率高，可与电池管理系统联动。',
        keywords: ['储能电站', '热失控', '电池安全'],
        industries: ['new-energy.energy-storage'],
        organization: { type: 'research_institute' },
      }),
      await buildListingRows(db, {
        kind: 'tech_service',
        title: '动力电池热失控测试与安全评估服务',
        summary: '提供锂电池热失控触发、热扩散测试与电池包安全评估服务，出具检测报告，协助企业改进电池安全设计。',
        keywords: ['热失控', '电池安全', '测试评估'],
        industries: ['new-energy.lithium-battery'],
        organization: { type: 'service_agency' },
      }),
    ];
    const distractors = {
      unrelatedRice: await buildListingRows(db, { kind: 'achievement', ...RICE_BREEDING }),
      unrelatedImplants: await buildListingRows(db, {
        kind: 'achievement',
        title: '骨科植入物钛合金3D打印技术',
        summary: '采用激光选区熔化成形钛合金骨科植入物，孔隙结构可控，生物相容性好，已完成动物实验。',
        keywords: ['骨科植入物', '3D打印', '钛合金'],
        industries: ['biomedicine.medical-devices'],
      }),
      // Same topic, but a kind that does not answer a 技术需求 (instrument sharing answers service needs).
      wrongKind: await buildListingRows(db, { ...THERMAL_RUNAWAY_SUPPLY, kind: 'instrument_sharing', title: '电池热失控测试仪器共享' }),
      // Same topic, but the demand's own organisation.
      ownOrganization: await buildListingRows(db, { ...THERMAL_RUNAWAY_SUPPLY, organizationId: demand.organizationId }),
      // Same topic, not published (never indexed, never matched).
      pending: await buildListingRows(db, { ...THERMAL_RUNAWAY_SUPPLY, status: 'pending' }),
      // Same topic and still indexed, but past its valid-until moment (the expiry sweep has not run yet).
      pastValid: await buildListingRows(db, THERMAL_RUNAWAY_SUPPLY),
      // Same topic, but on the same side.
      otherDemand: await buildListingRows(db, { ...BATTERY_DEMAND, title: '电池包热失控预警系统采购需求' }),
    };
    const all = [demand, ...relevant, ...Object.values(distractors)].map((r) => r.listing.id);
    await index(...all);
    await db.listing.update({ where: { id: distractors.pastValid.listing.id }, data: { validUntil: new Date(Date.now() - 60_000) } });

    const first = await match(demand.listing.id, demand.listing.revision);
    expect(first).toMatchObject({ outcome: 'matched', created: relevant.length, improved: 0, retracted: 0 });

    const rows = await pairsOf(demand.listing.id);
    expect(rows.map((r) => r.supplyListingId).sort()).toEqual(relevant.map((r) => r.listing.id).sort());
    for (const row of rows) {
      const supply = relevant.find((r) => r.listing.id === row.supplyListingId)!;
      expect(row).toMatchObject({
        status: 'open',
        source: 'auto',
        trend: 'new',
        previousScore: null,
        supplyOrganizationId: supply.organizationId,
        demandOrganizationId: demand.organizationId,
        supplyRevision: supply.listing.revision,
        demandRevision: demand.listing.revision,
      });
      expect(row.score).toBeGreaterThanOrEqual(MATCHING.threshold);
      expect(row.score).toBeLessThanOrEqual(100);
      // All eight features, each a value in [0, 1] with its weight; the score is their weighted sum.
      const breakdown = row.breakdown as MatchBreakdown;
      expect(Object.keys(breakdown).sort()).toEqual([...MATCH_FEATURES].sort());
      let total = 0;
      for (const feature of MATCH_FEATURES) {
        const { value, weight } = breakdown[feature]!;
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
        expect(weight).toBe(MATCHING.weights[feature]);
        total += value * weight * 100;
      }
      expect(row.score).toBeCloseTo(total, 0);
      // Reasons in both languages; the shared subject is named.
      const reasons = row.reasons as MatchReason[];
      expect(reasons.length).toBeGreaterThan(0);
      for (const reason of reasons) {
        expect(MATCH_FEATURES).toContain(reason.feature);
        expect(reason.zh.trim()).not.toBe('');
        expect(reason.en.trim()).not.toBe('');
      }
      expect(reasons.find((r) => r.feature === 'text')?.zh).toMatch(/失控/);
    }
    expect((await db.listing.findUniqueOrThrow({ where: { id: demand.listing.id } })).matchedRevision).toBe(demand.listing.revision);
    // Staff hear of every new match; both parties' members (offline here) get a stored notification.
    const announced = t.emitted.filter((e) => e.event === 'console:match').map((e) => e.payload as { matchId: string; event: string });
    expect(announced.filter((a) => a.event === 'created').map((a) => a.matchId).sort()).toEqual(rows.map((r) => r.id).sort());
    const demandMembers = await db.user.findMany({ where: { organizationId: demand.organizationId }, select: { id: true } });
    const notices = await db.notification.findMany({ where: { userId: { in: demandMembers.map((u) => u.id) }, kind: 'match.new' } });
    expect(notices).toHaveLength(rows.length);

    // Again: one row per pair, re-scored in place, unchanged.
    const second = await match(demand.listing.id, demand.listing.revision);
    expect(second).toMatchObject({ outcome: 'matched', created: 0, improved: 0, retracted: 0 });
    const again = await pairsOf(demand.listing.id);
    expect(again.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());
    for (const row of again) {
      const before = rows.find((r) => r.id === row.id)!;
      expect(row).toMatchObject({ status: 'open', trend: 'same', previousScore: before.score });
      expect(row.score).toBeCloseTo(before.score, 0);
    }
    // No distractor got a match.
    const distractorIds = Object.values(distractors).map((d) => d.listing.id);
    expect(await db.match.count({ where: { OR: [{ supplyListingId: { in: distractorIds } }, { demandListingId: { in: distractorIds } }] } })).toBe(0);

    // From the other side: the supply's job re-scores the same pair without adding a row; the one it
    // creates is with the other demand (a counterpart for the supply, not for the first demand).
    const fromSupply = await match(relevant[0]!.listing.id, relevant[0]!.listing.revision);
    expect(fromSupply).toMatchObject({ outcome: 'matched', created: 1 });
    const supplyRows = await db.match.findMany({ where: { supplyListingId: relevant[0]!.listing.id } });
    expect(supplyRows.map((r) => r.demandListingId).sort()).toEqual([demand.listing.id, distractors.otherDemand.listing.id].sort());
  });

  it('stores a pair once when both listings’ jobs score it at the same moment', async () => {
    const d = await buildListingRows(db, BATTERY_DEMAND);
    const s = await buildListingRows(db, THERMAL_RUNAWAY_SUPPLY);
    await index(d.listing.id, s.listing.id);
    const results = await Promise.all([
      match(d.listing.id, d.listing.revision),
      match(s.listing.id, s.listing.revision),
      match(d.listing.id, d.listing.revision),
    ]);
    expect(results.every((r) => r.outcome === 'matched')).toBe(true);
    expect(results.reduce((n, r) => n + r.created!, 0)).toBe(1);
    expect(await db.match.count({ where: { supplyListingId: s.listing.id, demandListingId: d.listing.id } })).toBe(1);
  });

  it('retracts a pair whose supply changed to something unrelated, and re-opens it when it changes back', async () => {
    const { demand, supply, match: original } = await matchedPair();
    t.emitted.length = 0;

    const unrelated = await publishNewVersion(supply.id, RICE_BREEDING);
    const down = await match(supply.id, unrelated.revision);
    expect(down).toMatchObject({ outcome: 'matched', created: 0, retracted: 1 });
    const retracted = await db.match.findUniqueOrThrow({ where: { id: original.id } });
    expect(retracted).toMatchObject({
      status: 'retracted',
      retractReason: 'score_below_threshold',
      trend: 'down',
      previousScore: original.score,
      supplyRevision: unrelated.revision,
      demandRevision: demand.revision,
    });
    expect(retracted.score).toBeLessThan(MATCHING.threshold);
    // The supply's own document followed its new revision before it searched.
    const doc = await t.search.client.index<ListingDocument>(t.search.indexUid).getDocument(supply.id);
    expect(doc).toMatchObject({ revision: unrelated.revision, title: RICE_BREEDING.title });
    const retractions = t.emitted.filter((e) => e.event === 'match:retracted');
    expect(retractions).toHaveLength(1);
    expect(retractions[0]).toMatchObject({
      rooms: [`org:${supply.organizationId}`, `org:${demand.organizationId}`],
      payload: { id: original.id, reason: 'score_below_threshold' },
    });
    // The demand's own job agrees: the pair stays retracted, no new row.
    expect(await matchCurrent(demand.id)).toMatchObject({ outcome: 'matched', created: 0, retracted: 0 });
    expect(await db.match.findUniqueOrThrow({ where: { id: original.id } })).toMatchObject({ status: 'retracted' });

    const back = await publishNewVersion(supply.id, {
      title: THERMAL_RUNAWAY_SUPPLY.title,
      summary: THERMAL_RUNAWAY_SUPPLY.summary,
      keywords: THERMAL_RUNAWAY_SUPPLY.keywords,
      industries: THERMAL_RUNAWAY_SUPPLY.industries,
    });
    const up = await match(supply.id, back.revision);
    expect(up).toMatchObject({ outcome: 'matched', created: 1, retracted: 0 });
    const reopened = await db.match.findUniqueOrThrow({ where: { id: original.id } });
    expect(reopened).toMatchObject({ status: 'open', retractReason: null, trend: 'up', previousScore: retracted.score, supplyRevision: back.revision });
    expect(reopened.score).toBeGreaterThanOrEqual(MATCHING.threshold);
    expect(reopened.score).toBeCloseTo(original.score, -1);
    expect(await db.match.count({ where: { supplyListingId: supply.id } })).toBe(1);
    expect((await db.listing.findUniqueOrThrow({ where: { id: supply.id } })).matchedRevision).toBe(back.revision);
  });

  it('completes for a listing whose text is only stop words, and for an English-only one among Chinese listings', async () => {
    // Chinese counterparts in the listings' own industry, and one in another.
    const chinese = [
      await buildListingRows(db, THERMAL_RUNAWAY_SUPPLY),
      await buildListingRows(db, { ...THERMAL_RUNAWAY_SUPPLY, title: '高镍三元锂电池正极材料制备技术', keywords: ['正极材料', '锂电池'] }),
      await buildListingRows(db, { kind: 'achievement', ...RICE_BREEDING }),
    ];
    const stopWords = await buildListingRows(db, {
      kind: 'tech_need',
      title: '的 了 和 技术 需求 服务',
      summary: '的了和技术需求服务。技术 需求 服务 的 和 了',
      keywords: [],
      industries: ['new-energy.lithium-battery'],
    });
    const english = await buildListingRows(db, {
      kind: 'tech_need',
      title: 'Early warning of thermal runaway in lithium battery packs',
      summary: 'We need a monitoring solution that detects thermal runaway in lithium-ion battery packs minutes ahead, with a low false-alarm rate.',
      keywords: ['thermal runaway', 'lithium battery', 'BMS'],
      industries: ['new-energy.lithium-battery'],
    });
    await index(...chinese.map((c) => c.listing.id), stopWords.listing.id, english.listing.id);

    for (const listing of [stopWords.listing, english.listing]) {
      const result = await match(listing.id, listing.revision);
      expect(result.outcome).toBe('matched');
      expect(Number.isInteger(result.scored) && Number.isInteger(result.created)).toBe(true);
      expect((await db.listing.findUniqueOrThrow({ where: { id: listing.id } })).matchedRevision).toBe(listing.revision);
      const rows = await pairsOf(listing.id);
      expect(rows.length).toBe(result.created);
      for (const row of rows) {
        // Sane scores: finite, above the threshold, never for the unrelated field.
        expect(Number.isFinite(row.score)).toBe(true);
        expect(row.score).toBeGreaterThanOrEqual(MATCHING.threshold);
        expect(row.score).toBeLessThanOrEqual(100);
        expect(row.supplyListingId).not.toBe(chinese[2]!.listing.id);
        const breakdown = row.breakdown as MatchBreakdown;
        for (const feature of MATCH_FEATURES) expect(Number.isFinite(breakdown[feature]!.value)).toBe(true);
      }
    }
    // Stop words carry no meaning: nothing textual is shared with anyone.
    for (const row of await pairsOf(stopWords.listing.id)) {
      expect((row.breakdown as MatchBreakdown).text!.value).toBe(0);
      expect((row.reasons as MatchReason[]).some((r) => r.feature === 'text')).toBe(false);
    }
  });

  it('announces on the next run a match that a crash left stored but unannounced, and announces each match once', async () => {
    const { demand, match: stored } = await matchedPair();
    const told = () => t.emitted.filter((e) => e.event === 'console:match' && (e.payload as { matchId: string }).matchId === stored.id).length;
    expect(told()).toBe(1);
    // As if the worker died after storing the match and before telling anyone: the job never finished.
    await db.match.update({ where: { id: stored.id }, data: { announcedAt: null } });
    await db.listing.update({ where: { id: demand.id }, data: { matchedRevision: null } });
    t.emitted.length = 0;
    await matchCurrent(demand.id);
    expect(told()).toBe(1);
    expect(t.emitted.some((e) => e.event === 'match:new' || (e.event === 'console:match' && (e.payload as { event: string }).event === 'created'))).toBe(true);
    expect((await db.match.findUniqueOrThrow({ where: { id: stored.id } })).announcedAt).not.toBeNull();
    // Once announced, later runs stay quiet about it.
    t.emitted.length = 0;
    await matchCurrent(demand.id);
    expect(told()).toBe(0);
  });

  it('treats a job for a deleted or never-existing listing as a no-op', async () => {
    const gone = await buildListingRows(db, THERMAL_RUNAWAY_SUPPLY);
    await index(gone.listing.id);
    await db.$transaction([
      db.listing.update({ where: { id: gone.listing.id }, data: { publishedVersionId: null } }),
      db.listingVersion.deleteMany({ where: { listingId: gone.listing.id } }),
      db.listing.delete({ where: { id: gone.listing.id } }),
    ]);
    const matchesBefore = await db.match.count();
    const emittedBefore = t.emitted.length;
    expect(await match(gone.listing.id, gone.listing.revision)).toEqual({ outcome: 'gone' });
    expect(await match(randomUUID(), 1)).toEqual({ outcome: 'gone' });
    expect(await db.match.count()).toBe(matchesBefore);
    expect(t.emitted.length).toBe(emittedBefore);
  });

  it.each<ListingStatus>(['withdrawn', 'taken_down', 'expired'])(
    'retracts the open and declined matches of a listing now %s and leaves its confirmed ones alone',
    async (status) => {
      const { organization } = await buildOrganizationRow(db);
      const demand = await buildListingRows(db, { ...BATTERY_DEMAND, organizationId: organization.id });
      const supplies = await Promise.all(
        ['锂离子电池热失控早期预警技术', '储能电池热失控监测与预警系统', '电池包热失控多传感器预警方法'].map((title) =>
          buildListingRows(db, { ...THERMAL_RUNAWAY_SUPPLY, title }),
        ),
      );
      await index(demand.listing.id, ...supplies.map((s) => s.listing.id));
      expect(await match(demand.listing.id, demand.listing.revision)).toMatchObject({ outcome: 'matched', created: 3 });
      const [open, declined, confirmed] = await Promise.all(
        supplies.map((s) =>
          db.match.findUniqueOrThrow({ where: { supplyListingId_demandListingId: { supplyListingId: s.listing.id, demandListingId: demand.listing.id } } }),
        ),
      );
      await db.match.update({ where: { id: declined!.id }, data: { status: 'declined', demandResponse: 'declined' } });
      const confirmedRow = await db.match.update({
        where: { id: confirmed!.id },
        data: { status: 'confirmed', supplyResponse: 'interested', demandResponse: 'interested', confirmedAt: new Date() },
      });
      const left = await db.listing.update({ where: { id: demand.listing.id }, data: { status, statusReason: status === 'taken_down' ? '违规' : null, revision: { increment: 1 } } });
      t.emitted.length = 0;

      expect(await match(left.id, left.revision)).toEqual({ outcome: 'retracted', retracted: 2 });
      for (const m of [open!, declined!]) {
        expect(await db.match.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ status: 'retracted', retractReason: 'listing_unpublished' });
      }
      // Not written at all: same status, score, revisions, updatedAt.
      expect(await db.match.findUniqueOrThrow({ where: { id: confirmed!.id } })).toEqual(confirmedRow);
      expect((await db.listing.findUniqueOrThrow({ where: { id: left.id } })).matchedRevision).toBe(left.revision);
      // Its document left the index with it.
      await expect(t.search.client.index(t.search.indexUid).getDocument(left.id)).rejects.toThrow();
      const retractions = t.emitted.filter((e) => e.event === 'match:retracted').map((e) => e.payload);
      expect(retractions).toEqual(
        expect.arrayContaining([
          { id: open!.id, reason: 'listing_unpublished' },
          { id: declined!.id, reason: 'listing_unpublished' },
        ]),
      );
      expect(retractions).toHaveLength(2);
      // A supply's job afterwards does not bring the pair back, nor touch the confirmed one.
      expect(await matchCurrent(supplies[0]!.listing.id)).toMatchObject({ outcome: 'matched', created: 0 });
      expect(await db.match.findUniqueOrThrow({ where: { id: open!.id } })).toMatchObject({ status: 'retracted' });
      expect(await db.match.findUniqueOrThrow({ where: { id: confirmed!.id } })).toMatchObject({ status: 'confirmed' });
    },
  );

  it('rejects a malformed payload as unrecoverable: the job fails once, naming the problem, and is not retried', async () => {
    expect(() => runJob(t.deps, 'match-listing', { listingId: 'x' })).toThrow(UnrecoverableError);
    expect(() => runJob(t.deps, 'match-listing', { listingId: 'x' })).toThrow(/Invalid match-listing payload[\s\S]*listingId[\s\S]*revision/);

    // Through a real BullMQ worker (on a queue of its own, so it takes none of the other tests' jobs).
    const prefix = `${t.config.REDIS_PREFIX}:malformed:bull`;
    const connections = [t.redis.duplicate(), t.redis.duplicate()];
    const queue = new Queue(QUEUE, { connection: connections[0]!, prefix });
    const failed: Job[] = [];
    const worker = new Worker(QUEUE, (job) => runJob(t.deps, job.name, job.data), { connection: connections[1]!, prefix, concurrency: 1 });
    worker.on('failed', (job) => job && failed.push(job));
    try {
      await queue.add('match-listing', { listingId: 'x' }, { ...JOB_OPTIONS['match-listing'], jobId: 'malformed-1' });
      await expect.poll(() => failed.length, { timeout: 15_000 }).toBe(1);
      // Longer than the first retry's backoff (1 s): an ordinary failure would be back by now.
      await new Promise((r) => setTimeout(r, JOB_OPTIONS['match-listing'].backoff.delay * 2));
      const job = (await queue.getJob('malformed-1'))!;
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toContain('Invalid match-listing payload');
      expect(job.failedReason).toMatch(/listingId/);
      expect(failed).toHaveLength(1);
      expect(await queue.getFailedCount()).toBe(1);
      expect(await queue.getDelayedCount()).toBe(0);
    } finally {
      await worker.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      for (const connection of connections) connection.disconnect();
    }
  });
});
