import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CheckpointStore, roomChain } from './checkpoints.ts';

let redis: Redis;
let dir: string;
let prefix: string;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const keys = await redis.keys('tcp*');
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});
/** Each test: an empty evidence directory and its own Redis prefix. */
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hub-checkpoints-'));
  prefix = `tcp${randomBytes(5).toString('hex')}`;
  return () => rm(dir, { recursive: true, force: true });
});

const store = () => new CheckpointStore(dir, redis, prefix);
const head = (n: number) => n.toString(16).padStart(64, '0');
const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 10, minute)).toISOString();
const fileLines = async () => (await readFile(path.join(dir, 'checkpoints.jsonl'), 'utf8')).trim().split('\n');
const CHAIN = roomChain('0b8a3f0e-7c1d-4e55-9a43-2f1c6d7e8a90');

describe('CheckpointStore', () => {
  it('signs with a key made on first use (0600), appends to the file and Redis, and reads back the latest', async () => {
    await store().write([{ chain: CHAIN, seq: 3, head: head(3), at: at(1) }]);
    await store().write([{ chain: CHAIN, seq: 5, head: head(5), at: at(2) }, { chain: 'platform', seq: 9, head: head(9), at: at(2) }]);
    expect((await stat(path.join(dir, 'signing-key.pem'))).mode & 0o777).toBe(0o600);
    const lines = (await fileLines()).map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.chain, l.seq])).toEqual([[CHAIN, 3], [CHAIN, 5], ['platform', 9]]);
    expect(lines.every((l) => typeof l.sig === 'string' && l.key === lines[0].key)).toBe(true);
    expect(JSON.parse((await redis.hget(`${prefix}:evidence:checkpoints`, CHAIN))!)).toMatchObject({ seq: 5 });

    const found = await store().latest([CHAIN, 'platform', roomChain('nothing')]);
    expect(found.get(CHAIN)).toEqual({ checkpoint: { chain: CHAIN, seq: 5, head: head(5), at: at(2) }, forged: 0 });
    expect(found.get('platform')).toMatchObject({ checkpoint: { seq: 9 }, forged: 0 });
    expect(found.get(roomChain('nothing'))).toEqual({ checkpoint: null, forged: 0 });
  });

  it('processes racing to make the key agree on one', async () => {
    const stores = [store(), store(), store()];
    await Promise.all(stores.map((s, i) => s.write([{ chain: `room:${i}`, seq: 1, head: head(i), at: at(1) }])));
    const keys = new Set((await fileLines()).map((l) => JSON.parse(l).key));
    expect(keys.size).toBe(1);
    expect((await store().latest(['room:0', 'room:1', 'room:2'])).get('room:2')).toMatchObject({ forged: 0, checkpoint: { seq: 1 } });
  });

  it('keeps the file’s checkpoint when Redis is wiped or rolled back to an older one', async () => {
    const s = store();
    await s.write([{ chain: CHAIN, seq: 3, head: head(3), at: at(1) }]);
    const older = await redis.hget(`${prefix}:evidence:checkpoints`, CHAIN);
    await s.write([{ chain: CHAIN, seq: 7, head: head(7), at: at(2) }]);
    await redis.hset(`${prefix}:evidence:checkpoints`, CHAIN, older!);
    expect((await store().latest([CHAIN])).get(CHAIN)).toMatchObject({ checkpoint: { seq: 7 }, forged: 0 });
    await redis.del(`${prefix}:evidence:checkpoints`);
    expect((await s.latest([CHAIN])).get(CHAIN)).toMatchObject({ checkpoint: { seq: 7 }, forged: 0 });
  });

  it('ignores and counts checkpoints that are unsigned, signed by another key, altered, or filed under another chain', async () => {
    await store().write([{ chain: CHAIN, seq: 3, head: head(3), at: at(1) }, { chain: 'platform', seq: 4, head: head(4), at: at(1) }]);
    const [good, platform] = (await fileLines()).map((l) => JSON.parse(l));
    const otherKey = new CheckpointStore(path.join(dir, 'other'), redis, `${prefix}x`);
    await otherKey.write([{ chain: CHAIN, seq: 9, head: head(9), at: at(2) }]);
    const foreign = await redis.hget(`${prefix}x:evidence:checkpoints`, CHAIN);
    const forgeries = [
      { chain: CHAIN, seq: 8, head: head(8), at: at(3) },
      JSON.parse(foreign!),
      { ...good, seq: 8 },
    ];
    await appendFile(path.join(dir, 'checkpoints.jsonl'), `${forgeries.map((f) => JSON.stringify(f)).join('\n')}\nnot json\n`);
    // Redis: a valid checkpoint of the platform chain put where this room's belongs.
    await redis.hset(`${prefix}:evidence:checkpoints`, CHAIN, JSON.stringify(platform));
    expect((await store().latest([CHAIN])).get(CHAIN)).toEqual({ checkpoint: { chain: CHAIN, seq: 3, head: head(3), at: at(1) }, forged: 4 });
  });

  it('reads lines appended after its first read (a reader does not miss the writer’s later checkpoints)', async () => {
    const reader = store();
    const writer = store();
    await writer.write([{ chain: CHAIN, seq: 1, head: head(1), at: at(1) }]);
    expect((await reader.latest([CHAIN])).get(CHAIN)).toMatchObject({ checkpoint: { seq: 1 } });
    await writer.write([{ chain: CHAIN, seq: 2, head: head(2), at: at(2) }]);
    await redis.del(`${prefix}:evidence:checkpoints`);
    expect((await reader.latest([CHAIN])).get(CHAIN)).toMatchObject({ checkpoint: { seq: 2 } });
  });
});
