import type { Db } from '@hub/db';
import { registerApprovedMember } from './factories.ts';

/**
 * A negotiation room between two approved organisations, each with a signed-in member, as a confirmed
 * match would open it (written straight to Postgres: for room tests that do not need matching).
 */
export async function buildRoom(db: Db, baseUrl: string, title = '储能电池包热失控监测预警方案') {
  const supplier = await registerApprovedMember(db, baseUrl, { organization: { type: 'university', enterpriseSize: undefined } });
  const demander = await registerApprovedMember(db, baseUrl);
  const room = await db.negotiationRoom.create({
    data: { supplyOrganizationId: supplier.organizationId, demandOrganizationId: demander.organizationId, title },
  });
  return { room, supplier, demander };
}
