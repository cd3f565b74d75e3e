/**
 * The one place that speaks HTTP. It posts a body and hands back status, headers and the parsed
 * body; it never throws got's own errors (they carry the request's headers and body, which hold
 * the bearer token or the secret), only RedoxError('network' | 'timeout' | 'stopped').
 * Proxies follow the http_proxy, https_proxy and no_proxy environment variables, as Node-RED's
 * http request node does.
 */
import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';
import { RedoxError } from '../shared/errors';
import { loadGot, type Got, type GotStreamRequest } from './esm';
import { InFlightRequests } from './in-flight';

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
  /** Default application/json. */
  contentType?: string;
  timeoutMs?: number;
  /** Aborts this request (a message whose node is closing). */
  signal?: AbortSignal;
  /** Already counted by the throttle: don't tell onRequest. */
  counted?: boolean;
  /** Masks what must not be reported in the answer's text, before it is parsed. */
  redact?: (text: string) => string;
}

/** TLS settings, as Node-RED's tls-config node gives them. */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface HttpClientOptions {
  userAgent: string;
  /** Whole-request timeout. */
  timeoutMs: number;
  /** Time allowed to open the connection (and finish TLS). */
  connectTimeoutMs: number;
  tls?: TlsOptions;
  /** Told of every request not already counted, once it is answered or fails (the throttle counts them). */
  onRequest?: () => void;
  /** At most this many connections to Redox (the throttle's concurrency: more would never be used). */
  maxSockets?: number;
  /** An answer larger than this is not read: the request is stopped and fails with 'responseTooLarge'. */
  maxResponseBytes?: number;
}

/** Parses a response body: JSON when it is JSON, else the text. */
function parseBody(contentType: string | undefined, text: string): { body: unknown; json: boolean } {
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

/**
 * Status, headers and the whole body of a got stream's response, up to `limit` bytes; rejects when
 * the stream fails, is stopped (InFlightRequests destroys it with an error) or sends more than the
 * limit. Every handler is guarded: nothing thrown here may escape to Node-RED. Plain on()
 * listeners: once() adds a wrapper and a removal for every request, on the hot path.
 */
function readResponse(
  request: GotStreamRequest,
  limit: number,
): Promise<{ statusCode: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let statusCode = 0;
    let headers: http.IncomingHttpHeaders = {};
    const fail = (err: unknown) => {
      chunks.length = 0;
      reject(err);
    };
    request.on('response', (response: http.IncomingMessage) => {
      statusCode = response.statusCode ?? 0;
      headers = response.headers;
    });
    request.on('data', (chunk: Buffer) => {
      if (size > limit) return; // refused already: the stream is being destroyed
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      fail(new RedoxError('responseTooLarge', { limit: Math.round((limit / MB) * 1000) / 1000 }));
      request.destroy();
    });
    request.on('end', () => {
      try {
        resolve({ statusCode, headers, text: Buffer.concat(chunks).toString('utf8') });
      } catch (err) {
        fail(err);
      }
    });
    request.on('error', fail);
  });
}

/** The headers, with `redact` applied to every value (a copy only when one changes). */
function redactHeaders(headers: http.IncomingHttpHeaders, redact: (text: string) => string): http.IncomingHttpHeaders {
  let out = headers;
  for (const [name, value] of Object.entries(headers)) {
    let masked = value;
    if (typeof value === 'string') masked = redact(value);
    else if (Array.isArray(value) && value.some((v) => redact(v) !== v)) masked = value.map(redact);
    if (masked === value) continue;
    if (out === headers) out = { ...headers };
    out[name] = masked;
  }
  return out;
}

const MB = 1024 * 1024;
/** Redox's API limit is 40 MB: a little above it by default. */
export const DEFAULT_MAX_RESPONSE_BYTES = 41 * MB;

interface Agents {
  http: http.Agent;
  https: https.Agent;
}

export class HttpClient {
  private readonly direct: Agents;
  /** Agents through a proxy, one pair per proxy URL. */
  private readonly proxied = new Map<string, Agents>();
  /** A client for each URL (a connection uses a handful), made once: agents, proxy and defaults settled. */
  private readonly byUrl = new Map<string, Got>();
  private client: Promise<Got> | undefined;
  /** Requests in flight: their deadlines (the request timeout), and cancelled by their node's signal or on close. */
  private readonly inFlight = new InFlightRequests();
  private closed = false;

  constructor(private readonly options: HttpClientOptions) {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? Infinity };
    this.direct = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  }

  private getClient(): Promise<Got> {
    const tls = this.options.tls;
    this.client ??= loadGot().then(({ got }) =>
      got.extend({
        method: 'POST', // the only method Redox's Data Model and auth endpoints take
        retry: { limit: 0 }, // retries are decided by the caller, who knows what is safe to repeat
        throwHttpErrors: false,
        followRedirect: false,
        headers: { 'user-agent': this.options.userAgent, 'content-type': 'application/json', accept: 'application/json' },
        // The whole-request timeout is kept by this.inFlight; got only times the opening of a connection.
        timeout: { connect: this.options.connectTimeoutMs, secureConnect: this.options.connectTimeoutMs },
        https: tls
          ? {
              certificateAuthority: tls.ca,
              certificate: tls.cert,
              key: tls.key,
              passphrase: tls.passphrase,
              rejectUnauthorized: tls.rejectUnauthorized,
            }
          : {},
      }),
    );
    return this.client;
  }

  /** The client for this URL, with its keep-alive agents: direct, or through the proxy the environment names. */
  private async makeClient(url: string): Promise<Got> {
    const client = (await this.getClient()).extend({ agent: this.agentsFor(url) });
    this.byUrl.set(url, client);
    return client;
  }

  private agentsFor(url: string): Agents {
    const proxy = getProxyForUrl(url);
    if (!proxy) return this.direct;
    let agents = this.proxied.get(proxy);
    if (!agents) {
      const options = { proxy, keepAlive: true, maxSockets: this.options.maxSockets ?? Infinity };
      agents = { http: new HttpProxyAgent(options), https: new HttpsProxyAgent(options) };
      this.proxied.set(proxy, agents);
    }
    return agents;
  }

  /** Posts `body`: JSON unless options.contentType says otherwise, or multipart/form-data for a FormData (streamed by got). */
  async post(url: string, body: string | FormData, options: PostOptions = {}): Promise<HttpResponse> {
    const signal = options.signal;
    if (this.closed || signal?.aborted) throw new RedoxError('stopped');
    const got = this.byUrl.get(url) ?? (await this.makeClient(url));
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    // Only what differs from the client's defaults, so that got merges little per request. The
    // stream interface, because got's promise interface does more per request (a cancelable
    // promise, event forwarding, body buffering) on this hot path: docs/performance.md.
    const contentType = typeof body === 'string' ? options.contentType : undefined; // got sets a form's, with its boundary
    const request = got.stream(url, {
      body: body as string, // Node's FormData is one got takes; its typings here lack the iterator got's type names
      headers: contentType || typeof body !== 'string' ? { ...options.headers, 'content-type': contentType } : options.headers,
    });
    const tracked = this.inFlight.add(request, timeoutMs, signal);
    try {
      const res = await readResponse(request, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      const redact = options.redact;
      if (!redact) return { statusCode: res.statusCode, headers: res.headers, ...parseBody(res.headers['content-type'], res.text) };
      return {
        statusCode: res.statusCode,
        headers: redactHeaders(res.headers, redact),
        ...parseBody(res.headers['content-type'], redact(res.text)),
      };
    } catch (err) {
      throw this.rewrite(err, url, signal, tracked.timedOut ? timeoutMs : undefined);
    } finally {
      this.inFlight.delete(request);
      // counted once answered, as the throttle counts its own: Redox counts it on arrival, before that
      if (!options.counted) this.options.onRequest?.();
    }
  }

  /** Turns a got error into one that names the cause and nothing of the request; `timedOutAfterMs` when the deadline stopped it. */
  private rewrite(err: unknown, url: string, signal: AbortSignal | undefined, timedOutAfterMs: number | undefined): RedoxError {
    if (this.closed || signal?.aborted) return new RedoxError('stopped');
    if (err instanceof RedoxError) return err; // said in our own words already (a too large answer)
    if (timedOutAfterMs !== undefined) return new RedoxError('timeout', { seconds: Math.round(timedOutAfterMs / 100) / 10 });
    const e = err as { name?: string; code?: string };
    // got times only the opening of a connection (connect, TLS): its timeouts are those.
    if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT')
      return new RedoxError('network', { host: hostOf(url), reason: 'connect timeout' });
    return new RedoxError('network', { host: hostOf(url), reason: e?.code ?? e?.name ?? 'unknown error' });
  }

  /** Aborts what is in flight and closes every connection. */
  close(): void {
    this.closed = true;
    this.inFlight.cancelAll();
    for (const agents of [this.direct, ...this.proxied.values()]) {
      agents.http.destroy();
      agents.https.destroy();
    }
    this.proxied.clear();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
