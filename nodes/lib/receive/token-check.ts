/**
 * The verification token Redox sends with every request to a destination. Compared in constant
 * time: both sides are hashed first, so neither the token's length nor its first differing
 * character shows in how long a refusal takes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class TokenCheck {
  private readonly expected: Buffer | undefined;

  /** An empty or missing token matches nothing. */
  constructor(token: string | undefined) {
    this.expected = token ? digest(token) : undefined;
  }

  get configured(): boolean {
    return this.expected !== undefined;
  }

  matches(candidate: unknown): boolean {
    if (!this.expected || typeof candidate !== 'string' || candidate === '') return false;
    return timingSafeEqual(digest(candidate), this.expected);
  }

  /** A delivery carries the token in `verification-token`, and newer ones also as `Authorization: Bearer`. */
  matchesHeaders(headers: IncomingHttpHeaders): boolean {
    if (this.matches(headers['verification-token'])) return true;
    const auth = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
    return auth !== null && this.matches(auth[1].trim());
  }
}
