import type { NotificationView } from '@hub/protocol';
import { api } from './api.ts';

/** The signed-in user's notifications: fetched once, then kept current by `notification:new`. */
class Notifications {
  items = $state<NotificationView[]>([]);
  unread = $state(0);
  loaded = $state(false);

  async load(): Promise<void> {
    const result = await api('notifications', {});
    if (!result.ok) return;
    this.items = result.data.notifications;
    this.unread = result.data.unread;
    this.loaded = true;
  }

  /** A notification pushed by the server (ignored if already listed, e.g. after a refetch). */
  add(notification: NotificationView): void {
    if (this.items.some((n) => n.id === notification.id)) return;
    this.items = [notification, ...this.items];
    if (!notification.readAt) this.unread += 1;
  }

  async markRead(id: string): Promise<void> {
    const result = await api('readNotification', { params: { id } });
    if (!result.ok) return;
    const before = this.items.find((n) => n.id === id);
    if (before && !before.readAt) this.unread = Math.max(0, this.unread - 1);
    this.items = this.items.map((n) => (n.id === id ? result.data : n));
  }

  reset(): void {
    this.items = [];
    this.unread = 0;
    this.loaded = false;
  }
}

export const notifications = new Notifications();
