/**
 * The emulator's control endpoints: GET /_emulator/state (counters, received requests, uploads)
 * and POST /_emulator/reset, for this machine only.
 */
import type http from 'node:http';
import { reply, replyJson, TEXT_TYPE } from './http-helpers';

export interface Controlled {
  state(): object;
  reset(): void;
}

export function answerControl(req: http.IncomingMessage, res: http.ServerResponse, path: string, emulator: Controlled): void {
  // Only this machine steers the emulator: a web page elsewhere could otherwise reset it through
  // DNS rebinding (a foreign Host) or a cross-site request (a foreign Origin).
  const origin = req.headers.origin;
  if (!isLoopbackHost(req.headers.host) || (origin !== undefined && !isLoopbackOrigin(origin))) {
    return reply(res, 403, 'Forbidden', TEXT_TYPE);
  }
  if (path === '/_emulator/state' && req.method === 'GET') return replyJson(res, 200, emulator.state());
  if (path === '/_emulator/reset' && req.method === 'POST') {
    emulator.reset();
    return replyJson(res, 200, { ok: true });
  }
  reply(res, 404, 'Not Found', TEXT_TYPE);
}

/** localhost, 127.x.x.x or [::1], with or without a port. */
function isLoopbackHost(host: string | undefined): boolean {
  return /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d+)?$/i.test(host ?? '');
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).host);
  } catch {
    return false;
  }
}
