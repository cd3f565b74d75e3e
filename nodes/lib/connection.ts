/**
 * A connection to one Redox environment, owned by a redox-config node and shared by every node
 * that uses it: the HTTP client, the token lifecycle, and the one retry a 401 earns.
 */
import type { SharedState } from './cluster/shared-state';
import { normaliseBaseUrl, uploadUrlFor } from './redox-urls';
import { excerpt, isRedoxError, RedoxError, responseDetails } from './shared/errors';
import { untilStopped } from './shared/abort';
import { redactDeep, redactText } from './shared/redact';
import { interpret, metaErrors, type RedoxResult } from './datamodel/response';
import { HttpClient, type HttpResponse, type TlsOptions } from './transport/http';
import { DEFAULT_RETRY, retryAfterMs, withRetries, type RetryOptions } from './transport/retry';
import { DEFAULT_THROTTLE, Throttle, type ThrottleOptions } from './transport/throttle';
import { TokenManager } from './auth/token-manager';
import type { IssuedToken, TokenSource } from './auth/token-source';

export interface ConnectionOptions {
  baseUrl: string;
  userAgent: string;
  /** Whole-request timeout, default 120 s (Redox's own limit for synchronous requests). */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  /** Answers larger than this are not read (default a little above Redox's 40 MB limit). */
  maxResponseBytes?: number;
  retry?: RetryOptions;
  throttle?: ThrottleOptions;
  tls?: TlsOptions;
  /** Sent as Redox-Source-Id with every request that carries the token, for organizations with several sources. */
  sourceId?: string;
  /** Where files are uploaded; empty: see uploadUrlFor. */
  uploadUrl?: string;
  /** State shared with other Node-RED instances through Redis: the token and the rate budget. */
  shared?: SharedState;
  /** Makes the token source, given this connection's HTTP client and normalised base URL. */
  tokenSource: (http: HttpClient, baseUrl: string) => TokenSource;
  /** A token kept from before a redeploy, used until it is due for renewal. */
  initialToken?: IssuedToken;
  onBackgroundError?: (err: RedoxError) => void;
  /** Told when a request has to wait for a token (true) and when it has one or failed (false). */
  onAuthenticating?: (busy: boolean) => void;
  /** Told when a 429 pauses the connection (until then, epoch ms) and when the pause is over (undefined). */
  onPaused?: (until: number | undefined) => void;
}

export interface SendOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A file as an upload sends it: its bytes, and the name and type the multipart part carries. */
export interface UploadFile {
  bytes: Buffer;
  filename: string;
  contentType: string;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** The longest pause after a 429 (Retry-After included): a message's retry window is a minute by default. */
const MAX_PAUSE_MS = 60_000;

export class RedoxConnection {
  readonly baseUrl: string;
  private readonly sourceId: string | undefined;
  private readonly uploadUrl: string | undefined;
  private readonly shared: SharedState | undefined;
  private readonly http: HttpClient;
  private readonly throttle: Throttle;
  private readonly tokens: TokenManager;
  private readonly source: TokenSource;
  private readonly retry: RetryOptions;
  /** Every token issued to this connection, to keep them out of messages (see redact()). */
  private readonly issued = new Set<string>();
  private headersFor: IssuedToken | undefined;
  /** 429s in a row: each one doubles the pause. */
  private rateLimitedStreak = 0;
  private pauseTimer: NodeJS.Timeout | undefined;
  private readonly onPaused: ((until: number | undefined) => void) | undefined;
  private headers: Record<string, string> = {};
  private maskerToken: IssuedToken | undefined;
  private masker: (text: string) => string = (text) => text;

  constructor(options: ConnectionOptions) {
    this.baseUrl = normaliseBaseUrl(options.baseUrl);
    this.sourceId = options.sourceId?.trim() || undefined;
    this.uploadUrl = options.uploadUrl;
    this.shared = options.shared;
    this.onPaused = options.onPaused;
    this.retry = options.retry ?? DEFAULT_RETRY;
    const throttle = options.throttle ?? DEFAULT_THROTTLE;
    this.throttle = new Throttle(throttle);
    this.http = new HttpClient({
      maxSockets: throttle.maxConcurrent,
      userAgent: options.userAgent,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxResponseBytes: options.maxResponseBytes,
      tls: options.tls,
      onRequest: () => {
        this.throttle.record();
        this.shared?.budget.record();
      },
    });
    const source = options.tokenSource(this.http, this.baseUrl);
    this.source = this.shared ? this.shared.shareTokens(source) : source;
    const remember = (token: IssuedToken) => {
      this.issued.add(token.accessToken);
      if (token.refreshToken) this.issued.add(token.refreshToken);
    };
    this.tokens = new TokenManager(this.source, {
      onBackgroundError: options.onBackgroundError,
      onIssued: remember,
      onWaiting: options.onAuthenticating,
    });
    if (options.initialToken) {
      remember(options.initialToken);
      this.tokens.adopt(options.initialToken);
    }
  }

  /** A valid access token (authenticating or refreshing when needed), retried like a request. */
  getToken(signal?: AbortSignal): Promise<IssuedToken> {
    return withRetries(() => untilStopped(this.tokens.getToken(), signal), this.retry, signal);
  }

  /** How many messages wait in the throttle's queue. */
  get queued(): number {
    return this.throttle.queued;
  }

  /** The token held now, if any, to carry over a redeploy. */
  currentToken(): IssuedToken | undefined {
    return this.tokens.current();
  }

  /**
   * Posts a Data Model request, retrying what the retry rules allow. Each attempt waits its turn
   * in the throttle, then takes the token (so a message that waited uses the newest). Within an
   * attempt a 401 invalidates the token and sends once more with a new one; a second 401 is
   * reported. Resolves only for a success; every failure is a RedoxError.
   */
  post(path: string, body: string, options: SendOptions = {}): Promise<RedoxResult> {
    return this.send(this.baseUrl + path, body, options);
  }

  /**
   * Uploads a file to Redox's file upload as multipart/form-data (field `file`), with the same
   * token, retries and throttle as post(); resolves with Redox's answer, `{URI}`. The Blob is the
   * one copy of the bytes the encoder needs; got streams it from there.
   */
  upload(file: UploadFile, options: SendOptions = {}): Promise<RedoxResult> {
    const url = uploadUrlFor(this.baseUrl, this.uploadUrl);
    const form = new FormData();
    form.append('file', new Blob([file.bytes as Uint8Array as BlobPart], { type: file.contentType }), file.filename);
    return this.send(url, form, options);
  }

  private send(url: string, body: string | FormData, options: SendOptions): Promise<RedoxResult> {
    let firstAttemptAt: number | undefined; // the retry window starts here, not on arrival in the queue
    const attempt = () =>
      this.throttle.run(() => {
        firstAttemptAt ??= Date.now();
        return this.shared ? this.sharedAttempt(this.shared, url, body, options) : this.attempt(url, body, options);
      }, options.signal);
    return withRetries(attempt, this.retry, options.signal, {
      startedAt: () => firstAttemptAt ?? Date.now(),
      // after a 429 the retry waits for the connection's pause, not for a back-off of its own on top
      delayFor: (err) => (err.details.statusCode === 429 ? Math.max(0, (this.throttle.pausedUntilTime ?? 0) - Date.now()) : undefined),
    });
  }

  private async attempt(url: string, body: string | FormData, options: SendOptions): Promise<RedoxResult> {
    // waiting for a token ends when the message's node stops (a redeploy during authentication)
    let token =
      this.tokens.ready() ?? (await untilStopped(this.tokens.getToken(), options.signal).catch((err: unknown) => this.pauseIf429(err)));
    let res = await this.postWith(token, url, body, options, true); // throttle.run counted it
    if (res.statusCode === 401) {
      this.tokens.invalidate(token.accessToken);
      token = await untilStopped(this.tokens.getToken(), options.signal);
      res = await this.postWith(token, url, body, options, false);
      if (res.statusCode === 401) {
        throw new RedoxError(
          'unauthorized',
          { reason: excerpt(res.body) || '-' },
          { ...responseDetails(res), errors: metaErrors(res.body) },
        );
      }
    }
    if (res.statusCode === 429) this.pauseAfter429(res.headers);
    else this.rateLimitedStreak = 0;
    return interpret(res);
  }

  /** An attempt in a turn of the budget shared with other instances (the local throttle let it start). */
  private async sharedAttempt(shared: SharedState, url: string, body: string | FormData, options: SendOptions): Promise<RedoxResult> {
    const turn = await shared.budget.waitTurn(options.signal, (until) => this.pauseUntil(until));
    try {
      return await this.attempt(url, body, options);
    } finally {
      shared.budget.done(turn);
    }
  }

  /** An authentication refused with 429 pauses the connection too; the error goes on to the retry rules. */
  private pauseIf429(err: unknown): never {
    if (isRedoxError(err) && err.details.statusCode === 429) this.pauseAfter429(err.details.headers ?? {});
    throw err;
  }

  /**
   * Redox's rate window is five minutes per IP, shared with everything on that IP: after a 429 the
   * whole connection pauses (every queued message waits, not only this one), for Retry-After when
   * Redox sends it, else for a pause that doubles with each 429 in a row.
   */
  private pauseAfter429(headers: Record<string, unknown>): void {
    // the 429s of requests sent before the pause began belong to it: one pause for them all
    if (this.throttle.pausedUntilTime !== undefined) return;
    this.rateLimitedStreak++;
    const given = retryAfterMs(new RedoxError('httpStatus', {}, { headers }));
    const pause = given ?? Math.min(this.retry.backoffMs * 2 ** (this.rateLimitedStreak - 1), MAX_PAUSE_MS);
    const until = Date.now() + Math.min(pause, MAX_PAUSE_MS);
    this.shared?.budget.pauseAll(until - Date.now()); // the window is Redox's, per IP: every instance waits
    this.pauseUntil(until);
  }

  /** Starts nothing until then (epoch ms), and says so until it is over. */
  private pauseUntil(until: number): void {
    if ((this.throttle.pausedUntilTime ?? 0) >= until) return; // said already (another instance's pause is heard on every turn)
    this.throttle.pause(until);
    if (!this.onPaused) return;
    this.onPaused(until);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.onPaused?.(undefined), until - Date.now());
    this.pauseTimer.unref();
  }

  /** Replaces any secret or token of this connection found in text with "***". */
  redact(text: string): string {
    return redactText(text, this.secrets());
  }

  /** A copy of a value (a body, Meta.Errors, headers) with every secret or token of this connection masked, in every string. */
  redactDeep<T>(value: T): T {
    return redactDeep(value, this.secrets());
  }

  private secrets(): string[] {
    return [...this.source.secrets, ...this.issued];
  }

  close(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.shared?.close();
    this.throttle.close();
    this.tokens.close();
    this.http.close();
  }

  private postWith(
    token: IssuedToken,
    url: string,
    body: string | FormData,
    options: SendOptions,
    counted: boolean,
  ): Promise<HttpResponse> {
    return this.http.post(url, body, {
      headers: this.authorization(token),
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      counted,
      redact: this.maskerFor(token),
    });
  }

  /**
   * What masks a token in an answer (a server that echoes the request would hand it back), made
   * once per token rather than once per request.
   */
  private maskerFor(token: IssuedToken): (text: string) => string {
    if (this.maskerToken !== token) {
      this.maskerToken = token;
      const secret = token.accessToken;
      this.masker = (text) => (text.includes(secret) ? text.split(secret).join('***') : text);
    }
    return this.masker;
  }

  /** The Authorization header for a token (and the source's), made once per token rather than once per request. */
  private authorization(token: IssuedToken): Record<string, string> {
    if (this.headersFor !== token) {
      this.headersFor = token;
      const source: Record<string, string> = this.sourceId ? { 'redox-source-id': this.sourceId } : {};
      this.headers = Object.freeze({ authorization: `Bearer ${token.accessToken}`, ...source });
    }
    return this.headers;
  }
}
