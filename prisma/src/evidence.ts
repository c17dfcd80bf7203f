import type { ChainBreak, ChainVerification, EvidenceKind, EvidenceVerification } from '@hub/protocol';
import { evidenceHash, GENESIS_HASH, type EvidenceContent } from '@hub/protocol/evidence-hash';
import type { Prisma, PrismaClient } from '../generated/client/client.ts';
import { PLATFORM_CHAIN, type CheckpointLookup, type CheckpointReader } from './checkpoints.ts';

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

/** One entry of a chain as verification reads it: its links and the content its hash covers. */
export interface ChainLink {
  seq: number;
  prevHash: string;
  hash: string;
  content: EvidenceContent;
}

/** How far a walk got: entries that held, the hash they end on, the first that did not, and the hash at `mark`. */
export interface ChainWalk {
  checked: number;
  head: string;
  firstBroken: ChainBreak | null;
  /** The hash of the entry at the seq asked to be marked (a checkpoint's), if the walk reached it. */
  marked: string | null;
}

/**
 * Walks a chain from seq 1 in pages (`page(fromSeq)` returns up to `batchSize` links from that seq,
 * in order) and stops at the first entry whose sequence, link or hash does not hold.
 */
export async function walkChain(page: (fromSeq: number) => Promise<ChainLink[]>, batchSize: number, mark: number | null): Promise<ChainWalk> {
  const walk: ChainWalk = { checked: 0, head: GENESIS_HASH, firstBroken: null, marked: null };
  for (;;) {
    const links = await page(walk.checked + 1);
    for (const link of links) {
      walk.firstBroken = brokenLink(link, walk.checked + 1, walk.head);
      if (walk.firstBroken) return walk;
      if (link.seq === mark) walk.marked = link.hash;
      walk.head = link.hash;
      walk.checked += 1;
    }
    if (links.length < batchSize) return walk;
  }
}

function brokenLink(link: ChainLink, expectedSeq: number, expectedPrev: string): ChainBreak | null {
  if (link.seq !== expectedSeq) return { seq: expectedSeq, reason: 'sequence_gap' };
  if (link.prevHash !== expectedPrev) return { seq: link.seq, reason: 'prev_hash_mismatch' };
  if (evidenceHash(link.prevHash, link.content) !== link.hash) return { seq: link.seq, reason: 'hash_mismatch' };
  return null;
}

/**
 * The verdict on a walked chain held against its latest valid checkpoint: entries up to the checkpoint
 * missing (`truncated`) or the entry at its seq with another hash (`rehashed`, the chain having been
 * rewritten and re-hashed at or before it). The earliest break found is reported.
 */
export function chainVerdict(walk: ChainWalk, lookup: CheckpointLookup): ChainVerification {
  const { checkpoint, forged } = lookup;
  let firstBroken = walk.firstBroken;
  if (checkpoint && walk.marked !== null && walk.marked !== checkpoint.head) firstBroken = { seq: checkpoint.seq, reason: 'rehashed' };
  else if (checkpoint && !firstBroken && walk.checked < checkpoint.seq) firstBroken = { seq: walk.checked + 1, reason: 'truncated' };
  // As for a broken link, `checked` counts the entries before the first that does not hold.
  const checked = firstBroken ? Math.min(walk.checked, firstBroken.seq - 1) : walk.checked;
  return { ok: !firstBroken && forged === 0, checked, firstBroken, checkpoint, forgedCheckpoints: forged };
}

/** A chain's latest checkpoint, or none when there is nothing to hold it against. */
export async function checkpointOf(checkpoints: CheckpointReader | null, chain: string): Promise<CheckpointLookup> {
  return (await checkpoints?.latest([chain]))?.get(chain) ?? { checkpoint: null, forged: 0 };
}

/**
 * Walks the platform chain in order and holds it against its latest checkpoint (pass null only where
 * there are none to read, as in a fresh database's tests).
 */
export async function verifyEvidence(db: PrismaClient, checkpoints: CheckpointReader | null, batchSize = 1000): Promise<EvidenceVerification> {
  const lookup = await checkpointOf(checkpoints, PLATFORM_CHAIN);
  const walk = await walkChain(async (fromSeq) => {
    const rows = await db.evidenceEntry.findMany({ where: { seq: { gte: BigInt(fromSeq) } }, orderBy: { seq: 'asc' }, take: batchSize });
    return rows.map((row) => ({
      seq: Number(row.seq),
      prevHash: row.prevHash,
      hash: row.hash,
      content: {
        seq: Number(row.seq),
        kind: row.kind,
        subjectType: row.subjectType,
        subjectId: row.subjectId,
        actorId: row.actorId,
        payload: row.payload,
        createdAt: row.createdAt.toISOString(),
      },
    }));
  }, batchSize, lookup.checkpoint?.seq ?? null);
  return chainVerdict(walk, lookup);
}
