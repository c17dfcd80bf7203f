import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { evidenceHash, GENESIS_HASH, type EvidenceContent } from '@hub/protocol/evidence-hash';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../server/test/harness.ts';
import { appendEvidence, CheckpointStore, createDb, evidenceDirOf, PLATFORM_CHAIN, verifyEvidence, type Db, type EvidenceEntry, type EvidenceRecord } from './index.ts';

let db: Db;
let superuser: pg.Client;
let redis: Redis;
let services: Awaited<ReturnType<typeof createTestServices>>;

beforeAll(async () => {
  services = await createTestServices();
  db = createDb(services.urls.databaseUrl, { max: 25 });
  superuser = new pg.Client({ connectionString: services.urls.databaseUrl });
  await superuser.connect();
  redis = new Redis(services.urls.redisUrl);
});

afterAll(async () => {
  await superuser?.end();
  await db?.$disconnect();
  const keys = await redis.keys(`${services.config.REDIS_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await services?.cleanup();
});

/** Every test starts from an empty chain (the append-only trigger is switched off only for the reset). */
afterEach(async () => {
  await withTriggerDisabled(() => superuser.query('DELETE FROM "EvidenceEntry"'));
});

async function withTriggerDisabled<T>(run: () => Promise<T>): Promise<T> {
  await superuser.query('ALTER TABLE "EvidenceEntry" DISABLE TRIGGER "EvidenceEntry_append_only"');
  try {
    return await run();
  } finally {
    await superuser.query('ALTER TABLE "EvidenceEntry" ENABLE TRIGGER "EvidenceEntry_append_only"');
  }
}

const record = (i: number): EvidenceRecord => ({
  kind: 'staff.role_changed',
  subjectType: 'user',
  subjectId: randomUUID(),
  actorId: i % 2 ? null : randomUUID(),
  payload: { from: null, to: 'reviewer', reason: `第 ${i} 次授权`, nested: { b: i, a: [i, 'x'] } },
});

async function appendMany(n: number) {
  const entries = [];
  for (let i = 1; i <= n; i++) entries.push(await db.$transaction((tx) => appendEvidence(tx, record(i))));
  return entries;
}

const count = async () => db.evidenceEntry.count();

/** The fields of a stored entry that its hash covers. */
const contentOf = (row: EvidenceEntry, payload: unknown = row.payload): EvidenceContent => ({
  seq: Number(row.seq),
  kind: row.kind,
  subjectType: row.subjectType,
  subjectId: row.subjectId,
  actorId: row.actorId,
  payload,
  createdAt: row.createdAt.toISOString(),
});
/** What a verification without checkpoints adds. */
const unanchored = { checkpoint: null, forgedCheckpoints: 0 };

describe('appendEvidence', () => {
  it('builds a chain: seq 1..n, each prevHash the previous hash, the first linked to GENESIS_HASH', async () => {
    const entries = await appendMany(5);
    const rows = await db.evidenceEntry.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows.map((r) => r.hash)).toEqual(entries.map((e) => e.hash));
    // Each stored hash is the hash of its own content.
    for (const row of rows) expect(row.hash).toBe(evidenceHash(row.prevHash, contentOf(row)));
  });

  it('writes nothing when the surrounding transaction rolls back', async () => {
    await appendMany(2);
    await expect(
      db.$transaction(async (tx) => {
        await appendEvidence(tx, record(3));
        throw new Error('the action failed');
      }),
    ).rejects.toThrow('the action failed');
    expect(await count()).toBe(2);
    expect(await verifyEvidence(db, null)).toEqual({ ok: true, checked: 2, firstBroken: null, ...unanchored });
  });

  it('keeps a valid chain with no duplicate seq under 20 concurrent appends', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.$transaction((tx) => appendEvidence(tx, record(i + 1)))));
    const rows = await db.evidenceEntry.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(20);
    expect(await verifyEvidence(db, null)).toEqual({ ok: true, checked: 20, firstBroken: null, ...unanchored });
  });
});

describe('verifyEvidence', () => {
  it('reports ok on an empty chain', async () => {
    expect(await verifyEvidence(db, null)).toEqual({ ok: true, checked: 0, firstBroken: null, ...unanchored });
  });

  it('reports ok with every entry checked on a good chain, across batches', async () => {
    await appendMany(7);
    expect(await verifyEvidence(db, null)).toEqual({ ok: true, checked: 7, firstBroken: null, ...unanchored });
    expect(await verifyEvidence(db, null, 3)).toEqual({ ok: true, checked: 7, firstBroken: null, ...unanchored });
  });

  it("reports 'hash_mismatch' at exactly the entry whose payload was changed", async () => {
    await appendMany(5);
    await withTriggerDisabled(() =>
      superuser.query(`UPDATE "EvidenceEntry" SET payload = jsonb_set(payload, '{reason}', '"篡改"') WHERE seq = 3`),
    );
    expect(await verifyEvidence(db, null)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'hash_mismatch' }, ...unanchored });
    expect(await verifyEvidence(db, null, 2)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'hash_mismatch' }, ...unanchored });
  });

  it("reports 'hash_mismatch' when another covered field (actor, time) changes", async () => {
    await appendMany(3);
    await withTriggerDisabled(() => superuser.query(`UPDATE "EvidenceEntry" SET "createdAt" = "createdAt" + interval '1 ms' WHERE seq = 1`));
    expect(await verifyEvidence(db, null)).toEqual({ ok: false, checked: 0, firstBroken: { seq: 1, reason: 'hash_mismatch' }, ...unanchored });
  });

  it("reports 'sequence_gap' at the seq of a deleted middle entry", async () => {
    await appendMany(5);
    await withTriggerDisabled(() => superuser.query('DELETE FROM "EvidenceEntry" WHERE seq = 3'));
    expect(await verifyEvidence(db, null)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'sequence_gap' }, ...unanchored });
  });

  it("reports 'prev_hash_mismatch' on the NEXT entry when one entry is rewritten with a consistent hash", async () => {
    await appendMany(5);
    const row = await db.evidenceEntry.findUniqueOrThrow({ where: { seq: 2n } });
    const payload = { ...(row.payload as Record<string, unknown>), reason: '伪造的理由' };
    await withTriggerDisabled(() =>
      superuser.query('UPDATE "EvidenceEntry" SET payload = $1, hash = $2 WHERE seq = 2', [
        JSON.stringify(payload),
        evidenceHash(row.prevHash, contentOf(row, payload)),
      ]),
    );
    expect(await verifyEvidence(db, null)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'prev_hash_mismatch' }, ...unanchored });
  });
});

describe('verifyEvidence against the latest signed checkpoint', () => {
  /** A checkpoint store of its own for each test (each starts from an empty chain), and its Redis hash. */
  function freshStore() {
    const prefix = `${services.config.REDIS_PREFIX}${randomBytes(4).toString('hex')}`;
    const store = new CheckpointStore(path.join(evidenceDirOf(services.config), prefix), redis, prefix);
    return Object.assign(store, { redisKey: `${prefix}:evidence:checkpoints` });
  }

  /** What the checkpoint job signs: the platform chain's head now. */
  async function checkpoint(store: CheckpointStore) {
    const last = await db.evidenceEntry.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    const signed = { chain: PLATFORM_CHAIN, seq: Number(last.seq), head: last.hash, at: new Date().toISOString() };
    await store.write([signed]);
    return signed;
  }

  /** What an attacker with the database's credentials does: rewrites an entry, then re-hashes it and every later one so each link holds. */
  async function rewriteAndRehash(seq: number, reason: string) {
    const rows = await db.evidenceEntry.findMany({ where: { seq: { gte: BigInt(seq) } }, orderBy: { seq: 'asc' } });
    let prevHash = rows[0]!.prevHash;
    await withTriggerDisabled(async () => {
      for (const row of rows) {
        const payload = row.seq === BigInt(seq) ? { ...(row.payload as Record<string, unknown>), reason } : row.payload;
        const hash = evidenceHash(prevHash, contentOf(row, payload));
        await superuser.query('UPDATE "EvidenceEntry" SET payload = $1, "prevHash" = $2, hash = $3 WHERE seq = $4', [JSON.stringify(payload), prevHash, hash, String(row.seq)]);
        prevHash = hash;
      }
    });
  }

  it('an untouched chain verifies with its checkpoint, entries appended since included', async () => {
    const store = freshStore();
    await appendMany(5);
    const signed = await checkpoint(store);
    await appendMany(2);
    expect(await verifyEvidence(db, store)).toEqual({ ok: true, checked: 7, firstBroken: null, checkpoint: signed, forgedCheckpoints: 0 });
    expect(await verifyEvidence(db, store, 2)).toMatchObject({ ok: true, checked: 7 });
  });

  it("reports 'truncated' when the newest entries are deleted behind the trigger", async () => {
    const store = freshStore();
    await appendMany(5);
    const signed = await checkpoint(store);
    await withTriggerDisabled(() => superuser.query('DELETE FROM "EvidenceEntry" WHERE seq >= 4'));
    // The chain alone still holds: only the checkpoint shows what is gone.
    expect(await verifyEvidence(db, null)).toMatchObject({ ok: true, checked: 3 });
    expect(await verifyEvidence(db, store)).toEqual({ ok: false, checked: 3, firstBroken: { seq: 4, reason: 'truncated' }, checkpoint: signed, forgedCheckpoints: 0 });
    await withTriggerDisabled(() => superuser.query('DELETE FROM "EvidenceEntry"'));
    expect(await verifyEvidence(db, store)).toMatchObject({ ok: false, checked: 0, firstBroken: { seq: 1, reason: 'truncated' } });
  });

  it("reports 'rehashed' at the checkpoint when an entry before it is rewritten and the chain re-hashed", async () => {
    const store = freshStore();
    await appendMany(3);
    const signed = await checkpoint(store);
    await appendMany(2);
    await rewriteAndRehash(2, '事后改写的理由');
    expect(await verifyEvidence(db, null)).toMatchObject({ ok: true, checked: 5 });
    expect(await verifyEvidence(db, store)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'rehashed' }, checkpoint: signed, forgedCheckpoints: 0 });
  });

  it('ignores and reports a forged checkpoint that would bless a shortened chain', async () => {
    const store = freshStore();
    await appendMany(4);
    const signed = await checkpoint(store);
    await withTriggerDisabled(() => superuser.query('DELETE FROM "EvidenceEntry" WHERE seq = 4'));
    const last = await db.evidenceEntry.findFirstOrThrow({ where: { seq: 3n } });
    const forged = { chain: PLATFORM_CHAIN, seq: 3, head: last.hash, at: new Date().toISOString(), key: 'mine', sig: 'c2lnbmVk' };
    await redis.hset(store.redisKey, PLATFORM_CHAIN, JSON.stringify(forged));
    expect(await verifyEvidence(db, store)).toEqual({ ok: false, checked: 3, firstBroken: { seq: 4, reason: 'truncated' }, checkpoint: signed, forgedCheckpoints: 1 });
    // With no valid checkpoint left to hold it against, the forgery alone fails the verification.
    const bare = freshStore();
    await redis.hset(bare.redisKey, PLATFORM_CHAIN, JSON.stringify({ chain: PLATFORM_CHAIN, seq: 3, head: last.hash, at: forged.at }));
    expect(await verifyEvidence(db, bare)).toEqual({ ok: false, checked: 3, firstBroken: null, checkpoint: null, forgedCheckpoints: 1 });
  });
});

describe('the append-only trigger', () => {
  it('refuses UPDATE of an entry and changes nothing', async () => {
    const [entry] = await appendMany(2);
    await expect(superuser.query(`UPDATE "EvidenceEntry" SET kind = 'organization.reviewed' WHERE seq = 1`)).rejects.toThrow(
      /append-only \(UPDATE refused\)/,
    );
    await expect(db.evidenceEntry.update({ where: { seq: 1n }, data: { kind: 'organization.reviewed' } })).rejects.toThrow(/append-only/);
    expect(await db.evidenceEntry.findUniqueOrThrow({ where: { seq: 1n } })).toEqual(entry);
    expect(await verifyEvidence(db, null)).toEqual({ ok: true, checked: 2, firstBroken: null, ...unanchored });
  });

  it('refuses DELETE of an entry and removes nothing', async () => {
    await appendMany(3);
    await expect(superuser.query('DELETE FROM "EvidenceEntry" WHERE seq = 2')).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(db.evidenceEntry.deleteMany({})).rejects.toThrow(/append-only/);
    expect(await count()).toBe(3);
    expect(await verifyEvidence(db, null)).toEqual({ ok: true, checked: 3, firstBroken: null, ...unanchored });
  });
});
