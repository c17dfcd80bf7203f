import type { Db } from '@hub/db';
import type { OrganizationStatus, StaffRole } from '@hub/protocol';

/** Who is making a request or holding a socket, loaded fresh from Postgres each time. */
export interface Actor {
  userId: string;
  name: string;
  email: string;
  staffRole: StaffRole | null;
  organizationId: string | null;
  organizationStatus: OrganizationStatus | null;
}

export async function loadActor(db: Db, userId: string): Promise<Actor | null> {
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, name: true, email: true, staffRole: true, organizationId: true, organization: { select: { status: true } } },
  });
  if (!user) return null;
  return {
    userId: user.id,
    name: user.name,
    email: user.email,
    staffRole: user.staffRole,
    organizationId: user.organizationId,
    organizationStatus: user.organization?.status ?? null,
  };
}
