import { API } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import type { ModerationService } from './service.ts';

/**
 * Banned-word rules (admins change them, moderators read them) and staff acts in negotiation rooms.
 * Each act logs one line with the ids and the reason, never the text of a message.
 */
export function moderationRoutes(deps: { moderation: ModerationService; resolveActor: ActorResolver }): Router {
  const { moderation, resolveActor } = deps;
  const router = Router();
  mount(router, API.bannedWords, resolveActor, async () => moderation.bannedWords());
  mount(router, API.addBannedWord, resolveActor, async ({ body }, { actor, req }) => {
    const word = await moderation.addBannedWord(actor!, body);
    req.log.info({ bannedWordId: word.id, action: word.action, adminId: actor!.userId, reason: body.reason }, 'banned word added');
    return word;
  });
  mount(router, API.removeBannedWord, resolveActor, async ({ params, body }, { actor, req }) => {
    const word = await moderation.removeBannedWord(actor!, params.id, body.reason);
    req.log.info({ bannedWordId: word.id, action: word.action, adminId: actor!.userId, reason: body.reason }, 'banned word removed');
  });
  mount(router, API.hideRoomEntry, resolveActor, async ({ params, body }, { actor, req }) => {
    const entry = await moderation.hide(actor!, params.id, params.seq, body.reason);
    req.log.info({ roomId: params.id, seq: params.seq, authorId: entry.author?.id ?? null, staffId: actor!.userId, reason: body.reason }, 'room entry hidden');
    return entry;
  });
  mount(router, API.muteParticipant, resolveActor, async ({ params, body }, { actor, req }) => {
    const { room, until } = await moderation.mute(actor!, params.id, body);
    req.log.info({ roomId: params.id, userId: body.userId, until: until.toISOString(), staffId: actor!.userId, reason: body.reason }, 'room participant muted');
    return room;
  });
  mount(router, API.freezeRoom, resolveActor, async ({ params, body }, { actor, req }) => {
    const room = await moderation.freeze(actor!, params.id, body);
    req.log.info({ roomId: params.id, frozen: body.frozen, staffId: actor!.userId, reason: body.reason }, body.frozen ? 'room frozen' : 'room unfrozen');
    return room;
  });
  return router;
}
