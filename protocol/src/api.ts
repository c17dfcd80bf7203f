import type { ZodType } from 'zod';
import { LoginInput, RegistrationReceived, SessionView, StaffRole, UserView } from './auth.ts';
import { ErrorBody, type ErrorCode } from './errors.ts';
import { EvidenceVerification } from './evidence.ts';
import {
  ListingCreate,
  ListingList,
  ListingOwnerView,
  ListingPublicView,
  ListingQueueQuery,
  ListingReviewInput,
  ListingSearchQuery,
  ListingSearchResult,
  ListingUpdate,
  ReasonInput,
} from './listings.ts';
import { MatchConsole, MatchInboxQuery, MatchInterestInput, MatchList, MatchRecommendInput, MatchRespondInput, MatchView } from './matches.ts';
import { NotificationList, NotificationView } from './notifications.ts';
import {
  IdParam,
  OrganizationApplication,
  OrganizationFindQuery,
  OrganizationFound,
  OrganizationDetail,
  OrganizationView,
  RegisterInput,
  ReviewDecisionInput,
  ReviewQueueQuery,
} from './organizations.ts';
import {
  BrokerCandidateList,
  InviteBrokerInput,
  ParticipantParams,
  RoomFileParams,
  RoomFileUploadQuery,
  StaffJoinInput,
  StaffOpenRoomInput,
  BannedWordDelete,
  BannedWordInput,
  BannedWordList,
  BannedWordView,
  FreezeInput,
  HideEntryInput,
  HideEntryParams,
  MuteInput,
  OfferAcceptParams,
  OfferInput,
  OfferList,
  OfferView,
  RoomEntryView,
  RoomEvidence,
  RoomEvidenceQuery,
  RoomHistory,
  RoomHistoryQuery,
  RoomList,
  RoomStageInput,
  RoomView,
} from './rooms.ts';
import { QueueStatus, StaffRoleChangeInput, StaffUserList, StaffUserQuery } from './staff.ts';
import { z } from './zod.ts';

/**
 * Who may call a route: anyone, any signed-in user, a member of an organisation (any status),
 * a member of an approved organisation, or staff holding one of the listed roles.
 */
export type Access = 'public' | 'user' | 'member' | 'approved_member' | { staff: StaffRole[] };

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express-style path (`/api/review/organizations/:id`). */
  path: string;
  summary: string;
  tags: string[];
  access: Access;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  /** Success status and body (undefined body: no content). */
  success: { status: 200 | 201 | 202 | 204; body?: ZodType };
  /** Error codes this route documents beyond the ones implied by its access and input. */
  errors?: ErrorCode[];
}

const route = <R extends RouteSpec>(spec: R) => spec;

/** Every HTTP route of the API. The server can only mount routes listed here; the OpenAPI document is generated from it. */
export const API = {
  register: route({
    method: 'post', path: '/api/auth/register', tags: ['auth'], access: 'public',
    summary: 'Apply with an organisation and its first member (the organisation starts pending review), then sign in; a registered email gets the same answer and nothing is written',
    body: RegisterInput, success: { status: 202, body: RegistrationReceived }, errors: ['credit_code_taken', 'rate_limited'],
  }),
  login: route({
    method: 'post', path: '/api/auth/login', tags: ['auth'], access: 'public',
    summary: 'Sign in; sets the httpOnly session cookie',
    body: LoginInput, success: { status: 200, body: SessionView }, errors: ['invalid_credentials', 'rate_limited'],
  }),
  logout: route({
    method: 'post', path: '/api/auth/logout', tags: ['auth'], access: 'public',
    summary: 'Sign out and end the session', success: { status: 204 },
  }),
  session: route({
    method: 'get', path: '/api/auth/session', tags: ['auth'], access: 'user',
    summary: 'The signed-in user and their organisation', success: { status: 200, body: SessionView },
  }),
  myOrganization: route({
    method: 'get', path: '/api/organizations/mine', tags: ['organizations'], access: 'member',
    summary: "The member's organisation with its review history", success: { status: 200, body: OrganizationDetail },
  }),
  resubmitOrganization: route({
    method: 'post', path: '/api/organizations/mine/resubmit', tags: ['organizations'], access: 'member',
    summary: 'Correct a rejected application and send it back for review',
    body: OrganizationApplication, success: { status: 200, body: OrganizationView }, errors: ['review_conflict', 'credit_code_taken'],
  }),
  reviewQueue: route({
    method: 'get', path: '/api/review/organizations', tags: ['review'], access: { staff: ['reviewer', 'admin'] },
    summary: 'Organisations by review status, oldest submission first',
    query: ReviewQueueQuery, success: { status: 200, body: z.object({ organizations: z.array(OrganizationView) }) },
  }),
  reviewOrganization: route({
    method: 'get', path: '/api/review/organizations/:id', tags: ['review'], access: { staff: ['reviewer', 'admin'] },
    summary: 'One organisation with its members and review history',
    params: IdParam, success: { status: 200, body: OrganizationDetail }, errors: ['organization_not_found'],
  }),
  decideOrganization: route({
    method: 'post', path: '/api/review/organizations/:id/decision', tags: ['review'], access: { staff: ['reviewer', 'admin'] },
    summary: 'Approve or reject a pending organisation (a reason is required to reject)',
    params: IdParam, body: ReviewDecisionInput, success: { status: 200, body: OrganizationView },
    errors: ['organization_not_found', 'review_conflict'],
  }),
  findOrganizations: route({
    method: 'get', path: '/api/staff/organizations', tags: ['staff'], access: { staff: ['reviewer', 'moderator', 'admin'] },
    summary: 'Approved organisations whose name contains q, or whose credit code is q (at most 20)',
    query: OrganizationFindQuery, success: { status: 200, body: OrganizationFound },
  }),
  staffUsers: route({
    method: 'get', path: '/api/staff/users', tags: ['staff'], access: { staff: ['admin'] },
    summary: 'Staff users, or the user with the given email', query: StaffUserQuery, success: { status: 200, body: StaffUserList },
  }),
  changeStaffRole: route({
    method: 'put', path: '/api/staff/users/:id/role', tags: ['staff'], access: { staff: ['admin'] },
    summary: 'Grant, change or remove a staff role, with a reason (recorded as evidence)',
    params: IdParam, body: StaffRoleChangeInput, success: { status: 200, body: UserView }, errors: ['user_not_found', 'staff_role_conflict'],
  }),
  verifyEvidence: route({
    method: 'get', path: '/api/admin/evidence/verify', tags: ['evidence'], access: { staff: ['admin'] },
    summary: 'Walk the evidence hash chain and report the first broken link, if any',
    success: { status: 200, body: EvidenceVerification },
  }),
  queueStatus: route({
    method: 'get', path: '/api/staff/jobs', tags: ['staff'], access: { staff: ['reviewer', 'moderator', 'admin'] },
    summary: 'Background jobs by state, and the latest failed ones with their reasons', success: { status: 200, body: QueueStatus },
  }),
  notifications: route({
    method: 'get', path: '/api/notifications', tags: ['notifications'], access: 'user',
    summary: "The user's latest notifications", success: { status: 200, body: NotificationList },
  }),
  readNotification: route({
    method: 'post', path: '/api/notifications/:id/read', tags: ['notifications'], access: 'user',
    summary: 'Mark a notification read', params: IdParam, success: { status: 200, body: NotificationView }, errors: ['not_found'],
  }),
  // Listings (信息发布). `search` is declared before `:id` so it is matched first.
  searchListings: route({
    method: 'get', path: '/api/listings/search', tags: ['listings'], access: 'public',
    summary: 'Search published listings (Meilisearch): text, filters, facets, sort and paging',
    query: ListingSearchQuery, success: { status: 200, body: ListingSearchResult }, errors: ['service_unavailable', 'rate_limited'],
  }),
  myListings: route({
    method: 'get', path: '/api/listings/mine', tags: ['listings'], access: 'member',
    summary: "The organisation's listings, newest change first, with their status and reasons",
    success: { status: 200, body: ListingList },
  }),
  createListing: route({
    method: 'post', path: '/api/listings', tags: ['listings'], access: 'approved_member',
    summary: 'Create a listing as a draft, or submit it for review at once',
    body: ListingCreate, success: { status: 201, body: ListingOwnerView },
  }),
  publicListing: route({
    method: 'get', path: '/api/listings/:id', tags: ['listings'], access: 'public',
    summary: 'A published listing as anyone sees it (never its confidential details)',
    params: IdParam, success: { status: 200, body: ListingPublicView }, errors: ['listing_not_found'],
  }),
  manageListing: route({
    method: 'get', path: '/api/listings/:id/manage', tags: ['listings'], access: 'user',
    summary: "The owner's or staff's view: confidential details and every version",
    params: IdParam, success: { status: 200, body: ListingOwnerView }, errors: ['listing_not_found', 'forbidden'],
  }),
  updateListing: route({
    method: 'put', path: '/api/listings/:id', tags: ['listings'], access: 'approved_member',
    summary: 'Change the draft, or start a new version of a published listing (the old one stays public until it is approved)',
    params: IdParam, body: ListingUpdate, success: { status: 200, body: ListingOwnerView }, errors: ['listing_not_found', 'listing_state_conflict'],
  }),
  submitListing: route({
    method: 'post', path: '/api/listings/:id/submit', tags: ['listings'], access: 'approved_member',
    summary: 'Send the latest draft version for review',
    params: IdParam, success: { status: 200, body: ListingOwnerView }, errors: ['listing_not_found', 'listing_state_conflict'],
  }),
  withdrawListing: route({
    method: 'post', path: '/api/listings/:id/withdraw', tags: ['listings'], access: 'approved_member',
    summary: 'Take a published listing off the platform',
    params: IdParam, success: { status: 200, body: ListingOwnerView }, errors: ['listing_not_found', 'listing_state_conflict'],
  }),
  listingQueue: route({
    method: 'get', path: '/api/review/listings', tags: ['review'], access: { staff: ['reviewer', 'admin'] },
    summary: 'Listings by review state, oldest submission first', query: ListingQueueQuery, success: { status: 200, body: ListingList },
  }),
  decideListing: route({
    method: 'post', path: '/api/review/listings/:id/decision', tags: ['review'], access: { staff: ['reviewer', 'admin'] },
    summary: 'Approve (every checklist item confirmed) or reject (with a reason) the pending version',
    params: IdParam, body: ListingReviewInput, success: { status: 200, body: ListingOwnerView },
    errors: ['listing_not_found', 'listing_state_conflict'],
  }),
  takeDownListing: route({
    method: 'post', path: '/api/review/listings/:id/take-down', tags: ['review'], access: { staff: ['reviewer', 'moderator', 'admin'] },
    summary: 'Take a published listing down, with a reason',
    params: IdParam, body: ReasonInput, success: { status: 200, body: ListingOwnerView }, errors: ['listing_not_found', 'listing_state_conflict'],
  }),
  // Matches (供需匹配). `interest` is declared before `:id`.
  matchInbox: route({
    method: 'get', path: '/api/matches', tags: ['matches'], access: 'approved_member',
    summary: "The organisation's matches, best score first, with their reasons", query: MatchInboxQuery, success: { status: 200, body: MatchList },
  }),
  signalInterest: route({
    method: 'post', path: '/api/matches/interest', tags: ['matches'], access: 'approved_member',
    summary: 'Raise your hand on an open demand with one of your published supply listings (the demand side is told live)',
    body: MatchInterestInput, success: { status: 201, body: MatchView }, errors: ['listing_not_found', 'match_not_eligible', 'match_state_conflict', 'rate_limited'],
  }),
  match: route({
    method: 'get', path: '/api/matches/:id', tags: ['matches'], access: 'user',
    summary: "One match as its parties or staff see it (the other side's confidential details once confirmed)",
    params: IdParam, success: { status: 200, body: MatchView }, errors: ['match_not_found'],
  }),
  respondToMatch: route({
    method: 'post', path: '/api/matches/:id/response', tags: ['matches'], access: 'approved_member',
    summary: "Mark your side interested or declined; when both sides are interested the match is confirmed and a negotiation room opens",
    params: IdParam, body: MatchRespondInput, success: { status: 200, body: MatchView }, errors: ['match_not_found', 'match_state_conflict'],
  }),
  matchConsole: route({
    method: 'get', path: '/api/staff/matches', tags: ['matches'], access: { staff: ['reviewer', 'moderator', 'admin'] },
    summary: 'The live match stream: recent activity, matches made per minute over the last hour, totals', success: { status: 200, body: MatchConsole },
  }),
  recommendMatch: route({
    method: 'post', path: '/api/staff/matches', tags: ['matches'], access: { staff: ['reviewer', 'moderator', 'admin'] },
    summary: 'Recommend a supply and a demand to each other by hand, with a note (recorded as evidence)',
    body: MatchRecommendInput, success: { status: 201, body: MatchView }, errors: ['listing_not_found', 'match_not_eligible', 'match_state_conflict'],
  }),
  // Negotiation rooms (对接洽谈). Messages go over the socket (`room:send`); these read and move the room.
  rooms: route({
    method: 'get', path: '/api/rooms', tags: ['rooms'], access: 'user',
    summary: "The viewer's negotiation rooms (all rooms for staff), most recent activity first, with unread counts",
    success: { status: 200, body: RoomList },
  }),
  room: route({
    method: 'get', path: '/api/rooms/:id', tags: ['rooms'], access: 'user',
    summary: 'One room as its parties or staff see it', params: IdParam, success: { status: 200, body: RoomView }, errors: ['room_not_found'],
  }),
  roomHistory: route({
    method: 'get', path: '/api/rooms/:id/entries', tags: ['rooms'], access: 'user',
    summary: "A page of the room's record, backwards from `beforeSeq`", params: IdParam, query: RoomHistoryQuery,
    success: { status: 200, body: RoomHistory }, errors: ['room_not_found'],
  }),
  moveRoomStage: route({
    method: 'post', path: '/api/rooms/:id/stage', tags: ['rooms'], access: 'approved_member',
    summary: 'Move the negotiation to another stage, or propose or confirm a stage that binds both sides (recorded in the room, seen live by everyone in it)',
    params: IdParam, body: RoomStageInput, success: { status: 200, body: RoomView },
    errors: ['room_not_found', 'forbidden', 'room_state_conflict', 'stage_proposal_conflict'],
  }),
  withdrawStageProposal: route({
    method: 'delete', path: '/api/rooms/:id/stage-proposal', tags: ['rooms'], access: 'approved_member',
    summary: 'The proposing side withdraws its stage proposal, or the other side declines it (recorded in the room)',
    params: IdParam, success: { status: 200, body: RoomView }, errors: ['room_not_found', 'forbidden', 'room_state_conflict', 'stage_proposal_not_found'],
  }),
  roomEvidence: route({
    method: 'get', path: '/api/rooms/:id/evidence', tags: ['rooms'], access: 'user',
    summary: "The room's full record with its hash chain and a verification result, as JSON or (format=html) a printable page",
    params: IdParam, query: RoomEvidenceQuery, success: { status: 200, body: RoomEvidence }, errors: ['room_not_found', 'rate_limited'],
  }),
  uploadRoomFile: route({
    method: 'post', path: '/api/rooms/:id/files', tags: ['rooms'], access: 'user',
    summary: "Attach a file (the body, typed by Content-Type): stored with its sha256 and recorded as a `file` entry, seen live by the room",
    params: IdParam, query: RoomFileUploadQuery, success: { status: 201, body: RoomEntryView },
    errors: ['room_not_found', 'file_type_refused', 'file_too_large', 'room_state_conflict', 'idempotency_conflict', 'participant_muted', 'rate_limited'],
  }),
  downloadRoomFile: route({
    method: 'get', path: '/api/rooms/:id/files/:fileId', tags: ['rooms'], access: 'user',
    summary: "Download a room's file (participants and staff only; a file staff hid is gone for the parties); it is stored under its recorded sha256",
    params: RoomFileParams, success: { status: 200 }, errors: ['room_not_found', 'file_not_found'],
  }),
  brokerCandidates: route({
    method: 'get', path: '/api/rooms/:id/brokers', tags: ['rooms'], access: 'approved_member',
    summary: 'Technology brokers a party may invite: members of approved service agencies offering brokerage',
    params: IdParam, success: { status: 200, body: BrokerCandidateList }, errors: ['room_not_found'],
  }),
  inviteBroker: route({
    method: 'post', path: '/api/rooms/:id/participants', tags: ['rooms'], access: 'approved_member',
    summary: "Invite a technology broker to the room on your side (recorded in the room; the broker is notified)",
    params: IdParam, body: InviteBrokerInput, success: { status: 201, body: RoomView },
    errors: ['room_not_found', 'user_not_found', 'broker_not_eligible', 'participant_conflict', 'room_state_conflict'],
  }),
  removeParticipant: route({
    method: 'delete', path: '/api/rooms/:id/participants/:userId', tags: ['rooms'], access: 'user',
    summary: 'A broker or staff member leaves, or the side that invited a broker removes them (recorded in the room)',
    params: ParticipantParams, success: { status: 204 }, errors: ['room_not_found', 'user_not_found'],
  }),
  offers: route({
    method: 'get', path: '/api/rooms/:id/offers', tags: ['rooms'], access: 'user',
    summary: "The room's offers, every version, oldest first", params: IdParam, success: { status: 200, body: OfferList }, errors: ['room_not_found'],
  }),
  makeOffer: route({
    method: 'post', path: '/api/rooms/:id/offers', tags: ['rooms'], access: 'approved_member',
    summary: 'Propose terms (意向条款), or counter an open offer with a new version linked to it; the proposer’s side counts as accepting its own terms',
    params: IdParam, body: OfferInput, success: { status: 201, body: OfferView },
    errors: ['room_not_found', 'offer_not_found', 'offer_state_conflict', 'room_state_conflict', 'idempotency_conflict', 'participant_muted'],
  }),
  acceptOffer: route({
    method: 'post', path: '/api/rooms/:id/offers/:offerId/accept', tags: ['rooms'], access: 'approved_member',
    summary: 'Accept the open offer: with both sides accepting, the exact terms are recorded as an agreement in principle and the stage moves to 达成意向',
    params: OfferAcceptParams, success: { status: 200, body: OfferView }, errors: ['room_not_found', 'offer_not_found', 'offer_state_conflict', 'room_state_conflict'],
  }),
  bannedWords: route({
    method: 'get', path: '/api/admin/banned-words', tags: ['moderation'], access: { staff: ['moderator', 'admin'] },
    summary: 'The banned-word rules for room messages', success: { status: 200, body: BannedWordList },
  }),
  addBannedWord: route({
    method: 'post', path: '/api/admin/banned-words', tags: ['moderation'], access: { staff: ['admin'] },
    summary: 'Add a rule: block refuses matching messages, flag stores them and alerts staff (recorded as evidence with the reason)',
    body: BannedWordInput, success: { status: 201, body: BannedWordView }, errors: ['banned_word_conflict'],
  }),
  removeBannedWord: route({
    method: 'delete', path: '/api/admin/banned-words/:id', tags: ['moderation'], access: { staff: ['admin'] },
    summary: 'Remove a rule, with a reason (recorded as evidence)', params: IdParam, body: BannedWordDelete, success: { status: 204 }, errors: ['banned_word_not_found'],
  }),
  staffOpenRoom: route({
    method: 'post', path: '/api/staff/rooms', tags: ['moderation'], access: { staff: ['moderator', 'admin'] },
    summary: 'Open a negotiation room for a supply and a demand organisation, with a reason (both are notified; recorded as evidence)',
    body: StaffOpenRoomInput, success: { status: 201, body: RoomView }, errors: ['organization_not_found', 'validation_failed'],
  }),
  staffJoinRoom: route({
    method: 'post', path: '/api/staff/rooms/:id/join', tags: ['moderation'], access: { staff: ['moderator', 'admin'] },
    summary: 'Join a room visibly (the parties see who and why) instead of observing; staff in a room may write in it',
    params: IdParam, body: StaffJoinInput, success: { status: 200, body: RoomView }, errors: ['room_not_found', 'participant_conflict'],
  }),
  hideRoomEntry: route({
    method: 'post', path: '/api/staff/rooms/:id/entries/:seq/hide', tags: ['moderation'], access: { staff: ['moderator', 'admin'] },
    summary: 'Hide a message from the parties (it stays in the record and the evidence export), with a reason',
    params: HideEntryParams, body: HideEntryInput, success: { status: 200, body: RoomEntryView }, errors: ['room_not_found', 'not_found', 'room_state_conflict'],
  }),
  muteParticipant: route({
    method: 'post', path: '/api/staff/rooms/:id/mute', tags: ['moderation'], access: { staff: ['moderator', 'admin'] },
    summary: 'Mute a participant in the room for some minutes, with a reason', params: IdParam, body: MuteInput,
    success: { status: 200, body: RoomView }, errors: ['room_not_found', 'user_not_found'],
  }),
  freezeRoom: route({
    method: 'post', path: '/api/staff/rooms/:id/freeze', tags: ['moderation'], access: { staff: ['moderator', 'admin'] },
    summary: 'Freeze (nobody can add to it) or unfreeze a room, with a reason', params: IdParam, body: FreezeInput,
    success: { status: 200, body: RoomView }, errors: ['room_not_found', 'room_state_conflict'],
  }),
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof API;
export type RouteBody<N extends RouteName> = (typeof API)[N]['success'] extends { body: infer B extends ZodType } ? z.infer<B> : void;

export { ErrorBody };
