import type { NotificationKind } from '@hub/protocol';
import type { Prisma } from '../generated/client/client.ts';

/**
 * Writes one notification per member of an organisation inside the caller's transaction (so it
 * exists exactly when the event it reports does); returns their ids for delivery.
 */
export async function notifyMembers(
  tx: Prisma.TransactionClient,
  organizationId: string,
  kind: NotificationKind,
  data: Prisma.InputJsonObject,
): Promise<string[]> {
  const members = await tx.user.findMany({ where: { organizationId }, select: { id: true } });
  const created = await tx.notification.createManyAndReturn({
    data: members.map((m) => ({ userId: m.id, kind, data })),
    select: { id: true },
  });
  return created.map((n) => n.id);
}

/** Writes one notification for one person inside the caller's transaction; returns its id for delivery. */
export async function notifyUser(tx: Prisma.TransactionClient, userId: string, kind: NotificationKind, data: Prisma.InputJsonObject): Promise<string> {
  const created = await tx.notification.create({ data: { userId, kind, data }, select: { id: true } });
  return created.id;
}
