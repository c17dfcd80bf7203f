import type { EvidenceKind, EvidenceVerification } from '@hub/protocol';
import { evidenceHash, GENESIS_HASH, type EvidenceContent } from '@hub/protocol/evidence-hash';
import type { Prisma, PrismaClient } from '../generated/client/client.ts';

/** Serialises appends: the chain needs each entry's predecessor. Held until the transaction ends. */
const EVIDENCE_LOCK_KEY = 0x45564944; // "EVID"

export interface EvidenceRecord {
  kind: EvidenceKind;
  subjectType: string;
  subjectId: string;
  actorId: string | null;
  payload: Record<string, unknown>;
}

/**
 * Appends one entry to the evidence chain inside the caller's transaction, so the entry exists
 * exactly when the action it proves was committed.
 */
export async function appendEvidence(tx: Prisma.TransactionClient, record: EvidenceRecord) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVIDENCE_LOCK_KEY})`;
  const last = await tx.evidenceEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const content: EvidenceContent = {
    seq: last ? Number(last.seq) + 1 : 1,
    kind: record.kind,
    subjectType: record.subjectType,
    subjectId: record.subjectId,
    actorId: record.actorId,
    payload: JSON.parse(JSON.stringify(record.payload)),
    createdAt: new Date().toISOString(),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  return tx.evidenceEntry.create({
    data: {
      ...content,
      seq: BigInt(content.seq),
      payload: content.payload as Prisma.InputJsonValue,
      createdAt: new Date(content.createdAt),
      prevHash,
      hash: evidenceHash(prevHash, content),
    },
  });
}

/** Walks the whole chain in order and reports the first entry that does not hold. */
export async function verifyEvidence(db: PrismaClient, batchSize = 1000): Promise<EvidenceVerification> {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await db.evidenceEntry.findMany({
      where: { seq: { gte: BigInt(expectedSeq) } },
      orderBy: { seq: 'asc' },
      take: batchSize,
    });
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return { ok: false, checked, firstBroken: { seq: expectedSeq, reason: 'sequence_gap' } };
      if (row.prevHash !== expectedPrev) return { ok: false, checked, firstBroken: { seq, reason: 'prev_hash_mismatch' } };
      const content: EvidenceContent = {
        seq,
        kind: row.kind,
        subjectType: row.subjectType,
        subjectId: row.subjectId,
        actorId: row.actorId,
        payload: row.payload,
        createdAt: row.createdAt.toISOString(),
      };
      if (evidenceHash(row.prevHash, content) !== row.hash) return { ok: false, checked, firstBroken: { seq, reason: 'hash_mismatch' } };
      expectedPrev = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < batchSize) return { ok: true, checked, firstBroken: null };
  }
}
