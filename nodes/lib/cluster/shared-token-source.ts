/**
 * One token for every instance that shares a connection's Redis keys. It wraps the connection's
 * own token source: a token another instance stored (encrypted) and that is not yet due for
 * renewal is taken as it is; otherwise one instance at a time (a lock that expires, so a crashed
 * holder blocks no one for long) authenticates or renews and stores the result, and the others
 * wait for it. While Redis is unreachable the wrapped source is used directly.
 */
import { randomUUID } from 'node:crypto';
import { renewAt } from '../auth/token-manager';
import type { IssuedToken, TokenSource } from '../auth/token-source';
import { RedisUnavailable, type RedisLink } from './redis-link';
import { RELEASE_LOCK } from './scripts';
import type { TokenCipher } from './token-cipher';

/** How long the lock is held at most: above an authentication's usual time, far below a token's life. */
const LOCK_MS = 30_000;
/** How often an instance waiting for another's renewal looks for the result. */
const POLL_MS = 50;
/** Tokens Redox refused, remembered so that none is handed out again (a few suffice). */
const MAX_REFUSED = 16;

export interface TokenKeys {
  token: string;
  lock: string;
}

export class SharedTokenSource implements TokenSource {
  readonly secrets: readonly string[];
  readonly renew?: (previous: IssuedToken) => Promise<IssuedToken>;
  private readonly refused: string[] = [];

  constructor(
    private readonly inner: TokenSource,
    private readonly link: RedisLink,
    private readonly keys: TokenKeys,
    private readonly cipher: TokenCipher,
    private readonly now: () => number = Date.now,
  ) {
    this.secrets = inner.secrets;
    const renew = inner.renew?.bind(inner);
    // renewing uses the newest refresh token known, another instance's when it renewed last
    if (renew) this.renew = (previous) => this.shared(previous, (latest) => renew(latest ?? previous));
  }

  obtain(): Promise<IssuedToken> {
    return this.shared(undefined, () => this.inner.obtain());
  }

  forget(accessToken: string): void {
    this.refused.push(accessToken);
    if (this.refused.length > MAX_REFUSED) this.refused.shift();
    this.inner.forget?.(accessToken);
  }

  private async shared(previous: IssuedToken | undefined, fetch: (latest?: IssuedToken) => Promise<IssuedToken>): Promise<IssuedToken> {
    const giveUpAt = this.now() + LOCK_MS;
    try {
      for (;;) {
        const stored = await this.read();
        if (this.usable(stored, previous)) return stored!;
        const owner = randomUUID();
        if ((await this.link.run((c) => c.set(this.keys.lock, owner, 'PX', LOCK_MS, 'NX'))) === 'OK') {
          return await this.fetchHolding(owner, previous, fetch);
        }
        // a holder that never finishes (it crashed) is waited for as long as its lock lasts
        if (this.now() > giveUpAt) return await fetch(previous);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } catch (err) {
      if (err instanceof RedisUnavailable) return fetch(previous);
      throw err;
    }
  }

  private async fetchHolding(owner: string, previous: IssuedToken | undefined, fetch: (latest?: IssuedToken) => Promise<IssuedToken>) {
    try {
      const stored = await this.read();
      if (this.usable(stored, previous)) return stored!;
      const token = await fetch(newest(stored, previous));
      await this.write(token).catch(() => undefined); // the others authenticate for themselves if it is not stored
      return token;
    } finally {
      await this.link.script(RELEASE_LOCK, [this.keys.lock], [owner]).catch(() => undefined); // else it expires
    }
  }

  /** A stored token this instance may use: not refused, not the one being replaced, not yet due for renewal. */
  private usable(stored: IssuedToken | undefined, previous: IssuedToken | undefined): boolean {
    return (
      stored !== undefined &&
      stored.accessToken !== previous?.accessToken &&
      !this.refused.includes(stored.accessToken) &&
      this.now() < renewAt(stored)
    );
  }

  private async read(): Promise<IssuedToken | undefined> {
    return this.cipher.open(await this.link.run((c) => c.get(this.keys.token)));
  }

  private async write(token: IssuedToken): Promise<void> {
    const ttl = token.expiresAt - this.now();
    if (ttl <= 0) return;
    await this.link.run((c) => c.set(this.keys.token, this.cipher.seal(token), 'PX', ttl));
  }
}

/** The later of two tokens (its refresh token is the one Redox will take). */
function newest(a: IssuedToken | undefined, b: IssuedToken | undefined): IssuedToken | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.expiresAt >= b.expiresAt ? a : b;
}
