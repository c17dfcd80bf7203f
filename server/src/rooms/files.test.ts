import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RoomEntryView, RoomFileView } from '@hub/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, nextEvent, type ApiClient } from '../../test/client.ts';
import { registerApprovedMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { collect, waitFor } from '../../test/room-client.ts';
import { buildRoom, clientKey as key, openRoom, uploadRoomFile as upload, type Upload } from '../../test/room-factory.ts';
import { sweepRoomFiles } from './files.ts';

/** Small enough that a test can go over it cheaply. */
const LIMIT = 64 * 1024;

let t: TestHub;
let filesDir: string;
let moderator: Awaited<ReturnType<typeof signInStaff>>;

beforeAll(async () => {
  filesDir = await mkdtemp(path.join(tmpdir(), 'hub-room-files-'));
  t = await startTestHub({ FILES_DIR: filesDir, ROOM_FILE_MAX_BYTES: String(LIMIT) });
  moderator = await signInStaff(t.ctx.db, t.baseUrl, 'moderator');
});
afterAll(async () => {
  await t.close();
  await rm(filesDir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** A small but well-formed-looking PDF, different each time. */
const pdf = (note = randomBytes(8).toString('hex')) => Buffer.from(`%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\n% ${note}\n%%EOF\n`);

async function download(client: ApiClient, roomId: string, fileId: string) {
  const res = await fetch(`${t.baseUrl}/api/rooms/${roomId}/files/${fileId}`, { headers: client.cookie ? { cookie: client.cookie } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  const json = res.headers.get('content-type')?.includes('json') ? JSON.parse(bytes.toString()) : undefined;
  return { status: res.status, headers: res.headers, bytes, body: json };
}

/**
 * A raw HTTP upload, for what fetch will not send: chunked with no Content-Length (`chunks` of 16 KiB
 * until answered, at most `maxChunks`), or a Content-Length the body never follows (`declaredLength`,
 * headers only). Stops writing as soon as the answer arrives, as a client should; `ended` says
 * whether the client had finished its body by then.
 */
function rawUpload(client: ApiClient, roomId: string, options: { name: string; type: string; maxChunks?: number; declaredLength?: number; clientKey?: string }) {
  return new Promise<{ status: number; body: { error: string } & Record<string, unknown>; written: number; ended: boolean }>((resolve, reject) => {
    const url = new URL(`${t.baseUrl}/api/rooms/${roomId}/files?${new URLSearchParams({ name: options.name, clientKey: options.clientKey ?? key() })}`);
    const headers: Record<string, string> = { ...client.headers, cookie: client.cookie ?? '', 'content-type': options.type };
    if (options.declaredLength !== undefined) headers['content-length'] = String(options.declaredLength);
    let answered = false;
    let ended = false;
    let written = 0;
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body: JSON.parse(text), written, ended });
        req.destroy();
      });
    });
    // The server closes the connection on refusing an upload; a write after that may fail.
    req.on('error', (error) => !answered && reject(error));
    req.flushHeaders();
    if (!options.maxChunks) return;
    void (async () => {
      for (let i = 0; i < options.maxChunks! && !answered && !req.destroyed; i++) {
        const chunk = i === 0 ? pdf() : randomBytes(16 * 1024);
        written += chunk.length;
        if (!req.write(chunk)) await new Promise((r) => (req.once('drain', r), req.once('close', r)));
        await new Promise((r) => setTimeout(r, 2));
      }
      if (!answered && !req.destroyed) {
        ended = true;
        req.end();
      }
    })();
  });
}

/** Every file under FILES_DIR (temporary ones included). */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(filesDir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

/** Snapshot of what a refused upload must not change: the room's record, its files, the disk. */
async function snapshot(roomId: string) {
  const room = await t.ctx.db.negotiationRoom.findUniqueOrThrow({ where: { id: roomId } });
  return {
    lastSeq: room.lastSeq,
    lastHash: room.lastHash,
    entries: await t.ctx.db.roomEntry.count({ where: { roomId } }),
    rows: await t.ctx.db.roomFile.count({ where: { roomId } }),
    disk: await storedFiles(),
  };
}

const joinedRoom = () => openRoom(t.ctx.db, t.baseUrl);

describe('attaching a file: refusals, with nothing stored', () => {
  it('refuses outsiders (404), observing staff (403), signed-out users (401) and bad names (400)', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const outsider = await registerApprovedMember(t.ctx.db, t.baseUrl);
    const before = await snapshot(room.id);
    const bytes = pdf();
    expect(await upload(outsider.client, room.id, { name: '方案.pdf', type: 'application/pdf', bytes })).toMatchObject({ status: 404, body: { error: 'room_not_found' } });
    expect(await upload(moderator.client, room.id, { name: '方案.pdf', type: 'application/pdf', bytes })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const res = await fetch(`${t.baseUrl}/api/rooms/${room.id}/files?name=a.pdf&clientKey=${key()}`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytes });
    expect(res.status).toBe(401);
    for (const name of ['../etc/passwd.pdf', 'a/b.pdf', 'a\\b.pdf', '', '   ', 'bad\u0000.pdf', `${'长'.repeat(201)}.pdf`]) {
      const refused = await upload(supplier.client, room.id, { name, type: 'application/pdf', bytes });
      expect([name, refused.status, refused.body.error]).toEqual([name, 400, 'validation_failed']);
    }
    expect((await upload(supplier.client, room.id, { name: 'a.pdf', type: 'application/pdf', bytes, clientKey: 'x' })).body.error).toBe('validation_failed');
    expect((await upload(supplier.client, room.id, { name: 'a.pdf', type: 'application/pdf', bytes, replyToSeq: 7 })).body).toMatchObject({
      error: 'validation_failed',
      details: { fields: [{ path: 'replyToSeq', message: 'reply_not_found' }] },
    });
    expect(await snapshot(room.id)).toEqual(before);
  });

  it('refuses a type not on the list, a name that does not fit the type, and bytes that are not what the type says', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const before = await snapshot(room.id);
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), randomBytes(512)]);
    const cases: [Upload, string][] = [
      [{ name: 'setup.exe', type: 'application/x-msdownload', bytes: exe }, 'contentType'],
      [{ name: 'page.html', type: 'text/html', bytes: Buffer.from('<script>alert(1)</script>') }, 'contentType'],
      [{ name: 'no-type.pdf', bytes: pdf() }, 'contentType'],
      // The extension must fit the declared type.
      [{ name: 'setup.exe', type: 'application/pdf', bytes: pdf() }, 'name'],
      [{ name: 'report', type: 'application/pdf', bytes: pdf() }, 'name'],
      [{ name: 'photo.png', type: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) }, 'name'],
      // The bytes must be what the type says: a renamed executable, a PNG that is not one, text with NUL or broken UTF-8.
      [{ name: '技术方案.pdf', type: 'application/pdf', bytes: exe }, 'body'],
      [{ name: 'chart.png', type: 'image/png', bytes: Buffer.from('GIF89a........') }, 'body'],
      [{ name: 'photo.webp', type: 'image/webp', bytes: Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt ', 'latin1') }, 'body'],
      [{ name: 'terms.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes: exe }, 'body'],
      [{ name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('正常文字\u0000后面是二进制') }, 'body'],
      [{ name: 'data.csv', type: 'text/csv; charset=utf-8', bytes: Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xc3, 0x28]) }, 'body'],
      [{ name: 'cut.txt', type: 'text/plain', bytes: Buffer.from('中文').subarray(0, 5) }, 'body'],
    ];
    for (const [file, field] of cases) {
      const refused = await upload(supplier.client, room.id, file);
      expect([file.name, refused.status, refused.body.error, refused.body.details?.fields?.[0]?.path]).toEqual([file.name, 400, 'file_type_refused', field]);
    }
    const empty = await upload(supplier.client, room.id, { name: 'empty.pdf', type: 'application/pdf', bytes: new Uint8Array() });
    expect([empty.status, empty.body.error]).toEqual([400, 'validation_failed']);
    expect(await snapshot(room.id)).toEqual(before);
  });

  it('refuses a file over the limit with 413: streamed without a length, declared too long, or simply too big', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    // The room tells its clients the limit, so they can check before uploading.
    expect((await supplier.client.get(`/api/rooms/${room.id}`)).body.fileMaxBytes).toBe(LIMIT);
    const before = await snapshot(room.id);
    // Chunked: no Content-Length to trust; the count stops it just past the limit, without waiting for the end of the body.
    const streamed = await rawUpload(supplier.client, room.id, { name: 'big.pdf', type: 'application/pdf', maxChunks: 4096 });
    expect([streamed.status, streamed.body.error, streamed.ended]).toEqual([413, 'file_too_large', false]);
    expect(streamed.written).toBeGreaterThan(LIMIT);
    // A declared length over the limit: refused at once, before a byte of the body is sent.
    const declared = await rawUpload(supplier.client, room.id, { name: 'big.pdf', type: 'application/pdf', declaredLength: LIMIT + 1 });
    expect([declared.status, declared.body.error, declared.written]).toEqual([413, 'file_too_large', 0]);
    // And an ordinary upload one byte too big.
    const plain = await upload(supplier.client, room.id, { name: 'big.pdf', type: 'application/pdf', bytes: Buffer.concat([pdf(), randomBytes(LIMIT)]).subarray(0, LIMIT + 1) });
    expect([plain.status, plain.body.error]).toEqual([413, 'file_too_large']);
    expect(await snapshot(room.id)).toEqual(before);
    // Exactly at the limit is fine.
    const atLimit = Buffer.concat([pdf(), randomBytes(LIMIT)]).subarray(0, LIMIT);
    expect((await upload(supplier.client, room.id, { name: 'limit.pdf', type: 'application/pdf', bytes: atLimit })).status).toBe(201);
  });

  it('a client that gives up half-way leaves nothing behind', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const before = await snapshot(room.id);
    const url = new URL(`${t.baseUrl}/api/rooms/${room.id}/files?${new URLSearchParams({ name: 'half.pdf', clientKey: key() })}`);
    const req = httpRequest(url, { method: 'POST', headers: { ...supplier.client.headers, cookie: supplier.client.cookie!, 'content-type': 'application/pdf' } });
    req.on('error', () => {});
    req.write(pdf());
    req.write(randomBytes(16 * 1024));
    // Wait until the server has started writing the temporary file, then drop the connection.
    await waitFor('the upload to reach the disk', async () => (await storedFiles()).length > before.disk.length);
    req.destroy();
    await waitFor('the temporary file to go', async () => (await storedFiles()).length === before.disk.length);
    expect(await snapshot(room.id)).toEqual(before);
  });

  it('refuses a muted participant, a frozen or closed room and a blocked word in the name; nothing is stored', async () => {
    const r = await joinedRoom();
    const admin = await signInStaff(t.ctx.db, t.baseUrl, 'admin');
    const blocked = `代开发票${randomBytes(3).toString('hex')}`;
    expect((await admin.client.post('/api/admin/banned-words', { word: blocked, action: 'block', reason: '涉嫌违法交易' })).status).toBe(201);
    expect((await upload(r.supplier.client, r.room.id, { name: `${blocked}.pdf`, type: 'application/pdf', bytes: pdf() })).body.error).toBe('message_blocked');

    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/mute`, { userId: r.supplier.userId, minutes: 30, reason: '多次发布广告' })).status).toBe(200);
    let before = await snapshot(r.room.id);
    expect(await upload(r.supplier.client, r.room.id, { name: '方案.pdf', type: 'application/pdf', bytes: pdf() })).toMatchObject({ status: 403, body: { error: 'participant_muted' } });
    expect(await snapshot(r.room.id)).toEqual(before);

    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/freeze`, { frozen: true, reason: '存在争议' })).status).toBe(200);
    before = await snapshot(r.room.id);
    expect(await upload(r.demander.client, r.room.id, { name: '方案.pdf', type: 'application/pdf', bytes: pdf() })).toMatchObject({ status: 409, body: { error: 'room_state_conflict' } });
    expect(await snapshot(r.room.id)).toEqual(before);

    expect((await moderator.client.post(`/api/staff/rooms/${r.room.id}/freeze`, { frozen: false, reason: '争议已解决' })).status).toBe(200);
    expect((await r.demander.client.post(`/api/rooms/${r.room.id}/stage`, { stage: 'closed' })).status).toBe(200);
    before = await snapshot(r.room.id);
    expect(await upload(r.demander.client, r.room.id, { name: '方案.pdf', type: 'application/pdf', bytes: pdf() })).toMatchObject({ status: 409, body: { error: 'room_state_conflict' } });
    expect(await snapshot(r.room.id)).toEqual(before);
    r.close();
  });
});

describe('attaching a file', () => {
  it('stores it under its sha256, the other party sees the entry live, and downloads exactly the same bytes', async () => {
    const r = await joinedRoom();
    const staffSocket = moderator.client.socket();
    await connected(staffSocket);
    const listed = nextEvent(staffSocket, 'room:activity');
    const seen = nextEvent(r.b, 'room:entry');
    const bytes = pdf('专利许可合同草案');
    const name = '专利许可合同（草案） v2.pdf';
    const res = await upload(r.supplier.client, r.room.id, { name, type: 'application/pdf', bytes });
    expect(res.status).toBe(201);
    const entry = res.body as RoomEntryView;
    const file = entry.data.file as RoomFileView;
    expect(entry).toMatchObject({ seq: 1, kind: 'file', author: { id: r.supplier.userId }, body: '', replyToSeq: null, hidden: null });
    expect(file).toEqual({ id: expect.any(String), name, mime: 'application/pdf', size: bytes.length, sha256: sha256(bytes) });
    expect(await seen).toEqual(entry);
    expect(await listed).toMatchObject({ roomId: r.room.id, lastSeq: 1, kind: 'file', authorId: r.supplier.userId });
    staffSocket.close();

    const row = await t.ctx.db.roomFile.findUniqueOrThrow({ where: { id: file.id } });
    expect(row).toMatchObject({ roomId: r.room.id, uploaderId: r.supplier.userId, name, mime: 'application/pdf', size: bytes.length, sha256: sha256(bytes), seq: 1 });
    expect(await storedFiles()).toContain(path.join(filesDir, file.sha256.slice(0, 2), file.sha256));
    expect((await storedFiles()).filter((f) => f.startsWith(path.join(filesDir, 'tmp')))).toEqual([]);

    const got = await download(r.demander.client, r.room.id, file.id);
    expect(got.status).toBe(200);
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(Object.fromEntries(['content-type', 'content-length', 'content-disposition', 'x-content-type-options', 'content-security-policy', 'cache-control'].map((h) => [h, got.headers.get(h)]))).toEqual({
      'content-type': 'application/pdf',
      'content-length': String(bytes.length),
      'content-disposition': `attachment; filename="${'_'.repeat(10)} v2.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
      'cache-control': 'private, no-store',
    });
    expect((await download(r.supplier.client, r.room.id, file.id)).bytes.equals(bytes)).toBe(true);
    // Observing staff may read it; to anyone else the room does not exist.
    expect((await download(moderator.client, r.room.id, file.id)).bytes.equals(bytes)).toBe(true);
    const outsider = await registerApprovedMember(t.ctx.db, t.baseUrl);
    expect(await download(outsider.client, r.room.id, file.id)).toMatchObject({ status: 404, body: { error: 'room_not_found' } });
    // A file is reached only through its own room.
    const other = await buildRoom(t.ctx.db, t.baseUrl);
    await t.ctx.db.negotiationRoom.update({ where: { id: other.room.id }, data: { supplyOrganizationId: r.supplier.organizationId } });
    expect(await download(r.supplier.client, other.room.id, file.id)).toMatchObject({ status: 404, body: { error: 'file_not_found' } });
    expect(await download(r.supplier.client, r.room.id, '00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404, body: { error: 'file_not_found' } });
    r.close();
  });

  it('accepts each listed type by its content, replies to an entry, and keeps one copy of the same content', async () => {
    const r = await joinedRoom();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);
    const files: Upload[] = [
      { name: '示意图.PNG', type: 'image/png', bytes: png },
      { name: 'photo.jpeg', type: 'image/jpeg', bytes: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(64)]) },
      { name: 'photo.webp', type: 'image/webp', bytes: Buffer.concat([Buffer.from('RIFF\x40\x00\x00\x00WEBPVP8 ', 'latin1'), randomBytes(64)]) },
      { name: '纪要.txt', type: 'text/plain; charset=utf-8', bytes: Buffer.from('\ufeff会议纪要：双方就许可范围达成初步共识。\r\n') },
      { name: '报价.csv', type: 'text/csv', bytes: Buffer.from('项目,金额\n技术许可费,1200000\n') },
      { name: '合同.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', bytes: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(64)]) },
      { name: '数据.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(64)]) },
      { name: '路演.pptx', type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', bytes: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(64)]) },
      { name: '附件.zip', type: 'application/zip', bytes: Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), randomBytes(64)]) },
    ];
    for (const file of files) {
      const res = await upload(r.supplier.client, r.room.id, file);
      expect([file.name, res.status, res.body.data?.file?.sha256]).toEqual([file.name, 201, sha256(file.bytes)]);
    }
    const text = (await t.ctx.db.roomFile.findFirstOrThrow({ where: { roomId: r.room.id, name: '纪要.txt' } }));
    expect(text.mime).toBe('text/plain');
    const got = await download(r.demander.client, r.room.id, text.id);
    expect(got.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    // The same bytes again, under another name and as a reply: a second row and entry, one copy on disk.
    const again = await upload(r.demander.client, r.room.id, { name: 'copy.png', type: 'image/png', bytes: png, replyToSeq: 1 });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ kind: 'file', replyToSeq: 1, author: { id: r.demander.userId }, data: { file: { name: 'copy.png', sha256: sha256(png) } } });
    expect(await t.ctx.db.roomFile.count({ where: { sha256: sha256(png) } })).toBe(2);
    expect((await storedFiles()).filter((f) => f.endsWith(sha256(png)))).toHaveLength(1);
    r.close();
  });

  it('a resend with the same client key returns the first entry (one row, one broadcast); another file under that key is 409', async () => {
    const r = await joinedRoom();
    const live = collect(r.b, 'room:entry');
    const clientKey = key();
    const bytes = pdf();
    const first = await upload(r.supplier.client, r.room.id, { name: '方案.pdf', type: 'application/pdf', bytes, clientKey });
    expect(first.status).toBe(201);
    const again = await upload(r.supplier.client, r.room.id, { name: '方案.pdf', type: 'application/pdf', bytes, clientKey });
    expect(again).toEqual(first);
    const before = await snapshot(r.room.id);
    const longer = await upload(r.supplier.client, r.room.id, { name: '方案.pdf', type: 'application/pdf', bytes: pdf('第二版，更长'), clientKey });
    expect([longer.status, longer.body.error]).toEqual([409, 'idempotency_conflict']);
    const renamed = await upload(r.supplier.client, r.room.id, { name: '方案-改.pdf', type: 'application/pdf', bytes, clientKey });
    expect([renamed.status, renamed.body.error]).toEqual([409, 'idempotency_conflict']);
    expect(await snapshot(r.room.id)).toEqual(before);
    expect(await t.ctx.db.roomFile.count({ where: { roomId: r.room.id } })).toBe(1);
    // A message after the resends: once it is seen, every broadcast before it has been too.
    const fence = await r.a.emitWithAck('room:send', { roomId: r.room.id, clientKey: key(), body: '请查收方案' });
    expect(fence).toMatchObject({ ok: true, data: { seq: 2 } });
    await waitFor('the message after the file', () => live.some((e) => e.seq === 2));
    expect(live.map((e) => [e.seq, e.kind])).toEqual([[1, 'file'], [2, 'message']]);
    r.close();
  });

  it('a resend with a used client key is answered before its body is sent: the first entry, or 409 for another name or length', async () => {
    const r = await joinedRoom();
    const clientKey = key();
    const bytes = pdf();
    const first = await upload(r.supplier.client, r.room.id, { name: '报价.pdf', type: 'application/pdf', bytes, clientKey });
    expect(first.status).toBe(201);
    const before = await snapshot(r.room.id);
    // Headers only: a server that read the body first would wait here for bytes that never come.
    const headersOnly = (name: string, declaredLength: number) =>
      Promise.race([
        rawUpload(r.supplier.client, r.room.id, { name, type: 'application/pdf', declaredLength, clientKey }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer before the body')), 5000)),
      ]);
    const again = await headersOnly('报价.pdf', bytes.length);
    expect([again.status, again.body, again.written]).toEqual([201, first.body, 0]);
    for (const [name, length] of [['报价-改.pdf', bytes.length], ['报价.pdf', bytes.length + 1]] as const) {
      const refused = await headersOnly(name, length);
      expect([refused.status, refused.body.error, refused.written]).toEqual([409, 'idempotency_conflict', 0]);
    }
    expect(await snapshot(r.room.id)).toEqual(before);
    r.close();
  });

  it('the evidence export verifies and carries the file’s sha256 in the hash chain; the printable page shows it', async () => {
    const r = await joinedRoom();
    await r.a.emitWithAck('room:send', { roomId: r.room.id, clientKey: key(), body: '请看附件' });
    const bytes = pdf();
    const name = '<img src=x onerror=alert(1)>.pdf';
    const res = await upload(r.supplier.client, r.room.id, { name, type: 'application/pdf', bytes, replyToSeq: 1 });
    expect(res.status).toBe(201);
    const evidence = await r.demander.client.get(`/api/rooms/${r.room.id}/evidence`);
    expect(evidence.body.verification).toMatchObject({ ok: true, checked: 2, firstBroken: null });
    expect(evidence.body.entries[1]).toMatchObject({ seq: 2, kind: 'file', replyToSeq: 1, data: { file: { name, sha256: sha256(bytes), size: bytes.length } } });
    // The sha256 is in the entry's data, which its hash covers.
    const stored = await t.ctx.db.roomEntry.findUniqueOrThrow({ where: { roomId_seq: { roomId: r.room.id, seq: 2 } } });
    expect(stored.hash).toBe(res.body.hash);
    const html = await r.demander.client.get(`/api/rooms/${r.room.id}/evidence?format=html`);
    expect(html.status).toBe(200);
    expect(html.text).toContain(sha256(bytes));
    expect(html.text).toContain('&lt;img src=x onerror=alert(1)&gt;.pdf');
    expect(html.text).not.toContain('<img src=x');
    expect(html.text).toContain(`${bytes.length} 字节`);
    r.close();
  });

  it('a file staff hid is gone for the parties (entry hidden, download 404) and still there for staff', async () => {
    const r = await joinedRoom();
    const bytes = pdf();
    const res = await upload(r.supplier.client, r.room.id, { name: '联系方式.pdf', type: 'application/pdf', bytes });
    const fileId = (res.body.data.file as RoomFileView).id;
    const hiddenLive = nextEvent(r.b, 'room:entry-hidden');
    const hid = await moderator.client.post(`/api/staff/rooms/${r.room.id}/entries/1/hide`, { reason: '含站外联系方式' });
    expect(hid.status, JSON.stringify(hid.body)).toBe(200);
    expect(hid.body).toMatchObject({ seq: 1, kind: 'file', hidden: { reason: '含站外联系方式' } });
    expect(await hiddenLive).toMatchObject({ roomId: r.room.id, seq: 1 });
    const partyView = await r.demander.client.get(`/api/rooms/${r.room.id}/entries`);
    expect(partyView.body.entries[0]).toMatchObject({ seq: 1, kind: 'file', hidden: { reason: '含站外联系方式' } });
    for (const party of [r.demander, r.supplier]) {
      expect(await download(party.client, r.room.id, fileId)).toMatchObject({ status: 404, body: { error: 'file_not_found' } });
    }
    expect((await download(moderator.client, r.room.id, fileId)).bytes.equals(bytes)).toBe(true);
    // Hiding leaves the record intact.
    expect((await moderator.client.get(`/api/rooms/${r.room.id}/evidence`)).body.verification.ok).toBe(true);
    r.close();
  });
});

describe('the leftovers sweep', () => {
  it('removes old temporary uploads and old files no row names; keeps recorded files and anything recent', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    const kept = (await upload(supplier.client, room.id, { name: '保留.pdf', type: 'application/pdf', bytes: pdf() })).body as RoomEntryView;
    const keptPath = path.join(filesDir, (kept.data.file as RoomFileView).sha256.slice(0, 2), (kept.data.file as RoomFileView).sha256);
    const leftover = async (where: string, ageMs: number) => {
      await mkdir(path.dirname(where), { recursive: true });
      await writeFile(where, randomBytes(32));
      const then = new Date(Date.now() - ageMs);
      await utimes(where, then, then);
      return where;
    };
    const HOUR = 60 * 60_000;
    const orphanSha = sha256(randomBytes(16));
    const oldOrphan = await leftover(path.join(filesDir, orphanSha.slice(0, 2), orphanSha), 2 * HOUR);
    const oldTmp = await leftover(path.join(filesDir, 'tmp', randomBytes(8).toString('hex')), 2 * HOUR);
    const freshSha = sha256(randomBytes(16));
    const freshOrphan = await leftover(path.join(filesDir, freshSha.slice(0, 2), freshSha), 60_000);
    const freshTmp = await leftover(path.join(filesDir, 'tmp', randomBytes(8).toString('hex')), 60_000);
    // The recorded file is old too: its row keeps it.
    const then = new Date(Date.now() - 2 * HOUR);
    await utimes(keptPath, then, then);

    expect(await sweepRoomFiles(t.ctx.db, filesDir, HOUR)).toBe(2);
    const left = await storedFiles();
    expect(left).not.toContain(oldOrphan);
    expect(left).not.toContain(oldTmp);
    expect(left).toEqual(expect.arrayContaining([keptPath, freshOrphan, freshTmp]));
    expect((await download(supplier.client, room.id, (kept.data.file as RoomFileView).id)).status).toBe(200);
    await rm(freshOrphan);
    await rm(freshTmp);
  });
});
