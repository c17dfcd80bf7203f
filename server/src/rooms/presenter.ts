import type { Db, NegotiationRoom, RoomEntry } from '@hub/db';
import type { RoomEntryView, RoomView } from '@hub/protocol';

type Author = { id: string; name: string; organizationId: string | null };

/** The authors of these entries, by id (one query). */
export async function authorsOf(db: Db, entries: Pick<RoomEntry, 'authorId'>[]): Promise<Map<string, Author>> {
  const ids = [...new Set(entries.map((e) => e.authorId).filter((id): id is string => id !== null))];
  if (!ids.length) return new Map();
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, organizationId: true } });
  return new Map(users.map((u) => [u.id, u]));
}

/** Who an entry is shown to: parties see a hidden message as hidden (no text) and no flags; staff see everything. */
export interface EntryViewer {
  staff: boolean;
}

export type Hidden = Map<number, { at: Date; reason: string }>;

export function presentEntry(entry: RoomEntry, authors: Map<string, Author>, hidden: Hidden, viewer: EntryViewer): RoomEntryView {
  const data = entry.data as Record<string, unknown>;
  const hide = hidden.get(entry.seq);
  return {
    roomId: entry.roomId,
    seq: entry.seq,
    kind: entry.kind as RoomEntryView['kind'],
    author: entry.authorId ? (authors.get(entry.authorId) ?? { id: entry.authorId, name: '', organizationId: null }) : null,
    body: hide && !viewer.staff ? '' : entry.body,
    replyToSeq: entry.replyToSeq,
    data,
    createdAt: entry.createdAt.toISOString(),
    hash: entry.hash,
    hidden: hide ? { at: hide.at.toISOString(), reason: hide.reason } : null,
    flagged: viewer.staff && Array.isArray(data.flagged) ? (data.flagged as string[]) : [],
  };
}

export function presentRoom(
  room: NegotiationRoom,
  organizations: Map<string, { id: string; name: string }>,
  viewer: { side: RoomView['mySide']; lastReadSeq: number; counterpartReadSeq: number; unread: number; mutedUntil: Date | null },
): RoomView {
  const party = (id: string) => organizations.get(id) ?? { id, name: '' };
  return {
    id: room.id,
    title: room.title,
    stage: room.stage,
    matchId: room.matchId,
    supply: party(room.supplyOrganizationId),
    demand: party(room.demandOrganizationId),
    mySide: viewer.side,
    lastSeq: room.lastSeq,
    unread: viewer.unread,
    lastReadSeq: viewer.lastReadSeq,
    counterpartReadSeq: viewer.counterpartReadSeq,
    lastEntryAt: room.lastEntryAt?.toISOString() ?? null,
    createdAt: room.createdAt.toISOString(),
    frozen: room.frozenAt !== null,
    mutedUntil: viewer.mutedUntil && viewer.mutedUntil > new Date() ? viewer.mutedUntil.toISOString() : null,
  };
}
