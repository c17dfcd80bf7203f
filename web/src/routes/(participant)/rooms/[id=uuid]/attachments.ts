import { API, ErrorBody, ROOM_FILE_TYPES, RoomFileUploadQuery, RoomFileView, type RoomEntryView, type RoomFileType } from '@hub/protocol';
import type { ApiResult } from '#lib/api.ts';
import { errorText } from '#lib/labels.ts';
import { m } from '#lib/paraglide/messages.js';
import { getLocale } from '#lib/paraglide/runtime.js';

/** The file picker's `accept`: every type a room takes, by MIME type and by extension. */
export const ATTACHMENT_ACCEPT = Object.entries(ROOM_FILE_TYPES)
  .flatMap(([mime, extensions]) => [mime, ...extensions.map((e) => `.${e}`)])
  .join(',');

/** The type a name's extension stands for, if rooms take it (browsers report some types unreliably, e.g. CSV on Windows). */
export function attachmentType(name: string): RoomFileType | null {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return null;
  const extension = name.slice(dot + 1).toLowerCase();
  const found = Object.entries(ROOM_FILE_TYPES).find(([, extensions]) => (extensions as readonly string[]).includes(extension));
  return found ? (found[0] as RoomFileType) : null;
}

export type AttachmentCheck = { ok: true; mime: RoomFileType } | { ok: false; error: string };

/** What the server would refuse without reading the bytes, said before uploading them (`maxBytes`: the room's `fileMaxBytes`). */
export function checkAttachment(file: { name: string; size: number }, maxBytes: number): AttachmentCheck {
  if (!RoomFileUploadQuery.shape.name.safeParse(file.name).success) return { ok: false, error: m.error_file_name() };
  const mime = attachmentType(file.name);
  if (!mime) return { ok: false, error: m.error_file_type_refused() };
  if (file.size === 0) return { ok: false, error: m.error_file_empty() };
  if (file.size > maxBytes) return { ok: false, error: m.error_file_too_large({ size: formatBytes(maxBytes) }) };
  return { ok: true, mime };
}

/** A size the way people read it: 999 B, 12.3 KB, 4.5 MB. */
export function formatBytes(bytes: number): string {
  const [value, unit] = bytes < 1024 ? [bytes, 'byte'] : bytes < 1024 * 1024 ? [bytes / 1024, 'kilobyte'] : [bytes / (1024 * 1024), 'megabyte'];
  return new Intl.NumberFormat(getLocale(), { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}

/** A short label for a file's type (PDF, 图片, Word…). */
export function attachmentKind(mime: string): string {
  if (mime === 'application/pdf') return m.room_file_kind_pdf();
  if (mime.startsWith('image/')) return m.room_file_kind_image();
  if (mime === 'text/plain') return m.room_file_kind_text();
  if (mime === 'text/csv') return m.room_file_kind_csv();
  if (mime.includes('wordprocessingml')) return m.room_file_kind_docx();
  if (mime.includes('spreadsheetml')) return m.room_file_kind_xlsx();
  if (mime.includes('presentationml')) return m.room_file_kind_pptx();
  if (mime === 'application/zip') return m.room_file_kind_zip();
  return mime;
}

/** The file a `file` entry records, if its data holds one. */
export function fileOf(entry: RoomEntryView): RoomFileView | null {
  const parsed = RoomFileView.safeParse(entry.data.file);
  return parsed.success ? parsed.data : null;
}

/** Where a room's file is downloaded (participants and staff only; the server checks). */
export function fileUrl(roomId: string, fileId: string): string {
  return API.downloadRoomFile.path.replace(':id', encodeURIComponent(roomId)).replace(':fileId', encodeURIComponent(fileId));
}

/** Why an upload was refused, in words (the room's size limit with it when the file was too large). */
export function attachmentErrorText(error: ErrorBody, maxBytes: number): string {
  const field = error.details?.fields?.[0];
  switch (error.error) {
    case 'file_too_large':
      return m.error_file_too_large({ size: formatBytes(maxBytes) });
    case 'file_type_refused':
      return field?.path === 'body' ? m.error_file_content_mismatch() : m.error_file_type_refused();
    case 'service_unavailable':
      return m.error_file_network();
    case 'validation_failed':
      if (field?.message === 'file_empty') return m.error_file_empty();
      if (field?.path === 'name') return m.error_file_name();
      return errorText(error);
    default:
      return errorText(error);
  }
}

export interface AttachmentUpload {
  roomId: string;
  file: Blob;
  name: string;
  mime: RoomFileType;
  /** The same key on a retry: if the first attempt was stored after all, the server returns it instead of a second file. */
  clientKey: string;
  replyToSeq: number | null;
}

const networkError = (): ApiResult<never> => ({ ok: false, status: 0, error: { error: 'service_unavailable', message: 'network error' } });

/**
 * Uploads one file (its bytes as the body, its type as Content-Type), reporting progress from 0 to
 * 1. XMLHttpRequest, because fetch does not report upload progress. Never rejects: a network failure
 * answers `service_unavailable` with status 0.
 */
export function uploadAttachment(upload: AttachmentUpload, onprogress: (fraction: number) => void): Promise<ApiResult<RoomEntryView>> {
  const query = new URLSearchParams({ name: upload.name, clientKey: upload.clientKey });
  if (upload.replyToSeq !== null) query.set('replyToSeq', String(upload.replyToSeq));
  const url = `${API.uploadRoomFile.path.replace(':id', encodeURIComponent(upload.roomId))}?${query}`;
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('content-type', upload.mime);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onprogress(event.loaded / event.total);
    };
    xhr.onload = () => resolve(answerOf(xhr));
    xhr.onerror = () => resolve(networkError());
    xhr.onabort = () => resolve(networkError());
    xhr.send(upload.file);
  });
}

function answerOf(xhr: XMLHttpRequest): ApiResult<RoomEntryView> {
  let json: unknown;
  try {
    json = JSON.parse(xhr.responseText);
  } catch {
    json = undefined;
  }
  if (xhr.status === 201) return { ok: true, status: xhr.status, data: json as RoomEntryView };
  const parsed = ErrorBody.safeParse(json);
  // A proxy's own refusal (a 413 or 502 page) has no error body: say what its status means.
  const fallback = xhr.status === 413 ? 'file_too_large' : xhr.status === 0 || xhr.status >= 502 ? 'service_unavailable' : 'internal_error';
  return { ok: false, status: xhr.status, error: parsed.success ? parsed.data : { error: fallback, message: xhr.statusText } };
}
