/**
 * The token lifecycle of one config node: obtain lazily, share one in-flight call among every
 * waiter, renew ahead of expiry off the request path, fall back from a refused renewal to a new
 * authentication at once, and forget a token that Redox refused.
 */
import { isRedoxError, RedoxError } from '../shared/errors';
import type { IssuedToken, TokenSource } from './token-source';

/** Renew this long before expiry at most (a 24 h token is renewed 5 minutes early)... */
const MAX_MARGIN_MS = 5 * 60 * 1000;
/** ...else this share of the lifetime (OAuth's 5-minute token, 30 s early)... */
const MARGIN_SHARE = 0.1;
/** ...but for short lives up to 2 s or a quarter of the lifetime, so that a busy process renews in time. */
const SHORT_MARGIN_MS = 2000;
const SHORT_MARGIN_SHARE = 0.25;
/** A token that seems to expire sooner (clock skew) is still used for this long; a 401 corrects it. */
const MIN_LIFETIME_MS = 1000;
/** Renewals of tokens that arrive expired wait this long, doubling each time, up to the maximum. */
const EXPIRED_BACKOFF_MS = 2000;
const MAX_EXPIRED_BACKOFF_MS = 5 * 60 * 1000;
/** setTimeout cannot wait longer than this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TokenManagerOptions {
  now?: () => number;
  /** Told when a renewal in the background fails; the next request tries again. */
  onBackgroundError?: (err: RedoxError) => void;
  /** Told whenever a token is issued, so that outputs can be scanned for it. */
  onIssued?: (token: IssuedToken) => void;
  /** Told when callers start waiting for a token (true) and when the wait ends (false). */
  onWaiting?: (waiting: boolean) => void;
}

export class TokenManager {
  private currentToken: IssuedToken | undefined;
  /** The token last refused or expired: its refresh token may still renew it. */
  private previous: IssuedToken | undefined;
  private pending: Promise<IssuedToken> | undefined;
  /** A refresh token Redox refused: never sent again. */
  private refusedRefresh: string | undefined;
  /** How many tokens in a row arrived already expired, and when the next renewal may start. */
  private expiredStreak = 0;
  private renewNotBefore = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly source: TokenSource,
    private readonly options: TokenManagerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A token valid for a while yet; at most one authenticate or refresh call is made for all callers. */
  getToken(): Promise<IssuedToken> {
    if (this.closed) return Promise.reject(new RedoxError('stopped'));
    const token = this.ready();
    return token ? Promise.resolve(token) : this.waitForRenewal();
  }

  /**
   * The token when one is valid now, without waiting (the path nearly every request takes);
   * undefined when a caller has to wait for getToken().
   */
  ready(): IssuedToken | undefined {
    const token = this.currentToken;
    if (this.closed || !token) return undefined;
    const now = this.now();
    if (now >= token.expiresAt) return undefined;
    if (now >= renewAt(token) && now >= this.renewNotBefore) this.renewInBackground(); // the timer was late: renew, but don't wait
    return token;
  }

  /** The token held now, if any. */
  current(): IssuedToken | undefined {
    return this.closed ? undefined : this.currentToken;
  }

  /** Takes over a token obtained earlier (kept over a redeploy), with its renewal timer. */
  adopt(token: IssuedToken): void {
    if (this.closed || this.now() >= token.expiresAt) return;
    this.currentToken = token;
    this.schedule(token);
  }

  /** Redox refused this token: the next getToken() renews it (unless that already happened). */
  invalidate(accessToken: string): void {
    this.source.forget?.(accessToken);
    if (this.currentToken?.accessToken === accessToken) {
      this.previous = this.currentToken;
      this.currentToken = undefined;
      this.clearTimer();
    }
  }

  /** Stops the renewal timer; pending and later calls fail with 'stopped'. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    this.currentToken = undefined;
    this.previous = undefined;
  }

  /** A renewal that requests wait for: the only kind worth showing. */
  private waitForRenewal(): Promise<IssuedToken> {
    const first = !this.pending;
    const renewal = this.renewOnce();
    if (first && this.options.onWaiting) {
      this.options.onWaiting(true);
      renewal.then(
        () => this.options.onWaiting?.(false),
        () => this.options.onWaiting?.(false),
      );
    }
    return renewal;
  }

  private renewOnce(): Promise<IssuedToken> {
    if (!this.pending) {
      this.pending = this.fetch().finally(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }

  private async fetch(): Promise<IssuedToken> {
    let token = await this.renewOrObtain();
    if (this.closed) throw new RedoxError('stopped');
    this.noteLifetime(token);
    token = withMinimumLifetime(token);
    this.currentToken = token;
    this.previous = undefined;
    this.options.onIssued?.(token);
    this.schedule(token);
    return token;
  }

  /**
   * Renews with the refresh token when there is one worth trying, else authenticates. A refused
   * renewal (any answer but a token or a 429: Redox does not document which) authenticates at
   * once and the refresh token is not tried again; so does any failed renewal once the token has
   * expired. A still-valid token whose renewal failed otherwise (network, timeout, 429) is kept,
   * and the failure goes to the caller's retry rules.
   */
  private async renewOrObtain(): Promise<IssuedToken> {
    const earlier = this.currentToken ?? this.previous;
    if (!earlier?.refreshToken || !this.source.renew || earlier.refreshToken === this.refusedRefresh) return this.source.obtain();
    try {
      return await this.source.renew(earlier);
    } catch (err) {
      const refused = isRedoxError(err) && err.code === 'authRefused';
      const expired = this.now() >= earlier.expiresAt;
      const rateLimited = isRedoxError(err) && err.details.statusCode === 429;
      if (!refused && !(expired && !rateLimited)) throw err;
      if (refused) this.refusedRefresh = earlier.refreshToken;
      if (expired) this.drop(earlier);
      return this.source.obtain();
    }
  }

  /** Forgets a token that can no longer be used or renewed. */
  private drop(token: IssuedToken): void {
    if (this.currentToken === token) this.currentToken = undefined;
    if (this.previous === token) this.previous = undefined;
  }

  /**
   * A token that arrives expired, or all but (a clock far off, or a bad answer), would be renewed
   * over and over: renewals of such tokens are spaced out, doubling each time, and it is said once.
   */
  private noteLifetime(token: IssuedToken): void {
    if (token.expiresAt - token.obtainedAt >= MIN_LIFETIME_MS) {
      this.expiredStreak = 0;
      this.renewNotBefore = 0;
      return;
    }
    this.expiredStreak++;
    this.renewNotBefore = this.now() + Math.min(EXPIRED_BACKOFF_MS * 2 ** (this.expiredStreak - 1), MAX_EXPIRED_BACKOFF_MS);
    if (this.expiredStreak === 1) this.options.onBackgroundError?.(new RedoxError('expiredToken'));
  }

  /** Renews in the background ahead of expiry, so that no request waits for it. */
  private schedule(token: IssuedToken): void {
    this.clearTimer();
    const delay = Math.min(Math.max(renewAt(token) - this.now(), this.renewNotBefore - this.now(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed && this.currentToken === token) this.renewInBackground();
    }, delay);
    this.timer.unref();
  }

  private renewInBackground(): void {
    this.renewOnce().catch((err: unknown) => {
      if (isRedoxError(err) && err.code === 'stopped') return;
      this.options.onBackgroundError?.(isRedoxError(err) ? err : new RedoxError('authFailed', { status: 0, reason: '-' }));
    });
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** When a token is due for renewal: ahead of expiry by a margin that suits its lifetime. */
export function renewAt(token: IssuedToken): number {
  const lifetime = token.expiresAt - token.obtainedAt;
  const margin = Math.min(MAX_MARGIN_MS, Math.max(lifetime * MARGIN_SHARE, Math.min(SHORT_MARGIN_MS, lifetime * SHORT_MARGIN_SHARE)));
  return token.expiresAt - margin;
}

function withMinimumLifetime(token: IssuedToken): IssuedToken {
  if (token.expiresAt - token.obtainedAt >= MIN_LIFETIME_MS) return token;
  return { ...token, expiresAt: token.obtainedAt + MIN_LIFETIME_MS };
}
