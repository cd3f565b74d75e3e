/**
 * What redox-upload takes from a message: the file's bytes (a Buffer, or a string of strict
 * base64, as a file-in node set to "a single Buffer object" or a base64 node gives them), its
 * name and its type. Checked before anything is sent; the bytes never go into an error.
 */
import path from 'node:path';
import type { UploadFile } from '../connection';
import { RedoxError } from '../shared/errors';
import { typeName } from '../shared/values';

/** Redox takes files up to 30 MB through its upload. */
export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;
const MB = 1024 * 1024;

/**
 * Base64 with its padding (line breaks are taken out first: MIME wraps at 76), nothing else, no
 * data: URL. Checked without a pattern over the whole text, which overflows the stack at 40 MB.
 */
function isStrictBase64(text: string): boolean {
  if (text.length === 0 || text.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(text)) return false;
  const padding = text.indexOf('=');
  return padding === -1 || (padding >= text.length - 2 && /^={1,2}$/.test(text.slice(padding)));
}

export function uploadFileFrom(msg: { payload?: unknown; filename?: unknown; contentType?: unknown }): UploadFile {
  const bytes = bytesOf(msg.payload);
  if (bytes.length > MAX_UPLOAD_BYTES) throw tooLarge(bytes.length);
  const named = typeof msg.filename === 'string' ? path.basename(msg.filename.trim()) : '';
  const type = typeof msg.contentType === 'string' && /^[\w.+-]+\/[\w.+-]+/.test(msg.contentType.trim()) ? msg.contentType.trim() : '';
  return { bytes, filename: named || 'file', contentType: type || 'application/octet-stream' };
}

function bytesOf(payload: unknown): Buffer {
  if (Buffer.isBuffer(payload) && payload.length > 0) return payload;
  if (typeof payload !== 'string') {
    throw new RedoxError('fileNotBuffer', { type: Buffer.isBuffer(payload) ? 'empty buffer' : typeName(payload) });
  }
  // checked before decoding: Buffer.from(text, 'base64') would quietly skip what is not base64
  const text = payload.replace(/\r?\n/g, '');
  if (!isStrictBase64(text)) throw new RedoxError('fileNotBuffer', { type: 'string that is not base64' });
  const size = (text.length / 4) * 3 - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
  if (size > MAX_UPLOAD_BYTES) throw tooLarge(size); // said before a decode that would only be thrown away
  return Buffer.from(text, 'base64');
}

function tooLarge(bytes: number): RedoxError {
  return new RedoxError('fileTooLarge', { size: Math.round((bytes / MB) * 10) / 10, limit: MAX_UPLOAD_BYTES / MB });
}
