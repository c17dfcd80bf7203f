import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db, NegotiationRoom, RoomEntry, RoomFile } from '@hub/db';
import type { Config, Logger } from '@hub/platform';
import { ALL_STAFF_ROOMS, ROOM_FILE_TYPES, type Broadcaster, type RoomEntryView, type RoomFileType, type RoomFileUploadQuery, type RoomFileView } from '@hub/protocol';
import { canonicalJson } from '@hub/protocol/evidence-hash';
import type { Response } from 'express';
import type { Actor } from '../auth/actor.ts';
import { AppError, isUniqueViolation } from '../http/errors.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import type { RoomGate } from './moderation.ts';
import { appendRoomEntry } from './record.ts';
import type { RoomService } from './service.ts';

/** An upload as it arrives: the declared type and length (headers) and the unread body. */
export interface UploadBody {
  contentType: string | undefined;
  contentLength: string | undefined;
  stream: Readable;
}

/** A stored file ready to be sent: its row and where its bytes lie. */
export interface StoredFile {
  file: RoomFile;
  path: string;
  size: number;
}

/** Enough leading bytes for every signature checked below (RIFF….WEBP is the longest: 12). */
const HEAD_BYTES = 16;
const TEXT_TYPES = new Set<string>(['text/plain', 'text/csv']);
const ZIP = Buffer.from('PK\x03\x04', 'latin1');
const SIGNATURES: Record<RoomFileType, (head: Buffer) => boolean> = {
  'application/pdf': (h) => h.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/png': (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (h) => h.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])),
  'image/webp': (h) => h.subarray(0, 4).toString('latin1') === 'RIFF' && h.subarray(8, 12).toString('latin1') === 'WEBP',
  // Text has no signature: it is checked as a whole (valid UTF-8, no NUL) while it streams.
  'text/plain': () => true,
  'text/csv': () => true,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': (h) => h.subarray(0, 4).equals(ZIP),
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': (h) => h.subarray(0, 4).equals(ZIP),
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': (h) => h.subarray(0, 4).equals(ZIP),
  'application/zip': (h) => h.subarray(0, 4).equals(ZIP),
};

const roomNotFound = () => new AppError('room_not_found', 'No such negotiation room.');
const fileNotFound = () => new AppError('file_not_found', 'No such file in this room.');
const typeRefused = (why: string, field: string) =>
  new AppError('file_type_refused', why, { fields: [{ path: field, message: 'file_type_refused' }] });
const tooLarge = (maxBytes: number) => new AppError('file_too_large', `Files in a room may be at most ${maxBytes} bytes.`);
const closedError = () => new AppError('room_state_conflict', 'This negotiation is closed; the record can be read and exported, not added to.');
const keyReused = () => new AppError('idempotency_conflict', 'This client key was already used for a different message or file.');

/** The media type without parameters (`text/plain; charset=utf-8` → `text/plain`), if it is one rooms accept. */
function acceptedType(contentType: string | undefined): RoomFileType | null {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return Object.hasOwn(ROOM_FILE_TYPES, mime) ? (mime as RoomFileType) : null;
}

function extensionFits(name: string, mime: RoomFileType): boolean {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  return (ROOM_FILE_TYPES[mime] as readonly string[]).includes(extension);
}

/** `Content-Disposition` for a download: the exact name for browsers that read RFC 5987, an ASCII stand-in for the rest. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Counts, hashes and inspects the bytes on their way to disk, and fails the moment there are more
 * than allowed (a Content-Length is a claim, not a limit). Text is decoded as it passes, so a NUL or
 * a broken UTF-8 sequence anywhere is caught without holding the file in memory.
 */
class Inspector extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  head = Buffer.alloc(0);
  textOk = true;
  private readonly utf8: TextDecoder | null;

  constructor(
    private readonly maxBytes: number,
    text: boolean,
  ) {
    super();
    this.utf8 = text ? new TextDecoder('utf-8', { fatal: true }) : null;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return done(tooLarge(this.maxBytes));
    this.hash.update(chunk);
    if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    this.checkText(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.checkText(null);
    done();
  }

  /** One step of the text check (null: the end, where a sequence cut short shows); a NUL or a decoding error refuses the text. */
  private checkText(chunk: Buffer | null): void {
    if (!this.utf8 || !this.textOk) return;
    try {
      if (chunk === null) this.utf8.decode();
      else if (chunk.includes(0)) this.textOk = false;
      else this.utf8.decode(chunk, { stream: true });
    } catch {
      this.textOk = false;
    }
  }
}

/** What the bytes turned out to be once they are on disk (in the temporary file). */
interface Received {
  tmp: string;
  size: number;
  sha256: string;
  head: Buffer;
  textOk: boolean;
}

/**
 * Files attached to negotiation rooms (对接洽谈附件). Everything that can be checked without the bytes
 * is checked first and refuses before one byte is read; the bytes then stream to a temporary file
 * (hashed, counted, stopped at the limit), their first bytes must match the declared type, and only
 * then the file lands under its sha256 and is recorded: its row and its `file` entry (whose data holds
 * the sha256, so the room's hash chain covers the content) in one transaction. A refusal leaves nothing
 * behind: no row, no entry, no file.
 */
export class RoomFileService {
  private readonly dir: string;
  readonly maxBytes: number;

  constructor(
    private readonly db: Db,
    private readonly rooms: RoomService,
    private readonly gate: RoomGate,
    private readonly limits: RateLimits,
    private readonly broadcast: Broadcaster,
    config: Pick<Config, 'FILES_DIR' | 'DATA_DIR' | 'ROOM_FILE_MAX_BYTES'>,
    private readonly log: Logger,
  ) {
    this.dir = filesDirOf(config);
    this.maxBytes = config.ROOM_FILE_MAX_BYTES;
  }

  /**
   * Stores a writer's file and announces its entry. A resend with the same client key returns the
   * first entry (no second file, no second broadcast) without reading its body; the same key for
   * another file is refused (409).
   */
  async upload(actor: Actor, roomId: string, query: RoomFileUploadQuery, body: UploadBody): Promise<RoomEntryView> {
    const { room } = await this.rooms.writer(actor, roomId);
    const mime = this.checkDeclared(query.name, body);
    const earlier = await this.byClientKey(room.id, actor.userId, query.clientKey);
    if (earlier) return this.resent(earlier, mime, query, body.contentLength);
    const { flagged } = await this.checkRoom(actor, room, query);
    const received = await this.receive(body.stream, mime);
    try {
      this.checkContent(mime, received);
      const requestHash = requestHashOf(query, mime, received.sha256);
      const entry = await this.record(actor, room, query, { mime, received, requestHash, flagged });
      if ('resent' in entry) return entry.resent;
      return await this.announce(room, entry.created, flagged);
    } finally {
      await rm(received.tmp, { force: true });
    }
  }

  /**
   * A file as the actor may download it: parties, brokers, joined and observing staff of its room; a
   * file whose entry staff hid is gone for everyone but staff.
   */
  async open(actor: Actor, roomId: string, fileId: string): Promise<StoredFile> {
    const { room } = await this.rooms.access(actor, roomId);
    const file = await this.db.roomFile.findFirst({ where: { id: fileId, roomId: room.id, seq: { not: null } } });
    if (!file) throw fileNotFound();
    const hidden = await this.db.roomEntryHide.count({ where: { roomId: room.id, seq: file.seq! } });
    if (hidden && !actor.staffRole) throw fileNotFound();
    const where = this.pathOf(file.sha256);
    const size = await stat(where).then(
      (s) => s.size,
      () => -1,
    );
    // The row outlived its bytes (a disk restored without them): say so loudly, answer as missing.
    if (size !== file.size) {
      this.log.error({ roomId, fileId, expected: file.size, found: size }, 'room file missing or damaged on disk');
      throw fileNotFound();
    }
    return { file, path: where, size };
  }

  /** Sends the file's bytes; headers make the browser save it, never render it on our origin. */
  async send(stored: StoredFile, res: Response): Promise<void> {
    const { file } = stored;
    res.statusCode = 200;
    // Text was checked to be UTF-8 on the way in: say so, rather than let a viewer guess.
    res.setHeader('Content-Type', TEXT_TYPES.has(file.mime) ? `${file.mime}; charset=utf-8` : file.mime);
    res.setHeader('Content-Length', String(stored.size));
    res.setHeader('Content-Disposition', contentDisposition(file.name));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', 'sandbox');
    res.setHeader('Cache-Control', 'private, no-store');
    try {
      await pipeline(createReadStream(stored.path), res);
    } catch (error) {
      // Headers are out: nothing to answer with; the cut connection tells the client.
      this.log.warn({ err: error, roomId: file.roomId, fileId: file.id }, 'room file download interrupted');
      res.destroy();
    }
  }

  // ── Before the bytes ───────────────────────────────────────────────────────────

  /** The declared type is one rooms accept, the name's extension fits it, and the declared length is within the limit. */
  private checkDeclared(name: string, body: UploadBody): RoomFileType {
    const mime = acceptedType(body.contentType);
    if (!mime) throw typeRefused('Rooms accept PDF, images (PNG, JPEG, WebP), text and CSV, Office documents and ZIP archives.', 'contentType');
    if (!extensionFits(name, mime)) throw typeRefused(`The file name must end in .${ROOM_FILE_TYPES[mime].join(' or .')} for ${mime}.`, 'name');
    if (body.contentLength !== undefined) {
      const declared = Number(body.contentLength);
      if (declared > this.maxBytes) throw tooLarge(this.maxBytes);
      if (declared === 0) throw emptyFile();
    }
    return mime;
  }

  /** The room takes additions from this actor now: open, not frozen, not muted, no blocked word in the name, within the rate. */
  private async checkRoom(actor: Actor, room: NegotiationRoom, query: RoomFileUploadQuery) {
    if (room.stage === 'closed') throw closedError();
    if (query.replyToSeq !== undefined && query.replyToSeq > room.lastSeq) {
      throw new AppError('validation_failed', 'The entry replied to does not exist in this room.', { fields: [{ path: 'replyToSeq', message: 'reply_not_found' }] });
    }
    const screened = await this.gate.screen(actor, room, query.name);
    await this.limits.beforeMessage(actor.userId, room.id);
    return screened;
  }

  // ── The bytes ──────────────────────────────────────────────────────────────────

  /** Streams the body into a temporary file beside the store (so the final move is a rename); removes it on failure. */
  private async receive(stream: Readable, mime: RoomFileType): Promise<Received> {
    const tmpDir = path.join(this.dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, randomUUID());
    const inspector = new Inspector(this.maxBytes, TEXT_TYPES.has(mime));
    try {
      await pipeline(feed(stream, inspector), createWriteStream(tmp, { flags: 'wx' }));
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    const received = { tmp, size: inspector.size, sha256: inspector.hash.digest('hex'), head: inspector.head, textOk: inspector.textOk };
    if (received.size === 0) {
      await rm(tmp, { force: true });
      throw emptyFile();
    }
    return received;
  }

  /** The first bytes are what the declared type says (a renamed executable is refused whatever it is called). */
  private checkContent(mime: RoomFileType, received: Received): void {
    const fits = TEXT_TYPES.has(mime) ? received.textOk : SIGNATURES[mime](received.head);
    if (!fits) throw typeRefused(`The file's content is not ${mime}.`, 'body');
  }

  /** Where a file's bytes live: under its sha256, so the same content is kept once however often it is attached. */
  private pathOf(sha256: string): string {
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  private async place(received: Received): Promise<void> {
    const target = this.pathOf(received.sha256);
    await mkdir(path.dirname(target), { recursive: true });
    const present = await stat(target).then(
      (s) => s.size === received.size,
      () => false,
    );
    if (!present) await rename(received.tmp, target);
  }

  // ── The record ─────────────────────────────────────────────────────────────────

  /** Moves the bytes into place, then writes the file row and its entry together. */
  private async record(
    actor: Actor,
    room: NegotiationRoom,
    query: RoomFileUploadQuery,
    upload: { mime: RoomFileType; received: Received; requestHash: string; flagged: string[] },
  ): Promise<{ created: RoomEntry } | { resent: RoomEntryView }> {
    const { mime, received, requestHash, flagged } = upload;
    const file: RoomFileView = { id: randomUUID(), name: query.name, mime, size: received.size, sha256: received.sha256 };
    await this.place(received);
    try {
      const created = await this.db.$transaction(async (tx) => {
        const entry = await appendRoomEntry(tx, room.id, {
          kind: 'file',
          authorId: actor.userId,
          body: '',
          replyToSeq: query.replyToSeq,
          data: { file },
          flagged,
          clientKey: query.clientKey,
          requestHash,
        });
        if (!entry) throw roomNotFound();
        await tx.roomFile.create({ data: { ...file, roomId: room.id, uploaderId: actor.userId, seq: entry.seq } });
        return entry;
      });
      this.log.info({ roomId: room.id, fileId: file.id, seq: created.seq, size: file.size, mime, userId: actor.userId }, 'room file stored');
      return { created };
    } catch (error) {
      // The same key sent twice at once: the other attempt stored it first (its bytes are the same file on disk).
      if (isUniqueViolation(error, 'clientKey')) {
        const stored = await this.byClientKey(room.id, actor.userId, query.clientKey);
        if (stored) return { resent: await this.compare(stored, requestHash) };
      }
      throw error;
    }
  }

  private async announce(room: NegotiationRoom, entry: RoomEntry, flagged: string[]): Promise<RoomEntryView> {
    const view = await this.rooms.announce(room, entry);
    if (flagged.length) {
      this.log.warn({ roomId: room.id, seq: entry.seq, words: flagged }, 'room file name flagged');
      this.broadcast.to(ALL_STAFF_ROOMS, 'console:room-flagged', { roomId: room.id, seq: entry.seq, words: flagged, title: room.title });
    }
    return view;
  }

  private byClientKey(roomId: string, authorId: string, clientKey: string) {
    return this.db.roomEntry.findUnique({ where: { roomId_authorId_clientKey: { roomId, authorId, clientKey } } });
  }

  /**
   * A resend, answered from what it declares before one byte of its body is read: reading a whole file
   * again only to compare it would let a client keep the server streaming at no cost to itself. The
   * same name, type, reply and (when declared) length as the stored file get its entry; anything else
   * under this key is refused (409), as `room:send` treats a used key.
   */
  private async resent(earlier: RoomEntry, mime: RoomFileType, query: RoomFileUploadQuery, contentLength: string | undefined): Promise<RoomEntryView> {
    const file = await this.db.roomFile.findFirst({ where: { roomId: earlier.roomId, seq: earlier.seq } });
    const same =
      file?.name === query.name &&
      file.mime === mime &&
      earlier.replyToSeq === (query.replyToSeq ?? null) &&
      (contentLength === undefined || Number(contentLength) === file.size);
    if (!same) throw keyReused();
    return this.present(earlier);
  }

  private async compare(earlier: RoomEntry, requestHash: string): Promise<RoomEntryView> {
    if (earlier.requestHash !== requestHash) throw keyReused();
    return this.present(earlier);
  }

  private async present(entry: RoomEntry): Promise<RoomEntryView> {
    return (await this.rooms.presentEntries(entry.roomId, [entry], { staff: false }))[0]!;
  }
}

/** Where room files live: FILES_DIR, or DATA_DIR/files. */
export const filesDirOf = (config: Pick<Config, 'FILES_DIR' | 'DATA_DIR'>) => path.resolve(config.FILES_DIR ?? path.join(config.DATA_DIR, 'files'));

/** How old an unrecorded file must be before the sweep removes it: far longer than any upload takes. */
export const FILE_SWEEP_AGE_MS = 60 * 60_000;

const isOlder = async (file: string, cutoff: number) => ((await stat(file).catch(() => null))?.mtimeMs ?? Infinity) < cutoff;

/**
 * Removes what a crash or a failed write left on disk: temporary uploads, and stored files no
 * `RoomFile` row names (the bytes are placed just before their row is written). Only files older
 * than `olderThanMs`, so an upload in flight is never touched. Returns how many it removed.
 */
export async function sweepRoomFiles(db: Db, dir: string, olderThanMs = FILE_SWEEP_AGE_MS): Promise<number> {
  const cutoff = Date.now() - olderThanMs;
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile());
  const candidates: { file: string; sha256: string | null }[] = [];
  for (const entry of files) {
    const file = path.join(entry.parentPath, entry.name);
    if (!(await isOlder(file, cutoff))) continue;
    candidates.push({ file, sha256: path.basename(entry.parentPath) === 'tmp' ? null : entry.name });
  }
  const named = candidates.flatMap((c) => (c.sha256 ? [c.sha256] : []));
  const kept = new Set((await db.roomFile.findMany({ where: { sha256: { in: named } }, select: { sha256: true } })).map((r) => r.sha256));
  const orphans = candidates.filter((c) => !c.sha256 || !kept.has(c.sha256));
  await Promise.all(orphans.map((c) => rm(c.file, { force: true })));
  return orphans.length;
}

/**
 * Pipes the request body into the inspector without tying their fates: a refusal must not destroy the
 * request (that would take the socket, and the 413 with it). A body cut off by the client fails the upload.
 */
function feed(body: Readable, inspector: Inspector): Inspector {
  const cutOff = () => {
    if (!body.readableEnded) inspector.destroy(new AppError('validation_failed', 'The upload was cut off before its end.'));
  };
  body.on('close', cutOff);
  body.on('error', cutOff);
  inspector.on('error', () => body.unpipe(inspector));
  inspector.on('close', () => body.off('close', cutOff));
  return body.pipe(inspector);
}

const emptyFile = () => new AppError('validation_failed', 'The file is empty.', { fields: [{ path: 'body', message: 'file_empty' }] });

/** What a resend must repeat to count as the same upload: the name, type, content and what it replies to. */
function requestHashOf(query: RoomFileUploadQuery, mime: string, sha256: string): string {
  return createHash('sha256').update(canonicalJson({ name: query.name, mime, sha256, replyToSeq: query.replyToSeq ?? null })).digest('hex');
}
