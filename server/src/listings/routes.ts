import { API } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import type { ListingReviewService } from './review.ts';
import type { ListingSearch } from './search.ts';
import type { ListingService } from './service.ts';

export function listingRoutes(deps: {
  listings: ListingService;
  review: ListingReviewService;
  search: ListingSearch;
  limits: RateLimits;
  resolveActor: ActorResolver;
}): Router {
  const { listings, review, search, limits, resolveActor } = deps;
  const router = Router();
  // Declared before `/api/listings/:id`, which would otherwise take these paths.
  mount(router, API.searchListings, resolveActor, async ({ query }, { actor, req }) => {
    await limits.beforeSearch(actor?.userId ?? null, req.ip ?? 'unknown');
    return search.search(query);
  });
  mount(router, API.myListings, resolveActor, async (_input, { actor }) => listings.mine(actor!));
  mount(router, API.createListing, resolveActor, async ({ body }, { actor, res }) => {
    const view = await listings.create(actor!, body);
    res.setHeader('Location', `/api/listings/${view.id}/manage`);
    return view;
  });
  mount(router, API.publicListing, resolveActor, async ({ params }) => listings.publicView(params.id));
  mount(router, API.manageListing, resolveActor, async ({ params }, { actor }) => listings.managedView(actor!, params.id));
  mount(router, API.updateListing, resolveActor, async ({ params, body }, { actor }) => listings.update(actor!, params.id, body));
  mount(router, API.submitListing, resolveActor, async ({ params }, { actor }) => listings.submit(actor!, params.id));
  mount(router, API.withdrawListing, resolveActor, async ({ params }, { actor }) => listings.withdraw(actor!, params.id));
  mount(router, API.listingQueue, resolveActor, async ({ query }) => review.queueOf(query.status));
  mount(router, API.decideListing, resolveActor, async ({ params, body }, { actor, req }) => {
    const view = await review.decide(actor!, params.id, body);
    req.log.info({ listingId: view.id, status: view.status, version: view.latest.version, reviewerId: actor!.userId }, 'listing reviewed');
    return view;
  });
  mount(router, API.takeDownListing, resolveActor, async ({ params, body }, { actor, req }) => {
    const view = await review.takeDown(actor!, params.id, body.reason);
    req.log.info({ listingId: view.id, staffId: actor!.userId }, 'listing taken down');
    return view;
  });
  return router;
}
