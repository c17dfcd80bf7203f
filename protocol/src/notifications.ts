import { z } from './zod.ts';

export const NotificationKind = z.enum([
  'organization.approved',
  'organization.rejected',
  'listing.approved',
  'listing.rejected',
  'listing.taken_down',
  'listing.expiring',
  'listing.expired',
  'match.new',
  'match.digest',
  'match.confirmed',
  'room.opened',
  'room.invited',
]);

export type NotificationKind = z.infer<typeof NotificationKind>;

export const NotificationView = z
  .object({
    id: z.string(),
    kind: NotificationKind,
    /** Kind-specific data, e.g. `{ organizationId, reason }`. */
    data: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .openapi('Notification');
export type NotificationView = z.infer<typeof NotificationView>;

export const NotificationList = z
  .object({ notifications: z.array(NotificationView), unread: z.number().int() })
  .openapi('NotificationList');
export type NotificationList = z.infer<typeof NotificationList>;

/** The wire form of a stored notification row (used by the server's routes and the worker's push alike). */
export function presentNotification(n: { id: string; kind: string; data: unknown; createdAt: Date; readAt: Date | null }): NotificationView {
  return {
    id: n.id,
    kind: n.kind as NotificationView['kind'],
    data: n.data as Record<string, unknown>,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString() ?? null,
  };
}
