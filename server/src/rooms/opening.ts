import { appendEvidence, notifyMembers, type NegotiationRoom, type Prisma } from '@hub/db';
import { socketRoom, type Broadcaster, type NotificationKind } from '@hub/protocol';
import { appendRoomEntry } from './record.ts';

interface Party {
  id: string;
  name: string;
}

/** How a negotiation room comes to be: from a confirmed match, or opened by staff for two organisations. */
export interface RoomOpening {
  /** The room's id, when the caller records it before the room exists. */
  id?: string;
  supply: Party;
  demand: Party;
  title: string;
  matchId: string | null;
  /** Who opened it (the member whose answer confirmed the match, or the staff member). */
  openedById: string;
  /** How it came to be (the match, or staff's reason), as the platform chain records it … */
  evidence: Record<string, string | boolean>;
  /** … as the room's own record starts with it … */
  entry: Record<string, string | boolean>;
  /** … and as the members' notification says it (beside the room's id and title). */
  notice: Record<string, string | boolean>;
  /** The room's first entry's author: staff who opened it, or none (the platform, for a match). */
  entryAuthorId: string | null;
  notification: NotificationKind;
}

/**
 * Opens a negotiation room inside the caller's transaction: the room row, its `room.opened` evidence,
 * the room record's first entry, and a notification for every member of both organisations (whose
 * ids the caller enqueues after commit).
 */
export async function openRoom(tx: Prisma.TransactionClient, opening: RoomOpening): Promise<{ room: NegotiationRoom; notificationIds: string[] }> {
  const room = await tx.negotiationRoom.create({
    data: { id: opening.id, matchId: opening.matchId, supplyOrganizationId: opening.supply.id, demandOrganizationId: opening.demand.id, title: opening.title, openedById: opening.openedById },
  });
  await appendEvidence(tx, { kind: 'room.opened', subjectType: 'room', subjectId: room.id, actorId: opening.openedById, payload: opening.evidence });
  await appendRoomEntry(tx, room.id, { kind: 'opened', authorId: opening.entryAuthorId, body: '', data: opening.entry });
  const data = { ...opening.notice, roomId: room.id, title: opening.title };
  const notificationIds = [
    ...(await notifyMembers(tx, opening.supply.id, opening.notification, data)),
    ...(await notifyMembers(tx, opening.demand.id, opening.notification, data)),
  ];
  return { room, notificationIds };
}

/** After commit: both organisations' open sockets hear of the room (room lists add it live). */
export function announceRoomOpened(broadcast: Broadcaster, room: NegotiationRoom, opening: Pick<RoomOpening, 'supply' | 'demand'>): void {
  for (const [me, them] of [[opening.supply, opening.demand], [opening.demand, opening.supply]] as const) {
    broadcast.to(socketRoom.organization(me.id), 'room:opened', { roomId: room.id, matchId: room.matchId, title: room.title, counterpart: { id: them.id, name: them.name } });
  }
}
