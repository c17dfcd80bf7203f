import { API } from '@hub/protocol';
import { Router, type Request } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import { renderEvidencePage } from './evidence-page.ts';
import type { RoomFileService } from './files.ts';
import type { OfferService } from './offers.ts';
import type { ParticipantService } from './participants.ts';
import type { RoomService } from './service.ts';
import type { StageService } from './stages.ts';

export function roomRoutes(deps: {
  rooms: RoomService;
  stages: StageService;
  offers: OfferService;
  participants: ParticipantService;
  files: RoomFileService;
  limits: RateLimits;
  resolveActor: ActorResolver;
}): Router {
  const { rooms, stages, offers, participants, files, limits, resolveActor } = deps;
  const router = Router();
  mount(router, API.rooms, resolveActor, async (_input, { actor }) => rooms.list(actor!));
  mount(router, API.room, resolveActor, async ({ params }, { actor }) => rooms.view(actor!, params.id));
  mount(router, API.roomHistory, resolveActor, async ({ params, query }, { actor }) => rooms.history(actor!, params.id, query));
  mount(router, API.moveRoomStage, resolveActor, async ({ params, body }, { actor }) => stages.move(actor!, params.id, body.stage));
  mount(router, API.withdrawStageProposal, resolveActor, async ({ params }, { actor }) => stages.withdrawProposal(actor!, params.id));
  mount(router, API.roomEvidence, resolveActor, async ({ params, query }, { actor, req, res }) => {
    await limits.beforeEvidenceExport(actor!.userId);
    const evidence = await rooms.evidence(actor!, params.id, query.format);
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
    } finally {
      // Refused, or answered as a resend, before the whole body was read.
      if (!req.complete) discardRest(req, files.maxBytes);
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

/** Beyond a whole file's worth, what a client still sending may send before the answer reaches it. */
const DISCARD_SLACK = 1024 * 1024;

/**
 * Reads and drops the rest of an upload refused (or answered as a resend) while the answer goes out.
 * Closing at once would reset the connection under a client still sending, and it could lose the 413
 * (or 400) with it. A body up to a file's worth plus 1 MiB is read to its end, so a file somewhat
 * over the limit gets its 413; a client that keeps sending beyond that is cut off.
 */
function discardRest(req: Request, maxBytes: number) {
  const allowance = maxBytes + DISCARD_SLACK;
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > allowance) req.socket.destroy();
  });
  req.resume();
}
