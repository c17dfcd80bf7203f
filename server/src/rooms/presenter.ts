import type { Db, NegotiationRoom, RoomEntry } from '@hub/db';
import type { BindingStage, RoomEntryView, RoomEvidence, RoomParticipantView, RoomRole, RoomView } from '@hub/protocol';
import { roomContentHash } from '@hub/protocol/evidence-hash';

type Author = { id: string; name: string; organizationId: string | null };

/** The authors of these entries, by id (one query). */
export async function authorsOf(db: Db, entries: Pick<RoomEntry, 'authorId'>[]): Promise<Map<string, Author>> {
  const ids = [...new Set(entries.map((e) => e.authorId).filter((id): id is string => id !== null))];
  if (!ids.length) return new Map();
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, organizationId: true } });
  return new Map(users.map((u) => [u.id, u]));
}

/** Who an entry is shown to: parties see a hidden message or file as hidden (no text, no file) and no flags; staff see everything. */
export interface EntryViewer {
  staff: boolean;
}

export type Hidden = Map<number, { at: Date; reason: string }>;

export function presentEntry(entry: RoomEntry, authors: Map<string, Author>, hidden: Hidden, viewer: EntryViewer): RoomEntryView {
  const hide = hidden.get(entry.seq);
  // A hidden message's text, and a hidden file's name and hash, are its content: parties keep only the fact that it was there.
  const withheld = hide !== undefined && !viewer.staff;
  return {
    roomId: entry.roomId,
    seq: entry.seq,
    kind: entry.kind as RoomEntryView['kind'],
    author: entry.authorId ? (authors.get(entry.authorId) ?? { id: entry.authorId, name: '', organizationId: null }) : null,
    body: withheld ? '' : entry.body,
    replyToSeq: entry.replyToSeq,
    data: withheld ? {} : (entry.data as Record<string, unknown>),
    createdAt: entry.createdAt.toISOString(),
    hash: entry.hash,
    hidden: hide ? { at: hide.at.toISOString(), reason: hide.reason } : null,
    flagged: viewer.staff ? entry.flagged : [],
  };
}

/**
 * An entry of the evidence export: as this viewer sees it, with its link and the hash of its content,
 * which stands for what a party's export withholds, so the chain verifies without it.
 */
export function presentEvidenceEntry(entry: RoomEntry, authors: Map<string, Author>, hidden: Hidden, viewer: EntryViewer): RoomEvidence['entries'][number] {
  return {
    ...presentEntry(entry, authors, hidden, viewer),
    prevHash: entry.prevHash,
    contentHash: roomContentHash(entry),
    withheld: hidden.has(entry.seq) && !viewer.staff,
  };
}

/** Brokers and visibly joined staff of these rooms, by room, in the order they joined (three queries in all). */
export async function participantsOf(db: Db, roomIds: string[]): Promise<Map<string, RoomParticipantView[]>> {
  const rows = await db.roomParticipant.findMany({ where: { roomId: { in: roomIds } }, orderBy: { joinedAt: 'asc' } });
  const users = await db.user.findMany({
    where: { id: { in: [...new Set(rows.flatMap((r) => [r.userId, r.invitedById]))] } },
    select: { id: true, name: true, organization: { select: { id: true, name: true } } },
  });
  const byId = new Map(users.map((u) => [u.id, u]));
  const byRoom = new Map<string, RoomParticipantView[]>();
  for (const row of rows) {
    const user = byId.get(row.userId);
    const list = byRoom.get(row.roomId) ?? [];
    list.push({
      user: { id: row.userId, name: user?.name ?? '' },
      organization: user?.organization ?? null,
      role: row.role,
      side: row.side,
      invitedBy: { id: row.invitedById, name: byId.get(row.invitedById)?.name ?? '' },
      joinedAt: row.joinedAt.toISOString(),
    });
    byRoom.set(row.roomId, list);
  }
  return byRoom;
}

/** What only this viewer sees of a room. */
export interface RoomViewer {
  side: RoomView['mySide'];
  role: RoomRole;
  lastReadSeq: number;
  counterpartReadSeq: number;
  unread: number;
  mute: { until: Date; reason: string } | null;
}

export function presentRoom(
  room: NegotiationRoom,
  organizations: Map<string, { id: string; name: string }>,
  participants: RoomParticipantView[],
  viewer: RoomViewer,
  fileMaxBytes: number,
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
    myRole: viewer.role,
    participants,
    lastSeq: room.lastSeq,
    unread: viewer.unread,
    lastReadSeq: viewer.lastReadSeq,
    counterpartReadSeq: viewer.counterpartReadSeq,
    lastEntryAt: room.lastEntryAt?.toISOString() ?? null,
    createdAt: room.createdAt.toISOString(),
    stageProposal:
      room.stageProposal && room.stageProposalSide && room.stageProposalSeq !== null && room.stageProposedAt
        ? { stage: room.stageProposal as BindingStage, side: room.stageProposalSide, seq: room.stageProposalSeq, at: room.stageProposedAt.toISOString() }
        : null,
    frozen: room.frozenAt !== null,
    frozenReason: room.frozenAt ? room.frozenReason : null,
    fileMaxBytes,
    muted: viewer.mute && viewer.mute.until > new Date() ? { until: viewer.mute.until.toISOString(), reason: viewer.mute.reason } : null,
  };
}
