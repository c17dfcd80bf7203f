import { chainVerdict, checkpointOf, roomChain, walkChain, type CheckpointReader, type Db, type Prisma, type RoomEntry } from '@hub/db';
import type { RoomEntryKind, RoomVerification } from '@hub/protocol';
import { canonicalJson, type EvidenceContent } from '@hub/protocol/evidence-hash';

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

/** Stands for the sequence number while the hashed text is built: the database fills in the real one. */
const SEQ_MARK = -1;

/**
 * The text an entry's hash covers, split where its sequence number goes. `seq` sorts after every key
 * of the payload and before the subject's (server-made) ones, so its mark is the last match.
 */
function hashedAround(roomId: string, fields: Omit<Parameters<typeof content>[1], 'seq'>, createdAt: string): [string, string] {
  const text = canonicalJson(content(roomId, { ...fields, seq: SEQ_MARK }, createdAt));
  const at = text.lastIndexOf(`"seq":${SEQ_MARK}`) + '"seq":'.length;
  return [text.slice(0, at), text.slice(at + String(SEQ_MARK).length)];
}

/**
 * Appends an entry to a room's record in one statement (alone, or inside the caller's transaction):
 * locks the room row (appends to one room are serialised, rooms do not wait on each other), takes the
 * next sequence number, links the entry to its predecessor by sha256(prevHash + canonical JSON),
 * exactly as `evidenceHash` does, and moves the room's last sequence and hash. One round trip, no
 * interactive transaction: that is what lets a room take messages at the rate a live negotiation
 * (or a roadshow's hundreds of rooms) sends them. Returns null when the room does not exist.
 */
export async function appendRoomEntry(db: Db | Prisma.TransactionClient, roomId: string, entry: NewEntry): Promise<RoomEntry | null> {
  const createdAt = new Date().toISOString();
  // Hashed as it will be stored: what JSON keeps (no undefined values), in the same text the column gets.
  const json = JSON.stringify(entry.data ?? {});
  const data = JSON.parse(json) as Prisma.InputJsonObject;
  const fields = { kind: entry.kind, authorId: entry.authorId, body: entry.body, replyToSeq: entry.replyToSeq ?? null, data };
  const [before, after] = hashedAround(roomId, fields, createdAt);
  const rows = await db.$queryRaw<RoomEntry[]>`/* prepared: room_append */
    WITH locked AS (
      SELECT id, "lastSeq" + 1 AS seq, "lastHash" AS "prevHash" FROM "NegotiationRoom" WHERE id = ${roomId}::uuid FOR UPDATE
    ), next AS (
      SELECT id, seq, "prevHash", encode(sha256(convert_to("prevHash" || ${before}::text || seq::text || ${after}::text, 'UTF8')), 'hex') AS hash FROM locked
    ), moved AS (
      UPDATE "NegotiationRoom" r SET "lastSeq" = next.seq, "lastHash" = next.hash, "lastEntryAt" = ${createdAt}::timestamp(3)
      FROM next WHERE r.id = next.id
    )
    INSERT INTO "RoomEntry" (id, "roomId", seq, kind, "authorId", body, "replyToSeq", data, "clientKey", "requestHash", "createdAt", "prevHash", hash)
    SELECT gen_random_uuid(), next.id, next.seq, ${fields.kind}::text, ${fields.authorId}::uuid, ${fields.body}::text, ${fields.replyToSeq}::int,
      ${json}::jsonb, ${entry.clientKey ?? null}::text, ${entry.requestHash ?? null}::text, ${createdAt}::timestamp(3), next."prevHash", next.hash
    FROM next
    RETURNING *`;
  return rows[0] ?? null;
}

/**
 * Walks a room's record in order, reports the first entry whose link, hash or sequence does not hold,
 * and holds it against the room's latest checkpoint.
 */
export async function verifyRoomRecord(db: Db, roomId: string, checkpoints: CheckpointReader | null, batchSize = 1000): Promise<RoomVerification> {
  const lookup = await checkpointOf(checkpoints, roomChain(roomId));
  const walk = await walkChain(async (fromSeq) => {
    const rows = await db.roomEntry.findMany({ where: { roomId, seq: { gte: fromSeq } }, orderBy: { seq: 'asc' }, take: batchSize });
    return rows.map((row) => ({ seq: row.seq, prevHash: row.prevHash, hash: row.hash, content: content(roomId, row, row.createdAt.toISOString()) }));
  }, batchSize, lookup.checkpoint?.seq ?? null);
  // The room row remembers its last entry: a record cut short at its end (and the row left alone) is caught too.
  const room = await db.negotiationRoom.findUnique({ where: { id: roomId }, select: { lastSeq: true, lastHash: true } });
  if (!walk.firstBroken && room && (room.lastSeq !== walk.checked || room.lastHash !== walk.head)) {
    walk.firstBroken = { seq: walk.checked + 1, reason: 'sequence_gap' };
  }
  return chainVerdict(walk, lookup);
}
