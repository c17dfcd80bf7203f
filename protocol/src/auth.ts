import { Email, OrganizationView } from './organizations.ts';
import { z } from './zod.ts';

export const StaffRole = z.enum(['reviewer', 'moderator', 'admin']).openapi('StaffRole');
export type StaffRole = z.infer<typeof StaffRole>;

/**
 * The password is compared as typed, without the text rule new passwords get: it is never stored,
 * and refusing it here would lock out an account whose password was set before the rule.
 */
export const LoginInput = z
  .strictObject({ email: Email, password: z.string().min(1).max(128) })
  .openapi('LoginInput');
export type LoginInput = z.infer<typeof LoginInput>;

export const UserView = z
  .object({ id: z.string(), name: z.string(), email: z.string(), staffRole: StaffRole.nullable() })
  .openapi('User');
export type UserView = z.infer<typeof UserView>;

/**
 * The answer to every accepted registration, whether its email was new (the account now exists) or
 * already registered (nothing was written): the same status and body, and no session either way,
 * so the answer never tells anyone whether an email has an account. The applicant signs in next.
 */
export const RegistrationReceived = z.object({ next: z.literal('sign_in') }).openapi('RegistrationReceived');
export type RegistrationReceived = z.infer<typeof RegistrationReceived>;

/** Who is signed in: the user and, for members, their organisation. */
export const SessionView = z
  .object({ user: UserView, organization: OrganizationView.nullable() })
  .openapi('Session');
export type SessionView = z.infer<typeof SessionView>;

/** Name of the httpOnly session cookie. */
export const SESSION_COOKIE = 'hub_session';
/** Name of the httpOnly cookie that marks a browser as a known device of the account it signed in to. */
export const DEVICE_COOKIE = 'hub_device';
