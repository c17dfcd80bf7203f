import { appendEvidence, type Db } from '@hub/db';
import { hashPassword, type Logger } from '@hub/platform';

/**
 * Makes sure an admin account exists for this email: creates it, or promotes an existing user.
 * Recorded as evidence with the CLI/environment as the reason.
 */
export async function ensureFirstAdmin(
  db: Db,
  admin: { email: string; password: string; name: string },
  log: Logger,
  reason = 'first admin from environment',
): Promise<{ userId: string; created: boolean }> {
  const email = admin.email.trim().toLowerCase();
  const existing = await db.user.findUnique({ where: { email } });
  if (existing?.staffRole === 'admin') return { userId: existing.id, created: false };
  const passwordHash = existing ? undefined : await hashPassword(admin.password);
  const user = await db.$transaction(async (tx) => {
    const user = existing
      ? await tx.user.update({ where: { id: existing.id }, data: { staffRole: 'admin' } })
      : await tx.user.create({ data: { email, name: admin.name, passwordHash: passwordHash!, staffRole: 'admin' } });
    await appendEvidence(tx, {
      kind: 'staff.role_changed',
      subjectType: 'user',
      subjectId: user.id,
      actorId: null,
      payload: { from: existing?.staffRole ?? null, to: 'admin', reason },
    });
    return user;
  });
  log.info({ userId: user.id, created: !existing }, 'admin account ensured');
  return { userId: user.id, created: !existing };
}
