import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '@hub/platform';
import { EvidenceCheckpoint, z } from '@hub/protocol';
import { canonicalJson } from '@hub/protocol/evidence-hash';

/** The platform chain's name in checkpoints; a room's is `room:<id>`. */
export const PLATFORM_CHAIN = 'platform';
export const roomChain = (roomId: string) => `room:${roomId}`;

/** Where checkpoints and their key live: EVIDENCE_DIR, or DATA_DIR/evidence. */
export const evidenceDirOf = (config: Pick<Config, 'EVIDENCE_DIR' | 'DATA_DIR'>) => path.resolve(config.EVIDENCE_DIR ?? path.join(config.DATA_DIR, 'evidence'));

/** As written: the checkpoint, the id of the key that signed it, and the Ed25519 signature of both. */
const SignedCheckpoint = EvidenceCheckpoint.extend({ key: z.string(), sig: z.string() });
type SignedCheckpoint = z.infer<typeof SignedCheckpoint>;

/** The part of a Redis client the store uses (ioredis has it). */
export interface CheckpointRedis {
  hset(key: string, values: Record<string, string>): Promise<number>;
  hmget(key: string, ...fields: string[]): Promise<(string | null)[]>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

/** A chain's latest validly signed checkpoint, and how many of its checkpoints did not verify. */
export interface CheckpointLookup {
  checkpoint: EvidenceCheckpoint | null;
  forged: number;
}

/** What verification reads: the latest checkpoint of each chain asked for. */
export interface CheckpointReader {
  latest(chains: string[]): Promise<Map<string, CheckpointLookup>>;
}

interface Signer {
  privateKey: KeyObject;
  publicKey: KeyObject;
  id: string;
}

/** A file line longer than this is no checkpoint: it is counted as unreadable and skipped. */
const READ_CHUNK = 1 << 20;

/**
 * Checkpoints of the evidence chains, kept where the database's credentials do not reach: appended
 * (and fsync'd) to EVIDENCE_DIR/checkpoints.jsonl, and the latest per chain in a Redis hash. Each is
 * signed with an Ed25519 key in EVIDENCE_DIR/signing-key.pem (0600), made on first use. A reader takes
 * the longer of the two copies' checkpoints, so a Redis rolled back or wiped does not hide the file's.
 */
export class CheckpointStore implements CheckpointReader {
  private signer?: Promise<Signer>;
  private readonly file: string;
  private readonly keyFile: string;
  private readonly hashKey: string;
  private readonly runKey: string;
  /** The file's checkpoints so far (forged ones by their line), and how far it has been read. */
  private readonly fromFile = new Map<string, { checkpoint: EvidenceCheckpoint | null; forged: Set<string> }>();
  private readOffset = 0;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly redis: CheckpointRedis,
    redisPrefix: string,
  ) {
    this.file = path.join(dir, 'checkpoints.jsonl');
    this.keyFile = path.join(dir, 'signing-key.pem');
    this.hashKey = `${redisPrefix}:evidence:checkpoints`;
    this.runKey = `${redisPrefix}:evidence:checkpointed-at`;
  }

  /** Signs the checkpoints, appends them to the file (fsync'd before this resolves), then to Redis. */
  async write(checkpoints: EvidenceCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    const signer = await this.loadSigner();
    const lines = checkpoints.map((c) => JSON.stringify(signed(c, signer)));
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.appendFile(`${lines.join('\n')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.redis.hset(this.hashKey, Object.fromEntries(checkpoints.map((c, i) => [c.chain, lines[i]!])));
  }

  async latest(chains: string[]): Promise<Map<string, CheckpointLookup>> {
    const found = new Map<string, CheckpointLookup>();
    if (chains.length === 0) return found;
    const signer = await this.loadSigner();
    const [inRedis] = await Promise.all([this.redis.hmget(this.hashKey, ...chains), this.catchUp(signer)]);
    chains.forEach((chain, i) => {
      const file = this.fromFile.get(chain);
      const redis = inRedis[i] ? judge(inRedis[i], signer) : null;
      const redisForged = redis !== null && (!redis.checkpoint || redis.chain !== chain) ? 1 : 0;
      found.set(chain, {
        checkpoint: longer(file?.checkpoint ?? null, redisForged ? null : (redis?.checkpoint ?? null)),
        forged: (file?.forged.size ?? 0) + redisForged,
      });
    });
    return found;
  }

  /** When the last checkpoint run began, if one finished (the next looks at what moved since). */
  async lastRun(): Promise<Date | null> {
    const at = await this.redis.get(this.runKey);
    return at ? new Date(at) : null;
  }

  async finishedRun(startedAt: Date): Promise<void> {
    await this.redis.set(this.runKey, startedAt.toISOString());
  }

  /** Reads what was appended to the file since the last read (one reader at a time). */
  private catchUp(signer: Signer): Promise<void> {
    this.reading = this.reading.catch(() => undefined).then(() => this.readNewLines(signer));
    return this.reading;
  }

  private async readNewLines(signer: Signer): Promise<void> {
    const handle = await open(this.file, 'r').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      // Cut short or replaced: read it again from the start (what was already read stays known).
      if (size < this.readOffset) this.readOffset = 0;
      while (this.readOffset < size) {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(Math.min(READ_CHUNK, size - this.readOffset)), 0, undefined, this.readOffset);
        // A line still being written is read next time; a chunk without any line end is garbage.
        const end = buffer.lastIndexOf(0x0a, bytesRead - 1) + 1 || (bytesRead === READ_CHUNK ? bytesRead : 0);
        if (end === 0) break;
        for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) if (line) this.remember(line, signer);
        this.readOffset += end;
      }
    } finally {
      await handle.close();
    }
  }

  private remember(line: string, signer: Signer) {
    const { chain, checkpoint } = judge(line, signer);
    if (chain === null) return;
    const known = this.fromFile.get(chain) ?? { checkpoint: null, forged: new Set<string>() };
    if (checkpoint) known.checkpoint = longer(known.checkpoint, checkpoint);
    else known.forged.add(line);
    this.fromFile.set(chain, known);
  }

  /** The signing key: read from the key file, or made there on first use by whichever process comes first. */
  private loadSigner(): Promise<Signer> {
    this.signer ??= (async () => {
      const pem = await readFile(this.keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return this.createKey();
        throw error;
      });
      const privateKey = createPrivateKey(pem);
      const publicKey = createPublicKey(privateKey);
      return { privateKey, publicKey, id: keyId(publicKey) };
    })();
    // A failed load (an unreadable file) is tried again next time rather than remembered.
    this.signer.catch(() => (this.signer = undefined));
    return this.signer;
  }

  /** Written whole under a temporary name, then linked into place: a second process racing us gets EEXIST and uses ours. */
  private async createKey(): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const temporary = `${this.keyFile}.${randomBytes(6).toString('hex')}`;
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, this.keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temporary);
    }
    return readFile(this.keyFile, 'utf8');
  }
}

/** The first 16 hex digits of the public key's sha256: names the key a checkpoint was signed with. */
function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

const signedText = (checkpoint: EvidenceCheckpoint, key: string) =>
  Buffer.from(canonicalJson({ chain: checkpoint.chain, seq: checkpoint.seq, head: checkpoint.head, at: checkpoint.at, key }));

function signed(checkpoint: EvidenceCheckpoint, signer: Signer): SignedCheckpoint {
  const sig = sign(null, signedText(checkpoint, signer.id), signer.privateKey).toString('base64');
  return { chain: checkpoint.chain, seq: checkpoint.seq, head: checkpoint.head, at: checkpoint.at, key: signer.id, sig };
}

/** A stored checkpoint's chain (when it names one) and the checkpoint, if it is well formed and signed with our key. */
function judge(text: string, signer: Signer): { chain: string | null; checkpoint: EvidenceCheckpoint | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { chain: null, checkpoint: null };
  }
  const chain = typeof (raw as { chain?: unknown })?.chain === 'string' ? (raw as { chain: string }).chain : null;
  const parsed = SignedCheckpoint.safeParse(raw);
  if (!parsed.success || parsed.data.key !== signer.id) return { chain, checkpoint: null };
  const { key, sig, ...checkpoint } = parsed.data;
  const valid = verify(null, signedText(checkpoint, key), signer.publicKey, Buffer.from(sig, 'base64'));
  return { chain, checkpoint: valid ? checkpoint : null };
}

/** The checkpoint further along; of two at the same length the earlier stands (a later one cannot displace it). */
function longer(a: EvidenceCheckpoint | null, b: EvidenceCheckpoint | null): EvidenceCheckpoint | null {
  if (!a || !b) return a ?? b;
  return b.seq > a.seq || (b.seq === a.seq && b.at < a.at) ? b : a;
}
