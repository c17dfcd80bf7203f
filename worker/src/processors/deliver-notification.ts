import type { Db } from '@hub/db';
import { presentNotification, socketRoom, type JobPayload } from '@hub/protocol';
import type { SocketEmitter } from '../socket-emitter.ts';

/** Pushes a stored notification to its user's sockets (any server process) and marks it delivered. */
export async function deliverNotification(deps: { db: Db; emitter: SocketEmitter }, payload: JobPayload<'deliver-notification'>) {
  const n = await deps.db.notification.findUnique({ where: { id: payload.notificationId } });
  if (!n) return { delivered: false, reason: 'gone' };
  if (n.deliveredAt) return { delivered: false, reason: 'already delivered' };
  deps.emitter.to(socketRoom.user(n.userId)).emit('notification:new', presentNotification(n));
  await deps.db.notification.update({ where: { id: n.id }, data: { deliveredAt: new Date() } });
  return { delivered: true };
}
