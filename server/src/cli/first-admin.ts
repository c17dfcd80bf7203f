import { appendEvidence, type Db } from '@hub/db';
import { hashPassword, type Logger } from '@hub/platform';

/**
 * What `ensureFirstAdmin` did: created the account, found it already an admin (nothing changed), or
 * refused because the email belongs to an account it did not create.
 */
export type FirstAdminOutcome = 'created' | 'already_admin' | 'refused';

/**
 * Creates an admin account for this email if there is none. It never promotes an existing account:
 * anyone can register any address, so whoever registered the operator's email first would become
 * admin (keeping their own password); and an admin whom another admin demoted is not re-granted by a
 * restart. An account that exists is left as it is, and the log says why. The creation is recorded
 * as evidence with the CLI/environment as the reason.
 */
export async function ensureFirstAdmin(
  db: Db,
  admin: { email: string; password: string; name: string },
  log: Logger,
  reason = 'first admin from environment',
): Promise<{ userId: string | null; outcome: FirstAdminOutcome }> {
  const email = admin.email.trim().toLowerCase();
  const existing = await db.user.findUnique({ where: { email }, select: { id: true, staffRole: true } });
  if (existing?.staffRole === 'admin') {
    log.info({ userId: existing.id }, 'admin account already exists: nothing changed (its password is not replaced)');
    return { userId: existing.id, outcome: 'already_admin' };
  }
  if (existing) {
    log.warn(
      { userId: existing.id, staffRole: existing.staffRole },
      `${email} belongs to an existing account that is not an admin: it is not promoted. An admin grants roles in the staff console; or create the admin with another email.`,
    );
    return { userId: existing.id, outcome: 'refused' };
  }
  const passwordHash = await hashPassword(admin.password);
  const user = await db.$transaction(async (tx) => {
    const user = await tx.user.create({ data: { email, name: admin.name, passwordHash, staffRole: 'admin' } });
    await appendEvidence(tx, {
      kind: 'staff.role_changed',
      subjectType: 'user',
      subjectId: user.id,
      actorId: null,
      payload: { from: null, to: 'admin', reason },
    });
    return user;
  });
  log.info({ userId: user.id }, 'admin account created');
  return { userId: user.id, outcome: 'created' };
}
