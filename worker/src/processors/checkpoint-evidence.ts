import { PLATFORM_CHAIN, roomChain, type CheckpointLookup, type Db } from '@hub/db';
import type { EvidenceCheckpoint, JobPayload } from '@hub/protocol';
import type { ProcessorDeps } from './index.ts';

/**
 * How far before the previous run's start a room's last entry may lie and still be looked at: an
 * entry's time is taken before its statement commits.
 */
const IN_FLIGHT_MS = 60_000;

type Head = Omit<EvidenceCheckpoint, 'at'>;

/**
 * Repeatable: signs a checkpoint of each chain (the platform's, and every room's that had an entry
 * since the last run) whose head moved since its latest checkpoint. A chain that no longer extends its
 * latest checkpoint (shorter, or another hash at its seq) is not checkpointed again, so verification
 * keeps reporting it, and is logged as an error.
 */
export async function checkpointEvidence(deps: ProcessorDeps, _payload: JobPayload<'checkpoint-evidence'>) {
  const startedAt = new Date();
  const lastRun = await deps.checkpoints.lastRun();
  const heads = await chainHeads(deps.db, lastRun && new Date(lastRun.getTime() - IN_FLIGHT_MS));
  const known = await deps.checkpoints.latest(heads.map((h) => h.chain));
  const moved = heads.filter((h) => {
    const checkpoint = known.get(h.chain)?.checkpoint;
    return checkpoint?.seq !== h.seq || checkpoint.head !== h.head;
  });
  const contradicted = await contradicting(deps.db, moved, known);
  for (const chain of contradicted) {
    deps.log?.error({ chain, checkpoint: known.get(chain)?.checkpoint }, 'evidence chain no longer extends its checkpoint');
  }
  const at = startedAt.toISOString();
  const fresh = moved.filter((h) => !contradicted.has(h.chain)).map((h) => ({ ...h, at }));
  await deps.checkpoints.write(fresh);
  await deps.checkpoints.finishedRun(startedAt);
  return { checkpointed: fresh.length, contradicted: contradicted.size };
}

/** The newest entry of the platform chain and of each room with an entry since `since` (every room when null). */
async function chainHeads(db: Db, since: Date | null): Promise<Head[]> {
  const [platform, rooms] = await Promise.all([
    db.evidenceEntry.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } }),
    db.$queryRaw<{ roomId: string; seq: number; hash: string }[]>`
      SELECT r.id AS "roomId", e.seq, e.hash FROM "NegotiationRoom" r
      CROSS JOIN LATERAL (SELECT seq, hash FROM "RoomEntry" WHERE "roomId" = r.id ORDER BY seq DESC LIMIT 1) e
      WHERE ${since?.toISOString() ?? null}::timestamp(3) IS NULL OR r."lastEntryAt" >= ${since?.toISOString() ?? null}::timestamp(3)`,
  ]);
  const heads = rooms.map((r) => ({ chain: roomChain(r.roomId), seq: r.seq, head: r.hash }));
  return platform ? [{ chain: PLATFORM_CHAIN, seq: Number(platform.seq), head: platform.hash }, ...heads] : heads;
}

/** The chains among `moved` whose entries no longer reach or match their latest checkpoint. */
async function contradicting(db: Db, moved: Head[], known: Map<string, CheckpointLookup>): Promise<Set<string>> {
  const held = moved.flatMap((h) => {
    const checkpoint = known.get(h.chain)?.checkpoint;
    return checkpoint ? [{ head: h, checkpoint }] : [];
  });
  const hashes = await hashesAt(db, held.filter(({ head, checkpoint }) => head.seq >= checkpoint.seq).map(({ checkpoint }) => checkpoint));
  return new Set(held.filter(({ checkpoint }) => hashes.get(checkpoint.chain) !== checkpoint.head).map(({ head }) => head.chain));
}

/** The hash each chain's entry at the given seq has now. */
async function hashesAt(db: Db, points: Head[]): Promise<Map<string, string>> {
  const rooms = points.filter((p) => p.chain !== PLATFORM_CHAIN);
  const platform = points.find((p) => p.chain === PLATFORM_CHAIN);
  const [inRooms, inPlatform] = await Promise.all([
    rooms.length
      ? db.$queryRaw<{ roomId: string; hash: string }[]>`
          SELECT e."roomId", e.hash FROM unnest(${rooms.map((p) => p.chain.slice(roomChain('').length))}::uuid[], ${rooms.map((p) => p.seq)}::int[]) AS p("roomId", seq)
          JOIN "RoomEntry" e ON e."roomId" = p."roomId" AND e.seq = p.seq`
      : [],
    platform ? db.evidenceEntry.findUnique({ where: { seq: BigInt(platform.seq) }, select: { hash: true } }) : null,
  ]);
  const hashes = new Map(inRooms.map((r) => [roomChain(r.roomId), r.hash]));
  if (inPlatform) hashes.set(PLATFORM_CHAIN, inPlatform.hash);
  return hashes;
}
