import { StaffRole, UserView } from './auth.ts';
import { text } from './text.ts';
import { z } from './zod.ts';

/** Granting, changing or removing (null) a staff role; the reason goes into the evidence log. */
export const StaffRoleChangeInput = z
  .strictObject({ role: StaffRole.nullable(), reason: text().min(2, 'reason_required').max(500) })
  .openapi('StaffRoleChangeInput');
export type StaffRoleChangeInput = z.infer<typeof StaffRoleChangeInput>;

export const StaffUserList = z.object({ users: z.array(UserView) }).openapi('StaffUserList');

export const StaffUserQuery = z.strictObject({ email: text().toLowerCase().max(254).optional() });

/** A job that failed for good (a malformed payload fails at once; others after their retries), with the reason. */
export const FailedJob = z
  .object({
    id: z.string(),
    name: z.string(),
    failedReason: z.string(),
    attemptsMade: z.number().int(),
    data: z.unknown(),
    failedAt: z.string().nullable(),
  })
  .openapi('FailedJob');
export type FailedJob = z.infer<typeof FailedJob>;

/** The queue at a glance: job counts by state and the latest failures. */
export const QueueStatus = z
  .object({ counts: z.record(z.string(), z.number().int()), failed: z.array(FailedJob) })
  .openapi('QueueStatus');
export type QueueStatus = z.infer<typeof QueueStatus>;
