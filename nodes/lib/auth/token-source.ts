/**
 * How a token is obtained. The token manager only knows this interface, so another method
 * (Redox's OAuth API keys) can be added beside legacy API keys without touching the flow nodes.
 */

export interface IssuedToken {
  readonly accessToken: string;
  /** Epoch milliseconds at which Redox stops accepting the token. */
  readonly expiresAt: number;
  /** Epoch milliseconds at which it was received, to size the refresh margin. */
  readonly obtainedAt: number;
  /** Present when the method can renew without the secret. */
  readonly refreshToken?: string;
}

export interface TokenSource {
  /** Gets a new token from the credentials alone. */
  obtain(): Promise<IssuedToken>;
  /**
   * Renews from an earlier token, where the method supports it. Rejects with a RedoxError whose
   * code is 'authRefused' when Redox refuses the renewal; the manager then calls obtain().
   */
  renew?(previous: IssuedToken): Promise<IssuedToken>;
  /** Redox refused this token (a 401): a source that shares tokens must not hand it out again. */
  forget?(accessToken: string): void;
  /** Values that must never appear in any output (secrets); tokens are tracked by the manager. */
  readonly secrets: readonly string[];
}
