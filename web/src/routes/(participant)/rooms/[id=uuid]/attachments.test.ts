import type { RoomEntryView } from '@hub/protocol';
import { describe, expect, it } from 'vitest';
import { ATTACHMENT_ACCEPT, attachmentErrorText, attachmentType, checkAttachment, fileOf, fileUrl, formatBytes } from './attachments.ts';

/** A room's `fileMaxBytes` (the platform's default). */
const MAX = 20 * 1024 * 1024;

describe('attachments before upload', () => {
  it('take the type from the extension, whatever its case, and refuse what rooms do not take', () => {
    expect(attachmentType('合同.PDF')).toBe('application/pdf');
    expect(attachmentType('photo.jpg')).toBe('image/jpeg');
    expect(attachmentType('报价.csv')).toBe('text/csv');
    expect(attachmentType('setup.exe')).toBeNull();
    expect(attachmentType('.pdf')).toBeNull();
    expect(attachmentType('README')).toBeNull();
    expect(ATTACHMENT_ACCEPT.split(',')).toEqual(expect.arrayContaining(['application/pdf', '.pdf', '.docx', '.jpeg']));
  });

  it('say why a file would be refused, before sending a byte', () => {
    expect(checkAttachment({ name: '方案.pdf', size: 1000 }, MAX)).toEqual({ ok: true, mime: 'application/pdf' });
    expect(checkAttachment({ name: 'setup.exe', size: 1000 }, MAX)).toEqual({ ok: false, error: expect.stringContaining('不支持该文件类型') });
    expect(checkAttachment({ name: '方案.pdf', size: 0 }, MAX)).toEqual({ ok: false, error: '文件是空的。' });
    expect(checkAttachment({ name: '方案.pdf', size: MAX + 1 }, MAX)).toEqual({ ok: false, error: `文件过大：单个文件不能超过 ${formatBytes(MAX)}。` });
    expect(checkAttachment({ name: '方案.pdf', size: MAX }, MAX)).toMatchObject({ ok: true });
    expect(checkAttachment({ name: `${'长'.repeat(200)}.pdf`, size: 10 }, MAX)).toEqual({ ok: false, error: expect.stringContaining('文件名无效') });
  });

  it('word the server’s refusals for people', () => {
    expect(attachmentErrorText({ error: 'file_type_refused', message: '', details: { fields: [{ path: 'body', message: 'file_type_refused' }] } }, MAX)).toContain('内容与其类型不符');
    expect(attachmentErrorText({ error: 'file_type_refused', message: '', details: { fields: [{ path: 'contentType', message: 'file_type_refused' }] } }, MAX)).toContain('不支持该文件类型');
    expect(attachmentErrorText({ error: 'file_too_large', message: '' }, MAX)).toMatch(/20\s?MB/);
    // The room's own limit, whatever the server is configured with.
    expect(attachmentErrorText({ error: 'file_too_large', message: '' }, 5 * 1024 * 1024)).toMatch(/5\s?MB/);
    expect(attachmentErrorText({ error: 'service_unavailable', message: 'network error' }, MAX)).toContain('不会重复上传');
    expect(attachmentErrorText({ error: 'validation_failed', message: '', details: { fields: [{ path: 'body', message: 'file_empty' }] } }, MAX)).toBe('文件是空的。');
    expect(attachmentErrorText({ error: 'room_state_conflict', message: '' }, MAX)).not.toBe('');
  });

  it('show sizes the way people read them', () => {
    // The unit's wording is the locale's (Intl); the numbers are ours.
    expect(formatBytes(97)).toMatch(/^97\s?B/);
    expect(formatBytes(1536)).toMatch(/^1\.5\s?kB/i);
    expect(formatBytes(5 * 1024 * 1024)).toMatch(/^5\s?MB/);
  });
});

describe('file entries', () => {
  const entry = (data: Record<string, unknown>) => ({ kind: 'file', data }) as unknown as RoomEntryView;

  it('read the file from the entry’s data, and link to its room’s download', () => {
    const file = { id: 'f1', name: 'a.pdf', mime: 'application/pdf', size: 3, sha256: 'ab'.repeat(32) };
    expect(fileOf(entry({ file }))).toEqual(file);
    expect(fileOf(entry({}))).toBeNull();
    expect(fileOf(entry({ file: { name: 'a.pdf' } }))).toBeNull();
    expect(fileUrl('r1', 'f1')).toBe('/api/rooms/r1/files/f1');
  });
});
