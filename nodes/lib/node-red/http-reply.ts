/**
 * The reply handle a redox-receive message carries, shaped as core `http in` makes it
 * (`msg.res._res` is Express's response), so that the core `http response` node can answer too,
 * and answering it from a message.
 */
import type { Request, Response } from 'express';
import { isPlainObject } from '../shared/values';

export interface ReplyHandle {
  _res: Response;
}

/**
 * `_res` is not enumerable: the debug sidebar, JSON and util.inspect leave it out, and with it
 * the request behind it (its raw headers, its socket). `msg.res._res` still works.
 */
export function replyHandle(res: Response): ReplyHandle {
  return Object.defineProperty({} as ReplyHandle, '_res', { value: res, enumerable: false });
}

/** Takes the token out of the request's headers once it is checked, so that nothing later (a log, a middleware) sees it. */
export function dropTokenHeaders(req: Request): void {
  for (const name of SECRET_HEADERS) delete req.headers[name];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (SECRET_HEADERS.has(raw[i].toLowerCase())) raw[i + 1] = '';
}

/** Headers that carry the verification token: kept out of msg.req. */
const SECRET_HEADERS = new Set(['verification-token', 'authorization']);

/** What msg.req holds: a plain view of the request, without the token or the socket. */
export interface RequestView {
  method: string;
  url: string;
  path: string;
  query: unknown;
  headers: Record<string, unknown>;
  ip: string | undefined;
}

export function requestView(req: Request): RequestView {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!SECRET_HEADERS.has(name)) headers[name] = value;
  return { method: req.method, url: req.originalUrl, path: req.path, query: req.query, headers, ip: req.ip };
}

export type ReplyProblem = 'noRequest' | 'answered' | 'badStatus';

/** Answers the request `handle` stands for with `payload`, or says why it can't. */
export function answer(handle: unknown, payload: unknown, statusCode: unknown, headers: unknown): ReplyProblem | undefined {
  const res = isPlainObject(handle) ? (handle._res as Response | undefined) : undefined;
  if (!res || typeof res.status !== 'function') return 'noRequest';
  if (res.headersSent) return 'answered';
  const status = statusCode === undefined || statusCode === null || statusCode === '' ? 200 : Number(statusCode);
  if (!Number.isInteger(status) || status < 200 || status > 599) return 'badStatus';
  if (isPlainObject(headers)) {
    for (const [name, value] of Object.entries(headers)) {
      // the length and framing are Express's to set for the body it sends
      if (!/^(content-length|transfer-encoding)$/i.test(name) && value !== undefined && value !== null) res.set(name, String(value));
    }
  }
  res.status(status);
  if (Buffer.isBuffer(payload) || typeof payload === 'string') res.send(payload);
  else if (payload === undefined || payload === null) res.end();
  else res.json(payload);
  return undefined;
}
