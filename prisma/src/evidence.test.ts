import { randomUUID } from 'node:crypto';
import { evidenceHash, GENESIS_HASH, type EvidenceContent } from '@hub/protocol/evidence-hash';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestServices } from '../../server/test/harness.ts';
import { appendEvidence, createDb, verifyEvidence, type Db, type EvidenceRecord } from './index.ts';

let db: Db;
let superuser: pg.Client;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const services = await createTestServices();
  cleanup = services.cleanup;
  db = createDb(services.urls.databaseUrl, { max: 25 });
  superuser = new pg.Client({ connectionString: services.urls.databaseUrl });
  await superuser.connect();
});

afterAll(async () => {
  await superuser?.end();
  await db?.$disconnect();
  await cleanup?.();
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

describe('appendEvidence', () => {
  it('builds a chain: seq 1..n, each prevHash the previous hash, the first linked to GENESIS_HASH', async () => {
    const entries = await appendMany(5);
    const rows = await db.evidenceEntry.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(rows.map((r) => r.hash)).toEqual(entries.map((e) => e.hash));
    // Each stored hash is the hash of its own content.
    for (const row of rows) {
      const content: EvidenceContent = {
        seq: Number(row.seq),
        kind: row.kind,
        subjectType: row.subjectType,
        subjectId: row.subjectId,
        actorId: row.actorId,
        payload: row.payload,
        createdAt: row.createdAt.toISOString(),
      };
      expect(row.hash).toBe(evidenceHash(row.prevHash, content));
    }
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
    expect(await verifyEvidence(db)).toEqual({ ok: true, checked: 2, firstBroken: null });
  });

  it('keeps a valid chain with no duplicate seq under 20 concurrent appends', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.$transaction((tx) => appendEvidence(tx, record(i + 1)))));
    const rows = await db.evidenceEntry.findMany({ orderBy: { seq: 'asc' } });
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(20);
    expect(await verifyEvidence(db)).toEqual({ ok: true, checked: 20, firstBroken: null });
  });
});

describe('verifyEvidence', () => {
  it('reports ok on an empty chain', async () => {
    expect(await verifyEvidence(db)).toEqual({ ok: true, checked: 0, firstBroken: null });
  });

  it('reports ok with every entry checked on a good chain, across batches', async () => {
    await appendMany(7);
    expect(await verifyEvidence(db)).toEqual({ ok: true, checked: 7, firstBroken: null });
    expect(await verifyEvidence(db, 3)).toEqual({ ok: true, checked: 7, firstBroken: null });
  });

  it("reports 'hash_mismatch' at exactly the entry whose payload was changed", async () => {
    await appendMany(5);
    await withTriggerDisabled(() =>
      superuser.query(`UPDATE "EvidenceEntry" SET payload = jsonb_set(payload, '{reason}', '"篡改"') WHERE seq = 3`),
    );
    expect(await verifyEvidence(db)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'hash_mismatch' } });
    expect(await verifyEvidence(db, 2)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'hash_mismatch' } });
  });

  it("reports 'hash_mismatch' when another covered field (actor, time) changes", async () => {
    await appendMany(3);
    await withTriggerDisabled(() => superuser.query(`UPDATE "EvidenceEntry" SET "createdAt" = "createdAt" + interval '1 ms' WHERE seq = 1`));
    expect(await verifyEvidence(db)).toEqual({ ok: false, checked: 0, firstBroken: { seq: 1, reason: 'hash_mismatch' } });
  });

  it("reports 'sequence_gap' at the seq of a deleted middle entry", async () => {
    await appendMany(5);
    await withTriggerDisabled(() => superuser.query('DELETE FROM "EvidenceEntry" WHERE seq = 3'));
    expect(await verifyEvidence(db)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'sequence_gap' } });
  });

  it("reports 'prev_hash_mismatch' on the NEXT entry when one entry is rewritten with a consistent hash", async () => {
    await appendMany(5);
    const row = await db.evidenceEntry.findUniqueOrThrow({ where: { seq: 2n } });
    const payload = { ...(row.payload as Record<string, unknown>), reason: '伪造的理由' };
    const content: EvidenceContent = {
      seq: 2,
      kind: row.kind,
      subjectType: row.subjectType,
      subjectId: row.subjectId,
      actorId: row.actorId,
      payload,
      createdAt: row.createdAt.toISOString(),
    };
    await withTriggerDisabled(() =>
      superuser.query('UPDATE "EvidenceEntry" SET payload = $1, hash = $2 WHERE seq = 2', [
        JSON.stringify(payload),
        evidenceHash(row.prevHash, content),
      ]),
    );
    expect(await verifyEvidence(db)).toEqual({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'prev_hash_mismatch' } });
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
    expect(await verifyEvidence(db)).toEqual({ ok: true, checked: 2, firstBroken: null });
  });

  it('refuses DELETE of an entry and removes nothing', async () => {
    await appendMany(3);
    await expect(superuser.query('DELETE FROM "EvidenceEntry" WHERE seq = 2')).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(db.evidenceEntry.deleteMany({})).rejects.toThrow(/append-only/);
    expect(await count()).toBe(3);
    expect(await verifyEvidence(db)).toEqual({ ok: true, checked: 3, firstBroken: null });
  });
});
