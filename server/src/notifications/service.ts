import type { Db } from '@hub/db';
import { presentNotification } from '@hub/protocol';
import type { Actor } from '../auth/actor.ts';
import { AppError } from '../http/errors.ts';

export class NotificationService {
  constructor(private readonly db: Db) {}

  async list(actor: Actor) {
    const [notifications, unread] = await Promise.all([
      this.db.notification.findMany({ where: { userId: actor.userId }, orderBy: { createdAt: 'desc' }, take: 50 }),
      this.db.notification.count({ where: { userId: actor.userId, readAt: null } }),
    ]);
    return { notifications: notifications.map(presentNotification), unread };
  }

  /** Marks one of the actor's own notifications read; someone else's is reported as not found. */
  async markRead(actor: Actor, id: string) {
    await this.db.notification.updateMany({ where: { id, userId: actor.userId, readAt: null }, data: { readAt: new Date() } });
    const n = await this.db.notification.findFirst({ where: { id, userId: actor.userId } });
    if (!n) throw new AppError('not_found', 'No such notification.');
    return presentNotification(n);
  }
}
