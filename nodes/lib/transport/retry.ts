/**
 * Which failures are sent again, and when. Redox has no idempotency key, so only what Redox
 * certainly did not accept is retried by default: 429 (rate limited) and a refused connection.
 * 502, 503 and 504 may have been accepted (a retry could create a duplicate): only on request.
 */
import { isRedoxError, RedoxError } from '../shared/errors';

export interface RetryOptions {
  /** Attempts in all, the first included (1 = never retry). */
  maxAttempts: number;
  /** No retry starts later than this after the first attempt. */
  maxTotalMs: number;
  /** First back-off delay; doubled each time, with jitter. */
  backoffMs: number;
  /** Also retry 502, 503 and 504. */
  retryGateway: boolean;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 4, maxTotalMs: 60_000, backoffMs: 1000, retryGateway: false };

/** Longest single wait, whatever Retry-After says. */
const MAX_DELAY_MS = 60_000;

function statusOf(err: RedoxError): number | undefined {
  return err.details.statusCode;
}

export function isRetryable(err: unknown, options: RetryOptions): err is RedoxError {
  if (!isRedoxError(err)) return false;
  if (err.code === 'network') return err.params.reason === 'ECONNREFUSED'; // nothing reached Redox
  const status = statusOf(err);
  if (status === 429) return true;
  return options.retryGateway && (status === 502 || status === 503 || status === 504);
}

/** Retry-After as milliseconds (seconds or an HTTP date), when present and sane. */
export function retryAfterMs(err: RedoxError, now = Date.now()): number | undefined {
  const header = err.details.headers?.['retry-after'];
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before attempt `attempt + 1`: Retry-After when given, else exponential back-off with jitter. */
export function retryDelay(attempt: number, err: RedoxError, options: RetryOptions, random = Math.random): number {
  const given = retryAfterMs(err);
  const delay = given ?? options.backoffMs * 2 ** (attempt - 1) * (0.5 + random());
  return Math.min(delay, MAX_DELAY_MS);
}

/** A message that could not be sent within its window because of 429s ends as 'rateLimited'. */
function rateLimitedOr(err: unknown): unknown {
  if (!isRedoxError(err) || statusOf(err) !== 429) return err;
  return new RedoxError('rateLimited', { count: err.details.attempts?.length ?? 1 }, err.details);
}

/** A short description of one failed attempt, for the final error. */
function describeAttempt(err: unknown): string {
  if (!isRedoxError(err)) return 'error';
  const status = statusOf(err);
  if (status !== undefined) return String(status);
  return err.code === 'network' ? String(err.params.reason) : err.code;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RedoxError('stopped'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RedoxError('stopped'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails with something not retryable, or the caps are reached.
 * The error that ends it lists every attempt's failure in details.attempts.
 */
/** How a caller adjusts the retry rules: when the window starts, and a wait of its own for some failures. */
export interface RetryHooks {
  /** When the first attempt started: the retry window counts from there, not from a wait in a queue. */
  startedAt?: () => number;
  /** A wait for this failure instead of the back-off (e.g. 0 after a 429 when a pause already holds the retry). */
  delayFor?: (err: RedoxError) => number | undefined;
}

export function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions, signal?: AbortSignal, hooks: RetryHooks = {}): Promise<T> {
  // The first attempt directly: most succeed, and need none of the loop's bookkeeping.
  return attempt().catch((err: unknown) => retryAfter(err, attempt, options, (hooks.startedAt ?? Date.now)(), signal, hooks.delayFor));
}

/** After a failed attempt: retry while the rules allow, then throw the last error with every attempt's failure. */
async function retryAfter<T>(
  first: unknown,
  attempt: () => Promise<T>,
  options: RetryOptions,
  started: number,
  signal?: AbortSignal,
  delayFor?: (err: RedoxError) => number | undefined,
): Promise<T> {
  const failures: string[] = [];
  let err: unknown = first;
  for (let n = 1; ; n++) {
    failures.push(describeAttempt(err));
    const delay = isRetryable(err, options) && n < options.maxAttempts ? (delayFor?.(err) ?? retryDelay(n, err, options)) : undefined;
    if (delay === undefined || Date.now() + delay - started > options.maxTotalMs) {
      if (isRedoxError(err) && failures.length > 1) err.details.attempts = failures;
      throw rateLimitedOr(err);
    }
    await sleep(delay, signal);
    try {
      return await attempt();
    } catch (next) {
      err = next;
    }
  }
}
