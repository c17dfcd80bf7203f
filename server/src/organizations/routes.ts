import { API } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import type { ReviewService } from '../review/service.ts';
import type { OrganizationService } from './service.ts';

export function organizationRoutes(deps: { organizations: OrganizationService; review: ReviewService; resolveActor: ActorResolver }): Router {
  const { organizations, review, resolveActor } = deps;
  const router = Router();
  mount(router, API.myOrganization, resolveActor, async (_input, { actor }) => organizations.mine(actor!));
  mount(router, API.resubmitOrganization, resolveActor, async ({ body }, { actor }) => organizations.resubmit(actor!, body));
  mount(router, API.findOrganizations, resolveActor, async ({ query }) => organizations.find(query.q));
  mount(router, API.reviewQueue, resolveActor, async ({ query }) => ({ organizations: await review.queueOf(query.status) }));
  mount(router, API.reviewOrganization, resolveActor, async ({ params }) => review.detail(params.id));
  mount(router, API.decideOrganization, resolveActor, async ({ params, body }, { actor, req }) => {
    const org = await review.decide(actor!, params.id, body);
    req.log.info({ organizationId: org.id, status: org.status, reviewerId: actor!.userId }, 'organization reviewed');
    return org;
  });
  return router;
}
