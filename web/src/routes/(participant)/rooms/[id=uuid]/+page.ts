import { ROOM_PAGE_MAX } from '@hub/protocol';
import { api } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import { loadOrError } from '#lib/load.ts';
import type { PageLoad } from './$types';

/** Entries loaded first besides the unread ones: some context above the "new messages" divider. */
const CONTEXT = 10;
const PAGE = 50;

/**
 * The room, then the latest entries: one page, or more when more are unread (up to the protocol's
 * page limit), so the first unread message is there to open at. The socket's join catches up from
 * there. Offers that fail to load leave the rest of the room usable.
 */
export const load = (async ({ fetch, params, parent }) => {
  await parent();
  const [room, offers] = await Promise.all([
    loadOrError('room', { params: { id: params.id } }, fetch),
    api('offers', { params: { id: params.id } }, fetch),
  ]);
  const limit = Math.min(ROOM_PAGE_MAX, Math.max(PAGE, room.lastSeq - room.lastReadSeq + CONTEXT));
  const history = await loadOrError('roomHistory', { params: { id: params.id }, query: { limit } }, fetch);
  return {
    room,
    history,
    offers: offers.ok ? offers.data.offers : [],
    offersError: offers.ok ? null : errorText(offers.error),
  };
}) satisfies PageLoad;
