import type { Ack } from './errors.ts';
import { ListingStatus, ListingSummary, VersionStatus } from './listings.ts';
import { NotificationView } from './notifications.ts';
import { OrganizationStatus, OrganizationView } from './organizations.ts';
import { z } from './zod.ts';

/** An organisation's review status changed (to its members, and to staff consoles). */
export const OrganizationReviewed = z.object({
  organizationId: z.string(),
  status: OrganizationStatus,
  reason: z.string().nullable(),
  reviewedAt: z.string(),
});
export type OrganizationReviewed = z.infer<typeof OrganizationReviewed>;

/** A listing's review state changed (to its organisation, and to staff consoles). */
export const ListingReviewed = z.object({
  listingId: z.string(),
  /** Title of the version concerned, so a page that never loaded the row can still announce it. */
  title: z.string(),
  version: z.number().int(),
  status: ListingStatus,
  versionStatus: VersionStatus,
  reason: z.string().nullable(),
  at: z.string(),
});
export type ListingReviewed = z.infer<typeof ListingReviewed>;

export const NotificationRead = z.strictObject({ id: z.uuid() });

/** Events the server (or worker, through the Redis emitter) sends. */
export interface ServerToClientEvents {
  /** To `org:<id>`: the review decision on the member's organisation. */
  'organization:reviewed': (event: OrganizationReviewed) => void;
  /** To `staff:reviewer`: an organisation entered the review queue (new or resubmitted). */
  'console:organization-queued': (organization: OrganizationView) => void;
  /** To `staff:reviewer`: an organisation left the queue because someone decided on it. */
  'console:organization-reviewed': (event: OrganizationReviewed) => void;
  /** To `org:<id>`: one of the organisation's listings was approved, rejected, taken down or expired. */
  'listing:reviewed': (event: ListingReviewed) => void;
  /** To `staff:reviewer`: a listing version entered the review queue. */
  'console:listing-queued': (listing: ListingSummary) => void;
  /** To `staff:reviewer`: a listing version left the queue (decided) or a listing was taken down. */
  'console:listing-reviewed': (event: ListingReviewed) => void;
  /** To `user:<id>`: a stored notification. */
  'notification:new': (notification: NotificationView) => void;
}

/** Events a client sends; every one acks with the stored result or a coded error. */
export interface ClientToServerEvents {
  'notification:read': (input: z.input<typeof NotificationRead>, ack: (result: Ack<{ id: string; readAt: string }>) => void) => void;
}

/** Socket room names, by prefix. */
export const socketRoom = {
  organization: (id: string) => `org:${id}`,
  user: (id: string) => `user:${id}`,
  staff: (role: 'reviewer' | 'moderator' | 'admin') => `staff:${role}`,
};

/** Redis channel prefix shared by the servers' Socket.IO adapter and the worker's emitter. */
export const socketAdapterKey = (redisPrefix: string) => `${redisPrefix}:socket.io`;
