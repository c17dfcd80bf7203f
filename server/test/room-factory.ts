import { randomBytes } from 'node:crypto';
import type { Db } from '@hub/db';
import { connected, type ApiClient } from './client.ts';
import { registerApprovedMember } from './factories.ts';

/** A fresh idempotency key, as a client makes one per message. */
export const clientKey = () => randomBytes(8).toString('hex');

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

/** A room as `buildRoom` makes it, with both parties' sockets connected and in it. */
export async function openRoom(db: Db, baseUrl: string) {
  const built = await buildRoom(db, baseUrl);
  const a = built.supplier.client.socket();
  const b = built.demander.client.socket();
  await Promise.all([connected(a), connected(b)]);
  for (const s of [a, b]) {
    const joined = (await s.emitWithAck('room:join', { roomId: built.room.id })) as { ok: boolean; error?: string };
    if (!joined.ok) throw new Error(`room:join refused: ${joined.error}`);
  }
  return { ...built, a, b, close: () => [a, b].forEach((s) => s.close()) };
}

export interface Upload {
  name: string;
  type?: string;
  bytes: Uint8Array;
  clientKey?: string;
  replyToSeq?: number;
}

/** POST /api/rooms/:id/files as the web client sends it: the bytes as the body, the type as Content-Type. */
export async function uploadRoomFile(client: ApiClient, roomId: string, file: Upload) {
  const query = new URLSearchParams({ name: file.name, clientKey: file.clientKey ?? clientKey() });
  if (file.replyToSeq !== undefined) query.set('replyToSeq', String(file.replyToSeq));
  const res = await fetch(`${client.baseUrl}/api/rooms/${roomId}/files?${query}`, {
    method: 'POST',
    headers: { ...client.headers, ...(client.cookie ? { cookie: client.cookie } : {}), ...(file.type ? { 'content-type': file.type } : {}) },
    body: new Uint8Array(file.bytes),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
