import type { Db, Prisma, RoomEntry } from '@hub/db';
import type { RoomEntryKind, RoomVerification } from '@hub/protocol';
import { evidenceHash, GENESIS_HASH, type EvidenceContent } from '@hub/protocol/evidence-hash';

/** What an entry says; the sequence number, time and hashes are the record's to give. */
export interface NewEntry {
  kind: RoomEntryKind;
  authorId: string | null;
  body: string;
  replyToSeq?: number | null;
  data?: Record<string, unknown>;
  clientKey?: string | null;
  requestHash?: string | null;
}

/** The part of an entry its hash covers (the idempotency key is transport, not content). */
function content(roomId: string, entry: Pick<RoomEntry, 'seq' | 'kind' | 'authorId' | 'body' | 'replyToSeq'> & { data: unknown }, createdAt: string): EvidenceContent {
  return {
    seq: entry.seq,
    kind: entry.kind,
    subjectType: 'room',
    subjectId: roomId,
    actorId: entry.authorId,
    payload: { body: entry.body, replyToSeq: entry.replyToSeq ?? null, data: entry.data ?? {} },
    createdAt,
  };
}

/**
 * Appends an entry to a room's record inside the caller's transaction: locks the room row (appends
 * to one room are serialised, rooms do not wait on each other), takes the next sequence number, and
 * links the entry to its predecessor by hash. Returns null when the room does not exist.
 */
export async function appendRoomEntry(tx: Prisma.TransactionClient, roomId: string, entry: NewEntry): Promise<RoomEntry | null> {
  const [room] = await tx.$queryRaw<{ lastSeq: number; lastHash: string }[]>`
    SELECT "lastSeq", "lastHash" FROM "NegotiationRoom" WHERE id = ${roomId}::uuid FOR UPDATE`;
  if (!room) return null;
  const seq = room.lastSeq + 1;
  const createdAt = new Date();
  const data = JSON.parse(JSON.stringify(entry.data ?? {})) as Prisma.InputJsonObject;
  const fields = { seq, kind: entry.kind, authorId: entry.authorId, body: entry.body, replyToSeq: entry.replyToSeq ?? null, data };
  const hash = evidenceHash(room.lastHash, content(roomId, fields, createdAt.toISOString()));
  const created = await tx.roomEntry.create({
    data: { ...fields, roomId, createdAt, prevHash: room.lastHash, hash, clientKey: entry.clientKey ?? null, requestHash: entry.requestHash ?? null },
  });
  await tx.negotiationRoom.update({ where: { id: roomId }, data: { lastSeq: seq, lastHash: hash, lastEntryAt: createdAt } });
  return created;
}

/** Walks a room's record in order and reports the first entry whose link, hash or sequence does not hold. */
export async function verifyRoomRecord(db: Db, roomId: string, batchSize = 1000): Promise<RoomVerification> {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const rows = await db.roomEntry.findMany({ where: { roomId, seq: { gte: expectedSeq } }, orderBy: { seq: 'asc' }, take: batchSize });
    for (const row of rows) {
      if (row.seq !== expectedSeq) return { ok: false, checked, firstBroken: { seq: expectedSeq, reason: 'sequence_gap' } };
      if (row.prevHash !== expectedPrev) return { ok: false, checked, firstBroken: { seq: row.seq, reason: 'prev_hash_mismatch' } };
      if (evidenceHash(row.prevHash, content(roomId, row, row.createdAt.toISOString())) !== row.hash) {
        return { ok: false, checked, firstBroken: { seq: row.seq, reason: 'hash_mismatch' } };
      }
      expectedPrev = row.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < batchSize) break;
  }
  // The room row remembers its last entry: a record cut short at its end is caught too.
  const room = await db.negotiationRoom.findUnique({ where: { id: roomId }, select: { lastSeq: true, lastHash: true } });
  if (room && (room.lastSeq !== expectedSeq - 1 || room.lastHash !== expectedPrev)) {
    return { ok: false, checked, firstBroken: { seq: expectedSeq, reason: 'sequence_gap' } };
  }
  return { ok: true, checked, firstBroken: null };
}
