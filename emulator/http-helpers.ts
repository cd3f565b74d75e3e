/** Small HTTP helpers the emulator's modules share. */
import type http from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';
/** Redox sends its 401 bodies as plain text labelled text/html. */
export const TEXT_TYPE = 'text/html; charset=utf-8';

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The body as text, or undefined when it is larger than the limit (the rest is drained). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function reply(res: http.ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function replyJson(res: http.ServerResponse, status: number, body: object): void {
  reply(res, status, JSON.stringify(body), JSON_TYPE);
}

/** Appends to a log, forgetting the oldest tenth once it is full (a long-running emulator stays small). */
export function remember<T>(log: T[], entry: T, max: number): void {
  log.push(entry);
  if (log.length > max) log.splice(0, Math.max(1, Math.floor(max / 10)));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
