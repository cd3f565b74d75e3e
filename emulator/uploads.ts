/**
 * Redox's file upload (../shared/redox-api.md section 3): POST /upload, multipart/form-data with
 * a `file` part, answered 201 `{"URI": "<base URL>/upload/<id>"}`; 413 above 30 MB. The emulator
 * remembers the last uploads (their size and type, never their bytes) and which Media message
 * later referenced each; an unknown URI is not refused, since what Redox does there is not
 * documented.
 */
import { createHash, randomUUID } from 'node:crypto';
import type http from 'node:http';
import busboy from 'busboy';
import { isObject, remember, reply, replyJson, TEXT_TYPE } from './http-helpers';

/** Redox takes files up to 30 MB through its upload. */
export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024;
const MAX_REMEMBERED = 1000;

export interface Upload {
  id: string;
  uri: string;
  filename: string;
  contentType: string;
  bytes: number;
  /** SHA-256 of the bytes, hex: what arrived can be compared with what was sent. */
  sha256: string;
  /** The Redox-Source-Id header it came with, if any. */
  sourceId?: string;
  receivedAt: string;
  /** The data requests that named its URI: "<DataModel> <EventType>" and the message's position in the log. */
  referencedBy: string[];
}

export class EmulatorUploads {
  readonly list: Upload[] = [];

  /** Reads the multipart body and answers; the caller has checked the token. */
  receive(req: http.IncomingMessage, res: http.ServerResponse, baseUrl: string): void {
    let parser: busboy.Busboy;
    try {
      // one byte over the limit tells a file of exactly 30 MB from a larger one
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_UPLOAD_BYTES + 1, files: 1, fields: 20 } });
    } catch {
      req.resume();
      return reply(res, 400, 'Bad Request: multipart/form-data with a "file" part expected', TEXT_TYPE);
    }
    let upload: Upload | undefined;
    let tooLarge = false;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file') {
        stream.resume();
        return;
      }
      const id = randomUUID();
      const sourceId = req.headers['redox-source-id'];
      upload = {
        id,
        uri: `${baseUrl}/upload/${id}`,
        filename: info.filename ?? '',
        contentType: info.mimeType,
        bytes: 0,
        sha256: '',
        ...(typeof sourceId === 'string' ? { sourceId } : {}),
        receivedAt: new Date().toISOString(),
        referencedBy: [],
      };
      const counting = upload;
      const hash = createHash('sha256');
      stream.on('data', (chunk: Buffer) => {
        counting.bytes += chunk.length;
        hash.update(chunk);
      });
      stream.on('end', () => {
        counting.sha256 = hash.digest('hex');
      });
      stream.on('limit', () => {
        tooLarge = counting.bytes > MAX_UPLOAD_BYTES;
      });
    });
    parser.on('error', () => {
      req.unpipe(parser);
      req.resume();
      if (!res.headersSent) reply(res, 400, 'Bad Request: the multipart body could not be read', TEXT_TYPE);
    });
    parser.on('close', () => {
      if (res.headersSent) return;
      if (tooLarge) return reply(res, 413, 'Request Entity Too Large: files up to 30 MB', TEXT_TYPE);
      if (!upload) return reply(res, 400, 'Bad Request: multipart/form-data with a "file" part expected', TEXT_TYPE);
      remember(this.list, upload, MAX_REMEMBERED);
      replyJson(res, 201, { URI: upload.uri });
    });
    req.pipe(parser);
  }

  /** Notes the uploads a data request names in Media.FileContents (or anywhere a string equals an upload's URI). */
  noteReferences(body: unknown, position: number): void {
    if (this.list.length === 0 || !isObject(body) || !isObject(body.Meta)) return;
    const label = `${String(body.Meta.DataModel)} ${String(body.Meta.EventType)} #${position}`;
    const media = isObject(body.Media) ? body.Media.FileContents : undefined;
    if (typeof media !== 'string') return;
    const upload = this.list.find((u) => u.uri === media);
    if (upload) upload.referencedBy.push(label);
  }

  clear(): void {
    this.list.length = 0;
  }
}
