import { verifyEvidence, type CheckpointReader, type Db } from '@hub/db';
import { API } from '@hub/protocol';
import type { Queue } from 'bullmq';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import { queueStatus, type StaffService } from './service.ts';

export function staffRoutes(deps: { staff: StaffService; db: Db; checkpoints: CheckpointReader; queue: Queue; resolveActor: ActorResolver }): Router {
  const { staff, db, checkpoints, queue, resolveActor } = deps;
  const router = Router();
  mount(router, API.staffUsers, resolveActor, async ({ query }) => staff.list(query.email));
  mount(router, API.changeStaffRole, resolveActor, async ({ params, body }, { actor, req }) => {
    const user = await staff.changeRole(actor!, params.id, body);
    req.log.info({ userId: user.id, role: user.staffRole, adminId: actor!.userId }, 'staff role changed');
    return user;
  });
  mount(router, API.verifyEvidence, resolveActor, async () => verifyEvidence(db, checkpoints));
  mount(router, API.queueStatus, resolveActor, async () => queueStatus(queue));
  return router;
}
