import { appendEvidence, type Db, type User } from '@hub/db';
import { socketRoom, type QueueStatus, type StaffRoleChangeInput, type UserView } from '@hub/protocol';
import type { Queue } from 'bullmq';
import type { Actor } from '../auth/actor.ts';
import { AppError } from '../http/errors.ts';
import type { AccessChanges } from '../realtime/socket-access.ts';

export function presentUser(user: Pick<User, 'id' | 'name' | 'email' | 'staffRole'>): UserView {
  return { id: user.id, name: user.name, email: user.email, staffRole: user.staffRole };
}

/** Staff roles (reviewer, moderator, admin); every change is recorded as evidence with its reason. */
export class StaffService {
  constructor(
    private readonly db: Db,
    private readonly access: AccessChanges,
  ) {}

  async list(email?: string) {
    const users = await this.db.user.findMany({
      where: email ? { email } : { staffRole: { not: null } },
      orderBy: { createdAt: 'asc' },
      take: 200,
    });
    return { users: users.map(presentUser) };
  }

  async changeRole(admin: Actor | null, userId: string, input: StaffRoleChangeInput) {
    if (admin?.userId === userId && input.role !== 'admin') {
      throw new AppError('staff_role_conflict', 'Admins cannot remove their own admin role; ask another admin.');
    }
    const { user, changed } = await this.db.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId } });
      if (!user) throw new AppError('user_not_found', 'No such user.');
      if (user.staffRole === input.role) return { user, changed: false };
      const updated = await tx.user.update({ where: { id: userId }, data: { staffRole: input.role } });
      await appendEvidence(tx, {
        kind: 'staff.role_changed',
        subjectType: 'user',
        subjectId: userId,
        actorId: admin?.userId ?? null,
        payload: { from: user.staffRole, to: input.role, reason: input.reason },
      });
      return { user: updated, changed: true };
    });
    // Their open sockets leave what the old role let them hear, before the admin is answered.
    if (changed) await this.access.changed(socketRoom.user(userId));
    return presentUser(user);
  }
}

/** Job counts by state and the 50 latest failures, newest first. */
export async function queueStatus(queue: Queue): Promise<QueueStatus> {
  const [counts, failed] = await Promise.all([
    queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'),
    queue.getFailed(0, 49),
  ]);
  return {
    counts,
    failed: failed.map((job) => ({
      id: job.id ?? '',
      name: job.name,
      failedReason: job.failedReason ?? '',
      attemptsMade: job.attemptsMade,
      data: job.data,
      failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    })),
  };
}
