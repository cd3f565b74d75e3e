/**
 * The one place that speaks HTTP. It posts a body and hands back status, headers and the parsed
 * body; it never throws got's own errors (they carry the request's headers and body, which hold
 * the bearer token or the secret), only RedoxError('network' | 'timeout' | 'stopped' | 'queueFull').
 * Proxies follow the http_proxy, https_proxy and no_proxy environment variables, as Node-RED's
 * http request node does.
 */
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { getProxyForUrl } from 'proxy-from-env';
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
  /** Default application/json. */
  contentType?: string;
  timeoutMs?: number;
  /** Aborts this request (a message whose node is closing). */
  signal?: AbortSignal;
  /** Already counted by the throttle: don't tell onRequest. */
  counted?: boolean;
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
  /** Told of every request not already counted, as it starts (the throttle counts them). */
  onRequest?: () => void;
}

/** What a refused or failed response tells a flow: status, body and headers, never the request. */
export function responseDetails(res: HttpResponse) {
  return { statusCode: res.statusCode, body: res.body, headers: res.headers };
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

interface Agents {
  http: http.Agent;
  https: https.Agent;
}

export class HttpClient {
  private readonly direct: Agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  /** Agents through a proxy, one pair per proxy URL. */
  private readonly proxied = new Map<string, Agents>();
  /** The agents for each URL (a connection uses a handful), decided once: the proxy variables are read then. */
  private readonly byUrl = new Map<string, Agents>();
  private client: Promise<Got> | undefined;
  private readonly closing = new AbortController();
  private closed = false;

  constructor(private readonly options: HttpClientOptions) {
    setMaxListeners(0, this.closing.signal); // one listener per request in flight, by design
  }

  private getClient(): Promise<Got> {
    const tls = this.options.tls;
    this.client ??= loadGot().then(({ got }) =>
      got.extend({
        retry: { limit: 0 }, // retries are decided by the caller, who knows what is safe to repeat
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
        headers: { 'user-agent': this.options.userAgent },
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

  /** Keep-alive agents for this URL: direct, or through the proxy the environment names for it. */
  private agentsFor(url: string): Agents {
    let agents = this.byUrl.get(url);
    if (!agents) {
      agents = this.choose(url);
      this.byUrl.set(url, agents);
    }
    return agents;
  }

  private choose(url: string): Agents {
    const proxy = getProxyForUrl(url);
    if (!proxy) return this.direct;
    let agents = this.proxied.get(proxy);
    if (!agents) {
      const options = { proxy, keepAlive: true };
      agents = { http: new HttpProxyAgent(options), https: new HttpsProxyAgent(options) };
      this.proxied.set(proxy, agents);
    }
    return agents;
  }

  /** Posts `body` (JSON unless options.contentType says otherwise). */
  async post(url: string, body: string, options: PostOptions = {}): Promise<HttpResponse> {
    if (this.closed) throw new RedoxError('stopped');
    const signal = options.signal ? AbortSignal.any([this.closing.signal, options.signal]) : this.closing.signal;
    const got = await this.getClient();
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    if (!options.counted) this.options.onRequest?.();
    try {
      const res = await got.post(url, {
        body,
        headers: { 'content-type': options.contentType ?? 'application/json', accept: 'application/json', ...options.headers },
        timeout: { request: timeoutMs, connect: this.options.connectTimeoutMs, secureConnect: this.options.connectTimeoutMs },
        agent: this.agentsFor(url),
        signal,
      });
      const parsed = parseBody(res.headers['content-type'], res.body);
      return { statusCode: res.statusCode, headers: { ...res.headers }, ...parsed };
    } catch (err) {
      throw this.rewrite(err, url, signal, timeoutMs);
    }
  }

  /** Turns a got error into one that names the cause and nothing of the request. */
  private rewrite(err: unknown, url: string, signal: AbortSignal, timeoutMs: number): RedoxError {
    if (signal.aborted) return new RedoxError('stopped');
    const e = err as { name?: string; code?: string; event?: string };
    if (e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT') {
      if (e.event === 'lookup' || e.event === 'connect' || e.event === 'secureConnect') {
        return new RedoxError('network', { host: hostOf(url), reason: 'connect timeout' });
      }
      return new RedoxError('timeout', { seconds: Math.round(timeoutMs / 100) / 10 });
    }
    return new RedoxError('network', { host: hostOf(url), reason: e?.code ?? e?.name ?? 'unknown error' });
  }

  /** Aborts what is in flight and closes every connection. */
  close(): void {
    this.closed = true;
    this.closing.abort();
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
