/**
 * The one place that speaks HTTP. It posts a body and hands back status, headers and the parsed
 * body; it never throws got's own errors (they carry the request's headers and body, which hold
 * the bearer token or the secret), only RedoxError('network' | 'timeout' | 'stopped').
 */
import http from 'node:http';
import https from 'node:https';
import { RedoxError } from './errors';

type GotModule = typeof import('got', { with: { 'resolution-mode': 'import' } });
type Got = GotModule['got'];

// got 12+ is ESM-only: tsc ("module": "node16") keeps this a real import() in the CommonJS output.
let gotModule: Promise<GotModule> | undefined;
function loadGot(): Promise<GotModule> {
  gotModule ??= import('got');
  return gotModule;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the response says JSON and parses; otherwise the text as sent. */
  body: unknown;
  /** True when `body` is parsed JSON. */
  json: boolean;
}

export interface PostOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface HttpClientOptions {
  userAgent: string;
  timeoutMs: number;
}

/** Parses a response body: JSON when it is JSON, else the text. */
export function parseBody(contentType: string | undefined, text: string): { body: unknown; json: boolean } {
  const looksJson = /\bjson\b/i.test(contentType ?? '') || /^\s*[[{]/.test(text);
  if (looksJson && text.length > 0) {
    try {
      return { body: JSON.parse(text), json: true };
    } catch {
      // fall through: keep the text so that the flow can see what was sent
    }
  }
  return { body: text, json: false };
}

export class HttpClient {
  private readonly agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  private client: Promise<Got> | undefined;
  private readonly inFlight = new Set<AbortController>();
  private closed = false;

  constructor(private readonly options: HttpClientOptions) {}

  private getClient(): Promise<Got> {
    this.client ??= loadGot().then(({ got }) =>
      got.extend({
        agent: this.agents,
        retry: { limit: 0 }, // retries are decided by the caller, who knows what is safe to repeat
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
        headers: { 'user-agent': this.options.userAgent },
      }),
    );
    return this.client;
  }

  async postJson(url: string, body: string, options: PostOptions = {}): Promise<HttpResponse> {
    if (this.closed) throw new RedoxError('stopped');
    const got = await this.getClient();
    const abort = new AbortController();
    this.inFlight.add(abort);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    try {
      const res = await got.post(url, {
        body,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
        timeout: { request: timeoutMs },
        signal: abort.signal,
      });
      const parsed = parseBody(res.headers['content-type'], res.body);
      return { statusCode: res.statusCode, headers: { ...res.headers }, ...parsed };
    } catch (err) {
      throw this.rewrite(err, url, timeoutMs);
    } finally {
      this.inFlight.delete(abort);
    }
  }

  /** Turns a got error into one that names the cause and nothing of the request. */
  private rewrite(err: unknown, url: string, timeoutMs: number): RedoxError {
    if (this.closed) return new RedoxError('stopped');
    const e = err as { name?: string; code?: string };
    if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT') {
      return new RedoxError('timeout', { seconds: Math.round(timeoutMs / 100) / 10 });
    }
    let host = url;
    try {
      host = new URL(url).host;
    } catch {
      // keep the url as given
    }
    return new RedoxError('network', { host, reason: e?.code ?? e?.name ?? 'unknown error' });
  }

  /** Aborts what is in flight and closes idle connections. */
  close(): void {
    this.closed = true;
    for (const abort of this.inFlight) abort.abort();
    this.inFlight.clear();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
