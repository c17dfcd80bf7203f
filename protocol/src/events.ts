import type { Ack } from './errors.ts';
import { ListingStatus, ListingSummary, VersionStatus } from './listings.ts';
import type { MatchActivity, MatchDigest, MatchRetracted, MatchView, RoomOpened } from './matches.ts';
import type { OfferView, RoomActivity, RoomEntryHidden, RoomEntryView, RoomJoined, RoomPresence, RoomRead, RoomSharedView, RoomTyping } from './rooms.ts';
import { RoomJoinInput, RoomLeaveInput, RoomReadInput, RoomSendInput, RoomTypingInput } from './rooms.ts';
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

/** Events the server (or the worker, through the push stream) sends. */
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
  /** To `user:<id>`: a new match for one of the organisation's listings (as that user's side sees it). */
  'match:new': (match: MatchView) => void;
  /** To `user:<id>`: a match's score rose, or either side answered, or it was confirmed. */
  'match:updated': (match: MatchView) => void;
  /** To `user:<id>`: a match is no longer valid (a listing left the platform, or the score fell below the threshold). */
  'match:retracted': (event: MatchRetracted) => void;
  /** To `user:<id>`: matches beyond the per-minute push limit, in one message. */
  'match:digest': (digest: MatchDigest) => void;
  /** To `org:<id>`: a negotiation room was opened for the organisation. */
  'room:opened': (room: RoomOpened) => void;
  /** To every staff room: one line of the live match stream. */
  'console:match': (activity: MatchActivity) => void;
  /** To `room:<id>` (sockets that joined it): a new entry of the room's record, after it is stored. */
  'room:entry': (entry: RoomEntryView) => void;
  /** To `room:<id>`: someone started or stopped typing (never echoed to the typist). */
  'room:typing': (event: RoomTyping) => void;
  /** To `room:<id>`: who has the room open, after anyone joins or leaves. */
  'room:presence': (event: RoomPresence) => void;
  /** To `room:<id>`: a read receipt. */
  'room:read': (event: RoomRead) => void;
  /** To both parties' `org:<id>` rooms and every staff room: something new in a room (room lists reorder and count unread). */
  'room:activity': (event: RoomActivity) => void;
  /** To `room:<id>`: staff hid an entry. */
  'room:entry-hidden': (event: RoomEntryHidden) => void;
  /** To `room:<id>`: an offer was made, countered or accepted (its entry arrives as `room:entry` too). */
  'room:offer': (offer: OfferView) => void;
  /** To `room:<id>`: the room changed (stage, frozen); each client re-reads its own mute state from it. */
  'room:updated': (room: RoomSharedView) => void;
  /** To one socket: it no longer hears the room (its user was removed, demoted or signed out of it). */
  'room:access-ended': (event: { roomId: string }) => void;
  /** To every staff room: a message matched a banned word that flags (it was stored and delivered). */
  'console:room-flagged': (event: { roomId: string; seq: number; words: string[]; title: string }) => void;
}

/** Events a client sends; every one acks with the stored result or a coded error. */
export interface ClientToServerEvents {
  'notification:read': (input: z.input<typeof NotificationRead>, ack: (result: Ack<{ id: string; readAt: string }>) => void) => void;
  /** Opens a room on this socket; the ack brings the room and every entry after `afterSeq` (catch-up after a reconnect). */
  'room:join': (input: z.input<typeof RoomJoinInput>, ack: (result: Ack<RoomJoined>) => void) => void;
  'room:leave': (input: z.input<typeof RoomLeaveInput>, ack: (result: Ack<{ roomId: string }>) => void) => void;
  /** Sends a message; acked with the stored entry only once it is written (a resend with the same clientKey gets the same entry). */
  'room:send': (input: z.input<typeof RoomSendInput>, ack: (result: Ack<RoomEntryView>) => void) => void;
  'room:typing': (input: z.input<typeof RoomTypingInput>, ack: (result: Ack<{ roomId: string }>) => void) => void;
  'room:read': (input: z.input<typeof RoomReadInput>, ack: (result: Ack<RoomRead>) => void) => void;
}

/** Socket room names, by prefix. */
export const socketRoom = {
  organization: (id: string) => `org:${id}`,
  user: (id: string) => `user:${id}`,
  staff: (role: 'reviewer' | 'moderator' | 'admin') => `staff:${role}`,
  negotiation: (id: string) => `room:${id}`,
};

/** Every staff room (an admin's socket is in all three; an emit to several rooms reaches each socket once). */
export const ALL_STAFF_ROOMS = [socketRoom.staff('reviewer'), socketRoom.staff('moderator'), socketRoom.staff('admin')];

/**
 * How services push to socket rooms without knowing whether a Socket.IO server or the push stream
 * (from the worker, relayed by the servers: `@hub/platform/realtime`) carries it.
 */
export interface Broadcaster {
  to<E extends keyof ServerToClientEvents>(room: string | string[], event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** As `to`, skipping the sockets that are also in `except` (those already told another way). */
  toExcept<E extends keyof ServerToClientEvents>(room: string | string[], except: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
}
