import { API } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import type { MatchService } from './service.ts';

export function matchRoutes(deps: { matches: MatchService; limits: RateLimits; resolveActor: ActorResolver }): Router {
  const { matches, limits, resolveActor } = deps;
  const router = Router();
  mount(router, API.matchInbox, resolveActor, async ({ query }, { actor }) => matches.inbox(actor!, query));
  // Declared before `/api/matches/:id`.
  mount(router, API.signalInterest, resolveActor, async ({ body }, { actor, req }) => {
    await limits.beforeInterest(actor!.organizationId!);
    const view = await matches.signalInterest(actor!, body);
    req.log.info({ matchId: view.id, userId: actor!.userId }, 'interest signalled');
    return view;
  });
  mount(router, API.match, resolveActor, async ({ params }, { actor }) => matches.view(actor!, params.id));
  mount(router, API.respondToMatch, resolveActor, async ({ params, body }, { actor, req }) => {
    const view = await matches.respond(actor!, params.id, body);
    req.log.info({ matchId: view.id, response: body.response, status: view.status, userId: actor!.userId }, 'match answered');
    return view;
  });
  mount(router, API.matchConsole, resolveActor, async () => matches.console());
  mount(router, API.recommendMatch, resolveActor, async ({ body }, { actor, req }) => {
    const view = await matches.recommend(actor!, body);
    req.log.info({ matchId: view.id, staffId: actor!.userId }, 'match recommended by staff');
    return view;
  });
  return router;
}
