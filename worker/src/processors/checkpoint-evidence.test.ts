import { CheckpointStore, evidenceDirOf, roomChain, type RoomEntry } from '@hub/db';
import type { Logger } from '@hub/platform';
import type { RoomEvidence } from '@hub/protocol';
import { evidenceHash, roomContentHash, roomEvidenceContent } from '@hub/protocol/evidence-hash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendRoomEntry } from '../../../server/src/rooms/record.ts';
import { signInStaff } from '../../../server/test/factories.ts';
import { startTestHub, type TestHub } from '../../../server/test/harness.ts';
import { buildRoom } from '../../../server/test/room-factory.ts';
import { runJob, type ProcessorDeps } from './index.ts';

let t: TestHub;
let deps: ProcessorDeps;
let checkpoints: CheckpointStore;
const errors: { chain: string }[] = [];

beforeAll(async () => {
  t = await startTestHub();
  // The worker's own store: the same directory and Redis keys as the server's, another process's view.
  checkpoints = new CheckpointStore(evidenceDirOf(t.config), t.ctx.redis, t.config.REDIS_PREFIX);
  const log = { error: (fields: { chain: string }) => void errors.push(fields) } as unknown as Logger;
  deps = { db: t.ctx.db, checkpoints, log, broadcast: undefined as never, queue: undefined as never, bull: undefined as never, matches: undefined as never, search: undefined as never };
});
afterAll(async () => {
  await t.close();
});

const checkpointRun = () => runJob(deps, 'checkpoint-evidence', {}) as Promise<{ checkpointed: number; contradicted: number }>;
const latest = async (roomId: string) => (await checkpoints.latest([roomChain(roomId)])).get(roomChain(roomId))!.checkpoint;

/** A room (between two approved organisations) with `n` messages in its record. */
async function roomWith(n: number) {
  const built = await buildRoom(t.ctx.db, t.baseUrl);
  const entries: RoomEntry[] = [];
  for (let i = 1; i <= n; i++) entries.push((await appendRoomEntry(t.ctx.db, built.room.id, { kind: 'message', authorId: built.supplier.userId, body: `第 ${i} 条报价说明` }))!);
  return { ...built, entries };
}

const exported = async (r: Awaited<ReturnType<typeof roomWith>>, format = 'json') => r.demander.client.get(`/api/rooms/${r.room.id}/evidence?format=${format}`);

/** What someone with the database's credentials can do: switch off the append-only trigger while they work. */
async function behindTheTrigger(run: () => Promise<unknown>) {
  await t.ctx.db.$executeRawUnsafe('ALTER TABLE "RoomEntry" DISABLE TRIGGER "RoomEntry_append_only"');
  try {
    await run();
  } finally {
    await t.ctx.db.$executeRawUnsafe('ALTER TABLE "RoomEntry" ENABLE TRIGGER "RoomEntry_append_only"');
  }
}

/** Sets the room row to its (new) last entry, as a careful attacker would, so the row does not give them away. */
async function alignRoomRow(roomId: string) {
  const last = await t.ctx.db.roomEntry.findFirstOrThrow({ where: { roomId }, orderBy: { seq: 'desc' } });
  await t.ctx.db.negotiationRoom.update({ where: { id: roomId }, data: { lastSeq: last.seq, lastHash: last.hash } });
}

describe('checkpoint-evidence', () => {
  it('checkpoints the platform chain and each room whose head moved, and only those', async () => {
    const moving = await roomWith(2);
    const quiet = await roomWith(1);
    const empty = await buildRoom(t.ctx.db, t.baseUrl);
    expect((await checkpointRun()).checkpointed).toBeGreaterThanOrEqual(3);
    expect(await latest(moving.room.id)).toMatchObject({ seq: 2, head: moving.entries[1]!.hash });
    expect(await latest(quiet.room.id)).toMatchObject({ seq: 1, head: quiet.entries[0]!.hash });
    expect(await latest(empty.room.id)).toBeNull();
    const platformHead = await t.ctx.db.evidenceEntry.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect((await checkpoints.latest(['platform'])).get('platform')!.checkpoint).toMatchObject({ seq: Number(platformHead.seq), head: platformHead.hash });

    expect(await checkpointRun()).toEqual({ checkpointed: 0, contradicted: 0 });
    const third = (await appendRoomEntry(t.ctx.db, moving.room.id, { kind: 'message', authorId: moving.demander.userId, body: '收到' }))!;
    expect(await checkpointRun()).toEqual({ checkpointed: 1, contradicted: 0 });
    expect(await latest(moving.room.id)).toMatchObject({ seq: 3, head: third.hash });
  });

  it('an untouched room exports as verified against its checkpoint', async () => {
    const r = await roomWith(3);
    await checkpointRun();
    await appendRoomEntry(t.ctx.db, r.room.id, { kind: 'message', authorId: r.demander.userId, body: '检查点之后的一条' });
    const { verification } = (await exported(r)).body as RoomEvidence;
    expect(verification).toEqual({
      ok: true,
      checked: 4,
      firstBroken: null,
      checkpoint: { chain: roomChain(r.room.id), seq: 3, head: r.entries[2]!.hash, at: expect.any(String) },
      forgedCheckpoints: 0,
    });
    expect((await exported(r, 'html')).text).toContain('已对照平台签名检查点（第 3 条');
  });

  it('the export reports truncation when the newest entries are deleted (and the room row set back); the job does not bless the shorter record', async () => {
    const r = await roomWith(4);
    await checkpointRun();
    await behindTheTrigger(async () => {
      await t.ctx.db.$executeRaw`DELETE FROM "RoomEntry" WHERE "roomId" = ${r.room.id}::uuid AND seq >= 3`;
      await alignRoomRow(r.room.id);
    });
    const { verification } = (await exported(r)).body as RoomEvidence;
    expect(verification).toMatchObject({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'truncated' }, checkpoint: { seq: 4, head: r.entries[3]!.hash } });
    expect((await exported(r, 'html')).text).toContain('平台签名检查点所及的记录已被删除');

    await appendRoomEntry(t.ctx.db, r.room.id, { kind: 'message', authorId: r.supplier.userId, body: '新的第三条' });
    expect(await checkpointRun()).toMatchObject({ contradicted: 1 });
    expect(errors).toContainEqual(expect.objectContaining({ chain: roomChain(r.room.id) }));
    expect(await latest(r.room.id)).toMatchObject({ seq: 4, head: r.entries[3]!.hash });
    expect(((await exported(r)).body as RoomEvidence).verification).toMatchObject({ ok: false, firstBroken: { seq: 4, reason: 'truncated' } });
  });

  it('the export reports re-hashing when an entry is rewritten and the record re-hashed from it', async () => {
    const r = await roomWith(3);
    await checkpointRun();
    await behindTheTrigger(async () => {
      let prevHash = r.entries[0]!.hash;
      for (const entry of r.entries.slice(1)) {
        const body = entry.seq === 2 ? '第 2 条报价说明（改为更低的价格）' : entry.body;
        const frame = { seq: entry.seq, kind: entry.kind, authorId: entry.authorId, createdAt: entry.createdAt.toISOString() };
        const hash = evidenceHash(prevHash, roomEvidenceContent(r.room.id, frame, roomContentHash({ body, replyToSeq: null, data: {} })));
        await t.ctx.db.$executeRaw`UPDATE "RoomEntry" SET body = ${body}, "prevHash" = ${prevHash}, hash = ${hash} WHERE id = ${entry.id}::uuid`;
        prevHash = hash;
      }
      await alignRoomRow(r.room.id);
    });
    const { verification } = (await exported(r)).body as RoomEvidence;
    expect(verification).toMatchObject({ ok: false, checked: 2, firstBroken: { seq: 3, reason: 'rehashed' }, checkpoint: { seq: 3, head: r.entries[2]!.hash }, forgedCheckpoints: 0 });
  });

  it('the platform chain verifies against its checkpoint for an admin', async () => {
    const admin = await signInStaff(t.ctx.db, t.baseUrl, 'admin');
    await checkpointRun();
    const verified = await admin.client.get('/api/admin/evidence/verify');
    expect(verified.body).toMatchObject({ ok: true, firstBroken: null, checkpoint: { chain: 'platform' }, forgedCheckpoints: 0 });
  });
});
