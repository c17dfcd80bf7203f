import { createHash } from 'node:crypto';
import type { RoomEvidence, RoomVerification } from './rooms.ts';

/** JSON with object keys sorted at every depth, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The fields of an evidence entry that its hash covers. */
export interface EvidenceContent {
  seq: number;
  kind: string;
  subjectType: string;
  subjectId: string;
  actorId: string | null;
  payload: unknown;
  createdAt: string;
}

/** The hash that links the chain's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** hash = sha256(prevHash + canonical JSON of the entry), hex. */
export function evidenceHash(prevHash: string, content: EvidenceContent): string {
  return createHash('sha256').update(prevHash + canonicalJson(content)).digest('hex');
}

/** What a room entry says: the part of it an export withholds from the parties when staff hid it. */
export interface RoomEntryContent {
  body: string;
  replyToSeq: number | null;
  data: unknown;
}

/** sha256 of a room entry's content (canonical JSON), hex: what stands for the content in its hash. */
export function roomContentHash(content: RoomEntryContent): string {
  return createHash('sha256').update(canonicalJson({ body: content.body, replyToSeq: content.replyToSeq ?? null, data: content.data ?? {} })).digest('hex');
}

/** Where an entry stands in its room's record, and who wrote it when. */
export interface RoomEntryFrame {
  seq: number;
  kind: string;
  authorId: string | null;
  createdAt: string;
}

/**
 * The fields of a room entry that its hash covers. The content is covered by its hash rather than its
 * text, so an export that withholds a hidden message (giving its `contentHash` instead) still verifies.
 */
export function roomEvidenceContent(roomId: string, frame: RoomEntryFrame, contentHash: string): EvidenceContent {
  return { seq: frame.seq, kind: frame.kind, subjectType: 'room', subjectId: roomId, actorId: frame.authorId, payload: { contentHash }, createdAt: frame.createdAt };
}

export type RoomChainBreak = NonNullable<RoomVerification['firstBroken']>['reason'];

/** Why this entry does not continue the chain (`expected`: the next sequence number and the last hash), or null if it does. */
export function roomEntryBreak(
  roomId: string,
  expected: { seq: number; prevHash: string },
  entry: RoomEntryFrame & { prevHash: string; hash: string },
  contentHash: string,
): RoomChainBreak | null {
  if (entry.seq !== expected.seq) return 'sequence_gap';
  if (entry.prevHash !== expected.prevHash) return 'prev_hash_mismatch';
  return evidenceHash(entry.prevHash, roomEvidenceContent(roomId, entry, contentHash)) === entry.hash ? null : 'hash_mismatch';
}

/** What an export shows on its own: its links and contents (checkpoints are the server's to hold it against). */
export type ExportVerification = Pick<RoomVerification, 'ok' | 'checked' | 'firstBroken'>;

/**
 * Verifies an exported room record on its own, without the database: every entry's content (or,
 * where the export withholds it, its `contentHash`), every link, and that no entry up to the room's
 * last sequence number is missing. What a party can check of the record it was given.
 */
export function verifyRoomExport(evidence: Pick<RoomEvidence, 'room' | 'entries'>): ExportVerification {
  let expected = { seq: 1, prevHash: GENESIS_HASH };
  const broken = (reason: RoomChainBreak): ExportVerification => ({ ok: false, checked: expected.seq - 1, firstBroken: { seq: expected.seq, reason } });
  for (const entry of evidence.entries) {
    const contentHash = entry.withheld ? entry.contentHash : roomContentHash(entry);
    const reason = roomEntryBreak(evidence.room.id, expected, { ...entry, authorId: entry.author?.id ?? null }, contentHash);
    if (reason) return broken(reason);
    expected = { seq: entry.seq + 1, prevHash: entry.hash };
  }
  if (evidence.room.lastSeq !== expected.seq - 1) return broken('sequence_gap');
  return { ok: true, checked: expected.seq - 1, firstBroken: null };
}
