import { API } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import { renderEvidencePage } from './evidence-page.ts';
import type { RoomFileService } from './files.ts';
import type { OfferService } from './offers.ts';
import type { ParticipantService } from './participants.ts';
import type { RoomService } from './service.ts';

export function roomRoutes(deps: { rooms: RoomService; offers: OfferService; participants: ParticipantService; files: RoomFileService; resolveActor: ActorResolver }): Router {
  const { rooms, offers, participants, files, resolveActor } = deps;
  const router = Router();
  mount(router, API.rooms, resolveActor, async (_input, { actor }) => rooms.list(actor!));
  mount(router, API.room, resolveActor, async ({ params }, { actor }) => rooms.view(actor!, params.id));
  mount(router, API.roomHistory, resolveActor, async ({ params, query }, { actor }) => rooms.history(actor!, params.id, query));
  mount(router, API.moveRoomStage, resolveActor, async ({ params, body }, { actor }) => rooms.moveStage(actor!, params.id, body.stage));
  mount(router, API.roomEvidence, resolveActor, async ({ params, query }, { actor, req, res }) => {
    const evidence = await rooms.evidence(actor!, params.id);
    req.log.info({ roomId: params.id, userId: actor!.userId, format: query.format, verified: evidence.verification.ok }, 'room record exported');
    if (query.format === 'html') {
      res.type('html').setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.send(renderEvidencePage(evidence));
    }
    return evidence;
  });
  mount(router, API.uploadRoomFile, resolveActor, async ({ params, query }, { actor, req, res }) => {
    try {
      return await files.upload(actor!, params.id, query, { contentType: req.headers['content-type'], contentLength: req.headers['content-length'], stream: req });
    } catch (error) {
      // Refused with the body (partly) unread: end the connection rather than read the rest of an unwanted upload.
      if (!req.complete) res.setHeader('Connection', 'close');
      throw error;
    }
  });
  mount(router, API.downloadRoomFile, resolveActor, async ({ params }, { actor, res }) => files.send(await files.open(actor!, params.id, params.fileId), res));
  mount(router, API.brokerCandidates, resolveActor, async ({ params }, { actor }) => participants.brokerCandidates(actor!, params.id));
  mount(router, API.inviteBroker, resolveActor, async ({ params, body }, { actor }) => participants.inviteBroker(actor!, params.id, body));
  mount(router, API.removeParticipant, resolveActor, async ({ params }, { actor }) => participants.remove(actor!, params.id, params.userId));
  mount(router, API.staffOpenRoom, resolveActor, async ({ body }, { actor }) => participants.staffOpen(actor!, body));
  mount(router, API.staffJoinRoom, resolveActor, async ({ params, body }, { actor }) => participants.staffJoin(actor!, params.id, body.reason));
  mount(router, API.offers, resolveActor, async ({ params }, { actor }) => offers.list(actor!, params.id));
  mount(router, API.makeOffer, resolveActor, async ({ params, body }, { actor }) => offers.make(actor!, params.id, body));
  mount(router, API.acceptOffer, resolveActor, async ({ params }, { actor }) => offers.accept(actor!, params.id, params.offerId));
  return router;
}
