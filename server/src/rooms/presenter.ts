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

export function presentEntry(entry: RoomEntry, authors: Map<string, Author>): RoomEntryView {
  return {
    roomId: entry.roomId,
    seq: entry.seq,
    kind: entry.kind as RoomEntryView['kind'],
    author: entry.authorId ? (authors.get(entry.authorId) ?? { id: entry.authorId, name: '', organizationId: null }) : null,
    body: entry.body,
    replyToSeq: entry.replyToSeq,
    data: entry.data as Record<string, unknown>,
    createdAt: entry.createdAt.toISOString(),
    hash: entry.hash,
  };
}

export function presentRoom(
  room: NegotiationRoom,
  organizations: Map<string, { id: string; name: string }>,
  viewer: { side: RoomView['mySide']; lastReadSeq: number; unread: number },
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
    lastEntryAt: room.lastEntryAt?.toISOString() ?? null,
    createdAt: room.createdAt.toISOString(),
  };
}
