/**
 * A local emulator of the Redox Data Model API (../shared/redox-api.md sections 1 to 4): the
 * server, with its routing, counters and faults. Authentication is in auth.ts, the data models in
 * data-models.ts. Tests steer it in-process (token lifetime, revocation, injected faults, counters); a person or a
 * child process can read its counters at GET /_emulator/state.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { EmulatorAuth, type AuthSettings } from './auth';
import { answerDataModel, metaError, type Destination } from './data-models';
import { delay, JSON_TYPE, parseJson, readBody, remember, reply, replyJson, TEXT_TYPE } from './http-helpers';
import { RollingRateLimit, type RateLimit } from './rate-limit';
import { SAMPLE_DESTINATIONS } from './sample-data';
import type { Arrival, EmulatorCalls, EmulatorOptions, Fault, ReceivedRequest } from './types';
import { answerControl } from './control';
import { EmulatorUploads } from './uploads';

export { deliverFeed, deliverInOrder, sampleDelivery, sendQuery, verifyDestination, type FeedResult, type SenderOptions } from './sender';
export { DEMO_CREDENTIALS, DEMO_OAUTH_CLIENT, type EmulatorCredential, type OAuthClient } from './auth';
export type { Destination } from './data-models';
export type { Arrival, EmulatorCalls, EmulatorOptions, Fault, ReceivedRequest } from './types';
export type { Upload } from './uploads';

const DAY_MS = 24 * 60 * 60 * 1000;

export class RedoxEmulator implements AuthSettings {
  readonly calls: EmulatorCalls = emptyCalls();
  /** Every data request that reached validation, in order, with the status it got. */
  readonly received: ReceivedRequest[] = [];
  /** Every API request as it arrived, faulted or not. */
  readonly arrivals: Arrival[] = [];
  /** Picks a fault for a request when none is queued (for randomised fault tests). */
  faultPicker: ((kind: 'data' | 'auth') => Fault | undefined) | undefined;
  tokenLifetimeMs: number;
  /** Lifetime of tokens from /v2/auth/token; default 5 minutes, as at Redox. */
  oauthTokenLifetimeMs = 300_000;
  /** Added to the emulator's clock when it checks assertions (to test a client whose clock is off). */
  clockOffsetMs = 0;
  maxBodyBytes: number;
  rateLimit: RateLimit;
  readonly maxLog: number;

  /** Authentication: the credentials it accepts and the tokens it issued. */
  readonly auth: EmulatorAuth;
  /** Files received at /upload (their size and type, not their bytes), and which Media message named each. */
  readonly uploads = new EmulatorUploads();
  private secure = false;
  private readonly destinations: Destination[];
  private readonly faults: Fault[] = [];
  private readonly hits = new RollingRateLimit(() => this.rateLimit);
  private readonly apiSockets = new WeakSet<object>();
  private server: http.Server | undefined;
  private baseUrl = '';

  constructor(options: EmulatorOptions = {}) {
    this.auth = new EmulatorAuth(options.credentials, options.oauthClients, this, this.calls);
    this.destinations = options.destinations ?? [...SAMPLE_DESTINATIONS];
    this.tokenLifetimeMs = options.tokenLifetimeMs ?? DAY_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? 40 * 1024 * 1024;
    this.rateLimit = options.rateLimit ?? { limit: 7500, windowMs: 5 * 60 * 1000 };
    this.maxLog = options.maxLog ?? 10_000;
  }

  get url(): string {
    return this.baseUrl;
  }

  /** Starts listening, over https when given a key and certificate; resolves with the base URL (port 0 picks a free port). */
  start(port = 0, host = '127.0.0.1', tls?: { key: string; cert: string }): Promise<string> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) reply(res, 500, 'Internal Server Error', TEXT_TYPE);
        else res.destroy();
      });
    };
    const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
    this.secure = Boolean(tls);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const address = server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        this.baseUrl = `${tls ? 'https' : 'http'}://${shownHost}:${address.port}`;
        resolve(this.baseUrl);
      });
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Forgets every access token issued so far: the next data request with one gets 401. */
  revokeAccessTokens(): void {
    this.auth.revokeAccessTokens();
  }

  /** Forgets every refresh token issued so far: the next refresh gets 401. */
  revokeRefreshTokens(): void {
    this.auth.revokeRefreshTokens();
  }

  /** Queues faults, each used by the next request it applies to. */
  injectFaults(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Registers a public key (PEM) for an OAuth client, adding the client when it is new. */
  registerOAuthKey(clientId: string, kid: string, publicKey: string): void {
    this.auth.registerOAuthKey(clientId, kid, publicKey);
  }

  /** Forgets the faults still queued. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Every token issued, access and refresh in turn (an OAuth token's refresh place is ''), for leak scans. */
  issuedTokens(): string[] {
    return this.auth.issuedTokens();
  }

  /** Clears counters, received requests, faults, tokens and rate-limit history. */
  reset(): void {
    Object.assign(this.calls, emptyCalls());
    this.received.length = 0;
    this.arrivals.length = 0;
    this.faultPicker = undefined;
    this.faults.length = 0;
    this.auth.revokeAccessTokens();
    this.auth.revokeRefreshTokens();
    this.hits.clear();
    this.uploads.clear();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/_emulator/')) {
      return answerControl(req, res, path, {
        state: () => ({ calls: this.calls, received: this.received, uploads: this.uploads.list }),
        reset: () => this.reset(),
      });
    }

    const route = ROUTES[path];
    if (!route) return reply(res, 404, 'Not Found', TEXT_TYPE);
    if (!this.apiSockets.has(req.socket)) {
      this.apiSockets.add(req.socket);
      this.calls.connections++;
    }
    if (req.method !== 'POST') return reply(res, 404, 'Not Found', TEXT_TYPE);
    if (route === 'upload') return this.uploadRequest(req, res, path);

    const raw = await readBody(req, this.maxBodyBytes);
    const kind = route === 'endpoint' || route === 'query' ? 'data' : 'auth';
    // the body of a data request is kept only when it carries a token the emulator issued: nothing of an unauthenticated one
    const authenticated = kind === 'data' && raw !== undefined && this.auth.wasIssued(req.headers.authorization);
    const arrival: Arrival = { path, kind, body: authenticated ? parseJson(raw) : undefined, outcome: '', at: Date.now() };
    remember(this.arrivals, arrival, this.maxLog);
    if (await this.refusedOrFaulted(req, res, kind, path, arrival)) return;

    if (raw === undefined) {
      arrival.outcome = '413';
      return replyJson(res, 413, metaError({}, 'Request entity too large', 'message', 'Send'));
    }
    res.once('finish', () => {
      if (!arrival.outcome || arrival.outcome === 'delay') arrival.outcome = String(res.statusCode);
    });
    switch (route) {
      case 'auth':
        return this.auth.authenticate(res, raw);
      case 'refresh':
        return this.auth.refresh(res, raw);
      case 'oauth':
        return this.auth.oauthToken(req, res, raw, `${this.secure ? 'https' : 'http'}://${req.headers.host}/v2/auth/token`);
      default:
        return this.dataRequest(req, res, route, raw, arrival);
    }
  }

  /** The rate limit, then any injected fault; true when either answered the request. */
  private async refusedOrFaulted(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    kind: 'data' | 'auth',
    path: string,
    arrival: Arrival,
  ): Promise<boolean> {
    if (!this.hits.allow(req.socket.remoteAddress ?? '?')) {
      this.calls.rateLimited++;
      arrival.outcome = '429';
      reply(res, 429, 'Too Many Requests', TEXT_TYPE, { 'X-RateLimit-Limit': String(this.rateLimit.limit) });
      return true;
    }
    const fault = this.takeFault(kind, path);
    if (!fault) return false;
    this.calls.faults++;
    arrival.outcome = fault.drop ? 'drop' : fault.status !== undefined ? String(fault.status) : 'delay';
    if (fault.delayMs) await delay(fault.delayMs);
    if (fault.drop) {
      req.socket.destroy();
      return true;
    }
    if (fault.status === undefined) return false;
    reply(res, fault.status, fault.body ?? '', fault.contentType ?? JSON_TYPE, fault.headers);
    return true;
  }

  /** POST /upload: counted against the rate limit like any request; the body is streamed, never kept. */
  private async uploadRequest(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const arrival: Arrival = { path, kind: 'data', body: undefined, outcome: '', at: Date.now() };
    remember(this.arrivals, arrival, this.maxLog);
    res.once('finish', () => {
      if (!arrival.outcome || arrival.outcome === 'delay') arrival.outcome = String(res.statusCode);
    });
    const answered = await this.refusedOrFaulted(req, res, 'data', path, arrival);
    if (answered) return void req.resume();
    this.calls.upload++;
    if (!this.auth.grantFor(req.headers.authorization)) {
      this.calls.rejected401++;
      req.resume();
      return reply(res, 401, 'Invalid request', TEXT_TYPE);
    }
    this.uploads.receive(req, res, this.baseUrl);
  }

  private dataRequest(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: 'endpoint' | 'query',
    raw: string,
    arrival: Arrival,
  ): void {
    this.calls[route]++;
    const grant = this.auth.grantFor(req.headers.authorization);
    if (!grant) {
      this.calls.rejected401++;
      return reply(res, 401, 'Invalid request', TEXT_TYPE);
    }
    const body = arrival.body ?? parseJson(raw);
    const [status, answer, waitMs] = answerDataModel(
      body,
      this.auth.senderOf(grant, headerValue(req.headers['redox-source-id'])),
      this.destinations,
    );
    remember(
      this.received,
      { path: `/${route}`, headers: req.headers, body: body ?? raw, status, receivedAt: new Date().toISOString() },
      this.maxLog,
    );
    this.uploads.noteReferences(body, this.received.length - 1);
    if (!waitMs) return replyJson(res, status, answer);
    const timer = setTimeout(() => replyJson(res, status, answer), waitMs);
    res.on('close', () => clearTimeout(timer));
  }

  private takeFault(kind: 'data' | 'auth', path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => (f.path ? f.path === path : (f.on ?? 'data') === kind || f.on === 'any'));
    return index === -1 ? this.faultPicker?.(kind) : this.faults.splice(index, 1)[0];
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const ROUTES: Record<string, 'auth' | 'refresh' | 'oauth' | 'endpoint' | 'query' | 'upload' | undefined> = Object.assign(
  Object.create(null),
  {
    '/upload': 'upload',
    '/auth/authenticate': 'auth',
    '/auth/refreshToken': 'refresh',
    '/endpoint': 'endpoint',
    '/query': 'query',
    '/v2/auth/token': 'oauth',
  },
);

function emptyCalls(): EmulatorCalls {
  return {
    authenticate: 0,
    refreshToken: 0,
    oauthToken: 0,
    endpoint: 0,
    query: 0,
    upload: 0,
    rejected401: 0,
    rateLimited: 0,
    faults: 0,
    connections: 0,
  };
}
