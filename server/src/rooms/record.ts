import { chainVerdict, checkpointOf, roomChain, walkChain, type CheckpointReader, type Db, type NegotiationRoom, type Prisma, type RoomEntry } from '@hub/db';
import type { RoomEntryKind, RoomVerification } from '@hub/protocol';
import { canonicalJson, roomContentHash, roomEvidenceContent } from '@hub/protocol/evidence-hash';
import type { AppError } from '../http/errors.ts';
import { frozenError } from './moderation.ts';

/** What an entry says; the sequence number, time and hashes are the record's to give. */
export interface NewEntry {
  kind: RoomEntryKind;
  authorId: string | null;
  body: string;
  replyToSeq?: number | null;
  data?: Record<string, unknown>;
  /** Banned words it matched: kept beside the entry for staff, outside its hash, so a party's export can leave them out. */
  flagged?: string[];
  clientKey?: string | null;
  requestHash?: string | null;
}

/** Stands for the sequence number while the hashed text is built: the database fills in the real one. */
const SEQ_MARK = -1;

/**
 * The text an entry's hash covers, split where its sequence number goes. `seq` sorts after the
 * payload (which holds only the content's hash) and before the subject's keys, so its mark is the last match.
 */
function hashedAround(roomId: string, fields: { kind: string; authorId: string | null }, contentHash: string, createdAt: string): [string, string] {
  const text = canonicalJson(roomEvidenceContent(roomId, { ...fields, seq: SEQ_MARK, createdAt }, contentHash));
  const at = text.lastIndexOf(`"seq":${SEQ_MARK}`) + '"seq":'.length;
  return [text.slice(0, at), text.slice(at + String(SEQ_MARK).length)];
}

/**
 * Appends an entry to a room's record in one statement (alone, or inside the caller's transaction):
 * locks the room row (appends to one room are serialised, rooms do not wait on each other), takes the
 * next sequence number, links the entry to its predecessor by sha256(prevHash + canonical JSON of
 * `roomEvidenceContent`), exactly as `evidenceHash` does, and moves the room's last sequence and
 * hash. One round trip, no interactive transaction: that is what lets a room take messages at the
 * rate a live negotiation (or a roadshow's hundreds of rooms) sends them. Returns null when the room
 * does not exist.
 */
export async function appendRoomEntry(db: Db | Prisma.TransactionClient, roomId: string, entry: NewEntry): Promise<RoomEntry | null> {
  const createdAt = new Date().toISOString();
  // Hashed as it will be stored: what JSON keeps (no undefined values), in the same text the column gets.
  const json = JSON.stringify(entry.data ?? {});
  const data = JSON.parse(json) as Prisma.InputJsonObject;
  const fields = { kind: entry.kind, authorId: entry.authorId, body: entry.body, replyToSeq: entry.replyToSeq ?? null, data };
  const [before, after] = hashedAround(roomId, fields, roomContentHash(fields), createdAt);
  const rows = await db.$queryRaw<RoomEntry[]>`/* prepared: room_append */
    WITH locked AS (
      SELECT id, "lastSeq" + 1 AS seq, "lastHash" AS "prevHash" FROM "NegotiationRoom" WHERE id = ${roomId}::uuid FOR UPDATE
    ), next AS (
      SELECT id, seq, "prevHash", encode(sha256(convert_to("prevHash" || ${before}::text || seq::text || ${after}::text, 'UTF8')), 'hex') AS hash FROM locked
    ), moved AS (
      UPDATE "NegotiationRoom" r SET "lastSeq" = next.seq, "lastHash" = next.hash, "lastEntryAt" = ${createdAt}::timestamp(3)
      FROM next WHERE r.id = next.id
    )
    INSERT INTO "RoomEntry" (id, "roomId", seq, kind, "authorId", body, "replyToSeq", data, flagged, "clientKey", "requestHash", "createdAt", "prevHash", hash)
    SELECT gen_random_uuid(), next.id, next.seq, ${fields.kind}::text, ${fields.authorId}::uuid, ${fields.body}::text, ${fields.replyToSeq}::int,
      ${json}::jsonb, ${entry.flagged ?? []}::text[], ${entry.clientKey ?? null}::text, ${entry.requestHash ?? null}::text, ${createdAt}::timestamp(3), next."prevHash", next.hash
    FROM next
    RETURNING *`;
  return rows[0] ?? null;
}

/** Whether a negotiation has ended (签约 or closed): its record can be read and exported, not added to. */
export const hasEnded = (room: Pick<NegotiationRoom, 'stage'>) => room.stage === 'closed' || room.stage === 'signed';

/**
 * Locks the room row for the transaction (appends to it wait on this) and re-reads it, refusing a
 * room that has ended (`ended`) or is frozen: a change that depends on the room's state checks it here,
 * so two requests cannot both pass the same check.
 */
export async function lockOpenRoom(tx: Prisma.TransactionClient, roomId: string, ended: () => AppError): Promise<NegotiationRoom> {
  await tx.$queryRaw`SELECT 1 FROM "NegotiationRoom" WHERE id = ${roomId}::uuid FOR UPDATE`;
  const room = await tx.negotiationRoom.findUniqueOrThrow({ where: { id: roomId } });
  if (hasEnded(room)) throw ended();
  if (room.frozenAt) throw frozenError(room);
  return room;
}

/**
 * Walks a room's record in order, reports the first entry whose link, hash or sequence does not hold,
 * and holds it against the room's latest checkpoint.
 */
export async function verifyRoomRecord(db: Db, roomId: string, checkpoints: CheckpointReader | null, batchSize = 1000): Promise<RoomVerification> {
  const lookup = await checkpointOf(checkpoints, roomChain(roomId));
  const walk = await walkChain(async (fromSeq) => {
    const rows = await db.roomEntry.findMany({ where: { roomId, seq: { gte: fromSeq } }, orderBy: { seq: 'asc' }, take: batchSize });
    return rows.map((row) => ({
      seq: row.seq,
      prevHash: row.prevHash,
      hash: row.hash,
      content: roomEvidenceContent(roomId, { ...row, createdAt: row.createdAt.toISOString() }, roomContentHash(row)),
    }));
  }, batchSize, lookup.checkpoint?.seq ?? null);
  // The room row remembers its last entry: a record cut short at its end (and the row left alone) is caught too.
  const room = await db.negotiationRoom.findUnique({ where: { id: roomId }, select: { lastSeq: true, lastHash: true } });
  if (!walk.firstBroken && room && (room.lastSeq !== walk.checked || room.lastHash !== walk.head)) {
    walk.firstBroken = { seq: walk.checked + 1, reason: 'sequence_gap' };
  }
  return chainVerdict(walk, lookup);
}
