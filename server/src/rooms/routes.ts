import { API } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import { renderEvidencePage } from './evidence-page.ts';
import type { OfferService } from './offers.ts';
import type { RoomService } from './service.ts';

export function roomRoutes(deps: { rooms: RoomService; offers: OfferService; resolveActor: ActorResolver }): Router {
  const { rooms, offers, resolveActor } = deps;
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
  mount(router, API.offers, resolveActor, async ({ params }, { actor }) => offers.list(actor!, params.id));
  mount(router, API.makeOffer, resolveActor, async ({ params, body }, { actor }) => offers.make(actor!, params.id, body));
  mount(router, API.acceptOffer, resolveActor, async ({ params }, { actor }) => offers.accept(actor!, params.id, params.offerId));
  return router;
}
