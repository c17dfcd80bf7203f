import { StaffRole, UserView } from './auth.ts';
import { z } from './zod.ts';

/** Granting, changing or removing (null) a staff role; the reason goes into the evidence log. */
export const StaffRoleChangeInput = z
  .strictObject({ role: StaffRole.nullable(), reason: z.string().trim().min(2, 'reason_required').max(500) })
  .openapi('StaffRoleChangeInput');
export type StaffRoleChangeInput = z.infer<typeof StaffRoleChangeInput>;

export const StaffUserList = z.object({ users: z.array(UserView) }).openapi('StaffUserList');

export const StaffUserQuery = z.strictObject({ email: z.string().trim().toLowerCase().max(254).optional() });
