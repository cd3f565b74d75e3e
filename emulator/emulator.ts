/**
 * A local emulator of the Redox Data Model API (../shared/redox-api.md sections 1 to 4): legacy
 * API-key authentication, /endpoint and /query, Redox's status codes, bodies and limits. Tests
 * steer it in-process (token lifetime, revocation, injected faults, counters); a person or a
 * child process can read its counters at GET /_emulator/state.
 */
import { createPublicKey, randomInt, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { isKnownEvent, isQuery, requiredKeys } from '../nodes/lib/datamodel/catalogue';
import { loadJose } from '../nodes/lib/transport/esm';
import { ASSERTION_LIFETIME_S, CLIENT_ASSERTION_TYPE } from '../nodes/lib/auth/oauth-source';
import {
  matchesSamplePatient,
  SAMPLE_CLINICAL_SUMMARY,
  SAMPLE_DESTINATIONS,
  SAMPLE_PATIENT,
  SAMPLE_SOURCE,
} from './sample-data';

export interface EmulatorCredential {
  apiKey: string;
  secret: string;
  source?: { ID: string; Name: string };
}

/** An OAuth API key the emulator accepts: public keys by key ID (RS384, ES384) and/or a shared secret (HS384). */
export interface OAuthClient {
  clientId: string;
  keys?: Array<{ kid: string; publicKey: string }>;
  secret?: string;
  source?: { ID: string; Name: string };
}

export interface Destination {
  ID: string;
  Name: string;
  /** This destination takes this long to answer a query (as a slow EHR would). */
  queryDelayMs?: number;
}

export interface EmulatorOptions {
  /** API keys the emulator accepts; default: the demo key. */
  credentials?: EmulatorCredential[];
  /** Destinations the source is subscribed to; default: Redox EMR and Redox Scheduling. */
  destinations?: Destination[];
  /** Access token lifetime; default 24 h, as at Redox. */
  tokenLifetimeMs?: number;
  /** Largest accepted body; default 40 MB, as at Redox (413 above). */
  maxBodyBytes?: number;
  /** Requests per client address per window; default 7,500 per 5 minutes, as at Redox (429 above). */
  rateLimit?: { limit: number; windowMs: number };
  /** How many received requests and arrivals it remembers (the oldest are forgotten); default 10,000. */
  maxLog?: number;
  /** OAuth API keys it accepts; default: the demo HS384 client. */
  oauthClients?: OAuthClient[];
}

/** A fault for the next matching request: answer with this status/body, wait first, or drop the connection. */
export interface Fault {
  /** Which requests it applies to; default 'data' (/endpoint and /query). */
  on?: 'data' | 'auth' | 'any';
  status?: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Wait this long first (then answer normally unless status or drop is given). */
  delayMs?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
}

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
  receivedAt: string;
}

/** Every request to the API as it arrived, faults and refusals included, with how it ended. */
export interface Arrival {
  path: string;
  kind: 'auth' | 'data';
  /** The parsed body of a data request. */
  body: unknown;
  /** The status sent, or 'drop' for a dropped connection. */
  outcome: string;
}

export interface EmulatorCalls {
  authenticate: number;
  refreshToken: number;
  oauthToken: number;
  endpoint: number;
  query: number;
  rejected401: number;
  rateLimited: number;
  faults: number;
  /** TCP connections that carried API requests (keep-alive reuses them; /_emulator/ calls don't count). */
  connections: number;
}

export const DEMO_CREDENTIALS: Readonly<EmulatorCredential> = {
  apiKey: 'demo-api-key',
  secret: 'demo-secret',
  source: SAMPLE_SOURCE,
};

export const DEMO_OAUTH_CLIENT: Readonly<OAuthClient> = {
  clientId: 'demo-oauth-client',
  secret: 'demo-oauth-client-secret',
  source: SAMPLE_SOURCE,
};

/** How far an assertion's clock may be ahead of the emulator's. */
const CLOCK_TOLERANCE_S = 5;

const DAY_MS = 24 * 60 * 60 * 1000;
const JSON_TYPE = 'application/json; charset=utf-8';
// Redox sends its 401 bodies as plain text labelled text/html.
const TEXT_TYPE = 'text/html; charset=utf-8';

interface AccessGrant {
  apiKey: string;
  expiresAt: number;
}

export class RedoxEmulator {
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
  rateLimit: { limit: number; windowMs: number };
  readonly maxLog: number;

  private readonly credentials: EmulatorCredential[];
  private readonly oauthClients: OAuthClient[];
  /** Assertion IDs already used, with when they expire. */
  private readonly seenJti = new Map<string, number>();
  private secure = false;
  private readonly destinations: Destination[];
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, string>(); // refresh token -> apiKey
  private readonly issued: string[] = [];
  private readonly faults: Fault[] = [];
  private readonly hits = new Map<string, { times: number[]; head: number }>(); // client address -> request times
  private readonly apiSockets = new WeakSet<object>();
  private server: http.Server | undefined;
  private baseUrl = '';

  constructor(options: EmulatorOptions = {}) {
    this.credentials = options.credentials ?? [DEMO_CREDENTIALS];
    this.oauthClients = (options.oauthClients ?? [DEMO_OAUTH_CLIENT]).map((c) => ({ ...c, keys: [...(c.keys ?? [])] }));
    this.destinations = options.destinations ?? SAMPLE_DESTINATIONS;
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
    this.accessTokens.clear();
  }

  /** Forgets every refresh token issued so far: the next refresh gets 401. */
  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** Queues faults, each used by the next request it applies to. */
  injectFaults(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Registers a public key (PEM) for an OAuth client, adding the client when it is new. */
  registerOAuthKey(clientId: string, kid: string, publicKey: string): void {
    let client = this.oauthClients.find((c) => c.clientId === clientId);
    if (!client) this.oauthClients.push((client = { clientId, keys: [] }));
    client.keys = [...(client.keys ?? []).filter((k) => k.kid !== kid), { kid, publicKey }];
  }

  /** Forgets the faults still queued. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Every token issued, access and refresh in turn (an OAuth token's refresh place is ''), for leak scans. */
  issuedTokens(): string[] {
    return [...this.issued];
  }

  /** Clears counters, received requests, faults, tokens and rate-limit history. */
  reset(): void {
    Object.assign(this.calls, emptyCalls());
    this.received.length = 0;
    this.arrivals.length = 0;
    this.faultPicker = undefined;
    this.faults.length = 0;
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.hits.clear();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/_emulator/')) return this.control(req, res, path);

    const route = ROUTES[path];
    if (!route) return reply(res, 404, 'Not Found', TEXT_TYPE);
    if (!this.apiSockets.has(req.socket)) {
      this.apiSockets.add(req.socket);
      this.calls.connections++;
    }
    if (req.method !== 'POST') return reply(res, 404, 'Not Found', TEXT_TYPE);

    const raw = await readBody(req, this.maxBodyBytes);
    const kind = route === 'endpoint' || route === 'query' ? 'data' : 'auth';
    const arrival: Arrival = { path, kind, body: kind === 'data' && raw !== undefined ? parseJson(raw) : undefined, outcome: '' };
    remember(this.arrivals, arrival, this.maxLog);

    if (!this.withinRateLimit(req.socket.remoteAddress ?? '?')) {
      this.calls.rateLimited++;
      arrival.outcome = '429';
      return reply(res, 429, 'Too Many Requests', TEXT_TYPE, { 'X-RateLimit-Limit': String(this.rateLimit.limit) });
    }

    const fault = this.takeFault(kind);
    if (fault) {
      this.calls.faults++;
      arrival.outcome = fault.drop ? 'drop' : fault.status !== undefined ? String(fault.status) : 'delay';
      if (fault.delayMs) await delay(fault.delayMs);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        return reply(res, fault.status, fault.body ?? '', fault.contentType ?? JSON_TYPE, fault.headers);
      }
    }

    if (raw === undefined) {
      arrival.outcome = '413';
      return replyJson(res, 413, metaError({}, 'Request entity too large', 'message', 'Send'));
    }
    res.once('finish', () => {
      if (!arrival.outcome || arrival.outcome === 'delay') arrival.outcome = String(res.statusCode);
    });
    switch (route) {
      case 'auth':
        return this.authenticate(res, raw);
      case 'refresh':
        return this.refresh(res, raw);
      case 'oauth':
        return this.oauthToken(req, res, raw);
      default:
        return this.dataRequest(req, res, route, raw);
    }
  }

  private authenticate(res: http.ServerResponse, raw: string): void {
    this.calls.authenticate++;
    const body = parseJson(raw) as { apiKey?: unknown; secret?: unknown } | undefined;
    const credential = this.credentials.find((c) => c.apiKey === body?.apiKey);
    if (!credential) return reply(res, 401, 'Invalid request', TEXT_TYPE);
    if (credential.secret !== body?.secret) return reply(res, 401, 'Invalid source secret', TEXT_TYPE);
    replyJson(res, 200, this.issue(credential.apiKey));
  }

  private refresh(res: http.ServerResponse, raw: string): void {
    this.calls.refreshToken++;
    const body = parseJson(raw) as { apiKey?: unknown; refreshToken?: unknown } | undefined;
    const refreshToken = typeof body?.refreshToken === 'string' ? body.refreshToken : '';
    const owner = this.refreshTokens.get(refreshToken);
    if (!owner || owner !== body?.apiKey) return reply(res, 401, 'Invalid request', TEXT_TYPE);
    // Refresh tokens are single-use here: a client must keep the latest one it was given.
    this.refreshTokens.delete(refreshToken);
    replyJson(res, 200, this.issue(owner));
  }

  /** POST /v2/auth/token: checks the signed assertion as Redox does and issues a 5-minute token. */
  private async oauthToken(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    this.calls.oauthToken++;
    const refuse = (status: number, error: string, description: string) => replyJson(res, status, { error, error_description: description });
    if (!/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
      return refuse(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) return refuse(400, 'invalid_request', 'client_assertion_type must be jwt-bearer');
    const assertion = form.get('client_assertion') ?? '';
    const jose = await loadJose();
    let header: { alg?: string; kid?: string };
    let claims: { iss?: string; sub?: string; jti?: string; exp?: number; iat?: number };
    try {
      header = jose.decodeProtectedHeader(assertion);
      claims = jose.decodeJwt(assertion);
    } catch {
      return refuse(400, 'invalid_request', 'client_assertion is not a JWT');
    }
    const client = this.oauthClients.find((c) => c.clientId === claims.iss);
    if (!client || claims.sub !== claims.iss) return refuse(401, 'invalid_client', 'unknown client: iss and sub must be the client ID');
    let key: Uint8Array | import('node:crypto').KeyObject;
    if (header.alg === 'HS384' && client.secret) {
      key = new TextEncoder().encode(client.secret);
    } else if (header.alg === 'RS384' || header.alg === 'ES384') {
      const registered = client.keys?.find((k) => k.kid === header.kid);
      if (!registered) return refuse(401, 'invalid_client', `unknown key ID (kid) for this client: ${header.kid ?? 'none'}`);
      key = createPublicKey(registered.publicKey);
    } else {
      return refuse(400, 'invalid_request', `unsupported algorithm: ${header.alg ?? 'none'}`);
    }
    const now = Date.now() + this.clockOffsetMs;
    const tokenUrl = `${this.secure ? 'https' : 'http'}://${req.headers.host}/v2/auth/token`;
    try {
      await jose.jwtVerify(assertion, key, { algorithms: [header.alg], audience: tokenUrl, currentDate: new Date(now), clockTolerance: CLOCK_TOLERANCE_S });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return refuse(401, 'invalid_client', 'the assertion signature does not match the registered key');
      if (code === 'ERR_JWT_EXPIRED') return refuse(400, 'invalid_grant', 'the assertion has expired');
      return refuse(400, 'invalid_grant', `the assertion is not valid: ${(err as Error).message}`);
    }
    const nowS = now / 1000;
    if (typeof claims.exp !== 'number' || claims.exp > nowS + ASSERTION_LIFETIME_S + CLOCK_TOLERANCE_S) return refuse(400, 'invalid_grant', 'exp must be at most 5 minutes ahead');
    if (typeof claims.iat !== 'number' || claims.iat > nowS + CLOCK_TOLERANCE_S) return refuse(400, 'invalid_grant', 'iat is in the future');
    if (typeof claims.jti !== 'string' || !claims.jti) return refuse(400, 'invalid_request', 'the assertion needs a jti');
    for (const [jti, until] of this.seenJti) if (until < nowS) this.seenJti.delete(jti);
    if (this.seenJti.has(claims.jti)) return refuse(400, 'invalid_grant', 'jti already used: sign a new assertion');
    this.seenJti.set(claims.jti, claims.exp);

    const accessToken = randomUUID();
    this.accessTokens.set(accessToken, { apiKey: client.clientId, expiresAt: Date.now() + this.oauthTokenLifetimeMs });
    this.issued.push(accessToken, '');
    replyJson(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(1, Math.floor(this.oauthTokenLifetimeMs / 1000)), // whole seconds, rounded down
      scope: form.get('scope') ?? 'default',
    });
  }

  private issue(apiKey: string) {
    this.forgetExpired();
    const accessToken = randomUUID();
    const refreshToken = randomUUID();
    const expiresAt = Date.now() + this.tokenLifetimeMs;
    this.accessTokens.set(accessToken, { apiKey, expiresAt });
    this.refreshTokens.set(refreshToken, apiKey);
    this.issued.push(accessToken, refreshToken);
    // Key order as Redox sends it.
    return { accessToken, expires: new Date(expiresAt).toISOString(), refreshToken };
  }

  private dataRequest(req: http.IncomingMessage, res: http.ServerResponse, route: 'endpoint' | 'query', raw: string): void {
    this.calls[route]++;
    const grant = this.grantFor(req.headers.authorization);
    if (!grant) {
      this.calls.rejected401++;
      return reply(res, 401, 'Invalid request', TEXT_TYPE);
    }
    const credential = this.credentials.find((c) => c.apiKey === grant.apiKey) ??
      { ...DEMO_CREDENTIALS, source: this.oauthClients.find((c) => c.clientId === grant.apiKey)?.source ?? SAMPLE_SOURCE };
    const body = parseJson(raw);
    const [status, answer, waitMs] = this.answer(body, credential);
    remember(this.received, { path: `/${route}`, headers: req.headers, body: body ?? raw, status, receivedAt: new Date().toISOString() }, this.maxLog);
    if (!waitMs) return replyJson(res, status, answer);
    const timer = setTimeout(() => replyJson(res, status, answer), waitMs);
    res.on('close', () => clearTimeout(timer));
  }

  /** Expired access tokens are forgotten now and then, so that a long-running emulator stays small. */
  private forgetExpired(): void {
    if (this.accessTokens.size < 1000) return;
    const now = Date.now();
    for (const [token, grant] of this.accessTokens) if (grant.expiresAt <= now) this.accessTokens.delete(token);
  }

  private grantFor(authorization: string | undefined): AccessGrant | undefined {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    const grant = match ? this.accessTokens.get(match[1]) : undefined;
    if (!grant) return undefined;
    if (grant.expiresAt <= Date.now()) {
      this.accessTokens.delete(match![1]);
      return undefined;
    }
    return grant;
  }

  /** Validates a Data Model request as Redox does and builds its answer, with how long to wait before it. */
  private answer(body: unknown, credential: EmulatorCredential): [number, object, number?] {
    if (!isObject(body)) return [400, metaError({}, 'Invalid JSON: the request body must be a JSON object', 'message', 'DataModels')];
    const meta = isObject(body.Meta) ? body.Meta : undefined;
    if (!meta) return [400, metaError({}, 'Required field missing - Meta', 'message', 'DataModels')];
    const { DataModel: model, EventType: event } = meta;
    if (typeof model !== 'string' || !model) return [400, metaError(meta, 'Required field missing - Meta.DataModel', 'message', 'DataModels')];
    if (typeof event !== 'string' || !event) return [400, metaError(meta, 'Required field missing - Meta.EventType', 'message', 'DataModels')];
    if (!isKnownEvent(model, event)) {
      return [404, metaError(meta, `Event type not found - ${model}:${event}`, 'message', 'DataModels')];
    }
    const wanted = Array.isArray(meta.Destinations) ? meta.Destinations : [];
    if (wanted.length === 0 || !wanted.every((d) => isObject(d) && typeof d.ID === 'string' && d.ID)) {
      return [400, metaError(meta, 'Required field missing - Meta.Destinations[].ID', 'message', 'DataModels')];
    }
    const query = isQuery(model, event);
    if (query && wanted.length !== 1) {
      return [400, metaError(meta, `Queries take exactly one destination - ${model}:${event}`, 'query', 'Send')];
    }
    const destinations = wanted.map((d) => this.destinations.find((known) => known.ID === (d as { ID: string }).ID));
    if (destinations.some((d) => d === undefined)) {
      return [400, metaError(meta,
        'No subscriptions. Meta.Destinations needs to contain a destination from existing subscriptions', 'message', 'Subscriptions')];
    }
    for (const key of requiredKeys(model, event)) {
      if (body[key] === undefined || body[key] === null) {
        return [400, metaError(meta, `Required field missing - ${key} in ${model}:${event}`, 'message', 'DataModels')];
      }
    }
    const known = destinations as Destination[];
    const answerMeta = {
      ...meta,
      ...(query ? { EventType: `${event}Response` } : {}),
      Source: credential.source ?? SAMPLE_SOURCE,
      Destinations: known.map(({ ID, Name }) => ({ ID, Name })),
      Logs: known.map(() => ({ ID: randomUUID(), AttemptID: randomUUID() })),
    };
    const wait = query ? known[0].queryDelayMs : undefined;
    return [200, { Meta: answerMeta, ...(query ? queryResults(model, event, body) : {}) }, wait];
  }

  private takeFault(kind: 'data' | 'auth'): Fault | undefined {
    const index = this.faults.findIndex((f) => (f.on ?? 'data') === kind || f.on === 'any');
    return index === -1 ? this.faultPicker?.(kind) : this.faults.splice(index, 1)[0];
  }

  /** A rolling window per client: old request times are dropped from the front, in constant time. */
  private withinRateLimit(client: string): boolean {
    const now = Date.now();
    let log = this.hits.get(client);
    if (!log) this.hits.set(client, (log = { times: [], head: 0 }));
    while (log.head < log.times.length && log.times[log.head] <= now - this.rateLimit.windowMs) log.head++;
    if (log.head > 1024 && log.head * 2 > log.times.length) {
      log.times = log.times.slice(log.head);
      log.head = 0;
    }
    if (log.times.length - log.head >= this.rateLimit.limit) return false;
    log.times.push(now);
    return true;
  }

  private control(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    if (path === '/_emulator/state' && req.method === 'GET') {
      return replyJson(res, 200, { calls: this.calls, received: this.received });
    }
    if (path === '/_emulator/reset' && req.method === 'POST') {
      this.reset();
      return replyJson(res, 200, { ok: true });
    }
    reply(res, 404, 'Not Found', TEXT_TYPE);
  }
}

const ROUTES: Record<string, 'auth' | 'refresh' | 'oauth' | 'endpoint' | 'query' | undefined> = Object.assign(Object.create(null), {
  '/auth/authenticate': 'auth',
  '/auth/refreshToken': 'refresh',
  '/endpoint': 'endpoint',
  '/query': 'query',
  '/v2/auth/token': 'oauth',
});

/** Results of the queries the emulator knows; others answer with Meta alone. */
function queryResults(model: string, event: string, body: Record<string, unknown>): object {
  if (model === 'PatientSearch' && (event === 'Query' || event === 'LocationQuery')) {
    return { Patients: matchesSamplePatient(body.Patient) ? [SAMPLE_PATIENT] : [] };
  }
  if (model === 'Clinical Summary' && event === 'PatientQuery') return SAMPLE_CLINICAL_SUMMARY;
  return {};
}

function metaError(meta: Record<string, unknown>, text: string, type: string, module: string): object {
  return { Meta: { ...meta, Errors: [{ ID: randomInt(100000, 999999), Text: text, Type: type, Module: module }] } };
}

/** Appends to a log, forgetting the oldest tenth once it is full (a long-running emulator stays small). */
function remember<T>(log: T[], entry: T, max: number): void {
  log.push(entry);
  if (log.length > max) log.splice(0, Math.max(1, Math.floor(max / 10)));
}

function emptyCalls(): EmulatorCalls {
  return { authenticate: 0, refreshToken: 0, oauthToken: 0, endpoint: 0, query: 0, rejected401: 0, rateLimited: 0, faults: 0, connections: 0 };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The body as text, or undefined when it is larger than the limit (the rest is drained). */
function readBody(req: http.IncomingMessage, limit: number): Promise<string | undefined> {
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

function reply(res: http.ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function replyJson(res: http.ServerResponse, status: number, body: object): void {
  reply(res, status, JSON.stringify(body), JSON_TYPE);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
