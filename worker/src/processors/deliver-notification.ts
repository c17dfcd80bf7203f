import type { Db } from '@hub/db';
import { presentNotification, socketRoom, type Broadcaster, type JobPayload } from '@hub/protocol';

/** Pushes a stored notification to its user's sockets (any server process) and marks it delivered. */
export async function deliverNotification(deps: { db: Db; broadcast: Broadcaster }, payload: JobPayload<'deliver-notification'>) {
  const n = await deps.db.notification.findUnique({ where: { id: payload.notificationId } });
  if (!n) return { delivered: false, reason: 'gone' };
  if (n.deliveredAt) return { delivered: false, reason: 'already delivered' };
  deps.broadcast.to(socketRoom.user(n.userId), 'notification:new', presentNotification(n));
  await deps.db.notification.update({ where: { id: n.id }, data: { deliveredAt: new Date() } });
  return { delivered: true };
}
