import { API } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import type { NotificationService } from './service.ts';

export function notificationRoutes(deps: { notifications: NotificationService; resolveActor: ActorResolver }): Router {
  const { notifications, resolveActor } = deps;
  const router = Router();
  mount(router, API.notifications, resolveActor, async (_input, { actor }) => notifications.list(actor!));
  mount(router, API.readNotification, resolveActor, async ({ params }, { actor }) => notifications.markRead(actor!, params.id));
  return router;
}
