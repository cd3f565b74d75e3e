/**
 * OAuth API keys (../shared/redox-api.md section 5): a signed JWT assertion, exchanged at
 * POST /v2/auth/token for a 5-minute access token. There is no refresh token: each renewal signs
 * a new assertion. Signing uses jose.
 */
import { randomUUID } from 'node:crypto';
import { loadJose } from '../transport/esm';
import { excerpt, RedoxError, responseDetails } from '../shared/errors';
import type { HttpClient, HttpResponse } from '../transport/http';
import type { SigningKey } from './oauth-key';
import type { IssuedToken, TokenSource } from './token-source';

export const ASSERTION_LIFETIME_S = 300;
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface OAuthCredentials {
  clientId: string;
  signing: SigningKey;
  /** Sent as `kid`: required with RS384 and ES384, sent with HS384 too when set. */
  keyId?: string;
  scope?: string;
}

export class OAuthTokenSource implements TokenSource {
  readonly secrets: readonly string[];
  private readonly tokenUrl: string;

  constructor(
    private readonly http: HttpClient,
    baseUrl: string,
    private readonly credentials: OAuthCredentials,
    private readonly now: () => number = Date.now,
  ) {
    this.tokenUrl = `${baseUrl}/v2/auth/token`;
    this.secrets = credentials.signing.key instanceof Uint8Array ? [new TextDecoder().decode(credentials.signing.key)] : [];
  }

  async obtain(): Promise<IssuedToken> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: await this.assertion(),
    });
    if (this.credentials.scope) form.set('scope', this.credentials.scope);
    const res = await this.http.post(this.tokenUrl, form.toString(), { contentType: 'application/x-www-form-urlencoded' });
    if (res.statusCode === 400 || res.statusCode === 401 || res.statusCode === 403) {
      throw new RedoxError('authRefused', { status: res.statusCode, reason: oauthReason(res) }, responseDetails(res));
    }
    if (res.statusCode !== 200) {
      throw new RedoxError('authFailed', { status: res.statusCode, reason: oauthReason(res) }, responseDetails(res));
    }
    return this.readToken(res);
  }

  /** A fresh signed assertion: iss = sub = client ID, aud = the token URL, 5 minutes, a random jti. */
  private async assertion(): Promise<string> {
    const { SignJWT } = await loadJose();
    const { clientId, signing, keyId } = this.credentials;
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: signing.alg, typ: 'JWT', ...(keyId ? { kid: keyId } : {}) })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(this.tokenUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_S)
      .setJti(randomUUID())
      .sign(signing.key);
  }

  private readToken(res: HttpResponse): IssuedToken {
    const b = res.body as Record<string, unknown> | null;
    const seconds = typeof b?.expires_in === 'number' ? b.expires_in : Number(b?.expires_in);
    if (!res.json || typeof b?.access_token !== 'string' || !b.access_token || !(seconds > 0)) {
      throw new RedoxError('authBadResponse', { status: res.statusCode }, { statusCode: res.statusCode });
    }
    const obtainedAt = this.now();
    return { accessToken: b.access_token, expiresAt: obtainedAt + seconds * 1000, obtainedAt };
  }
}

/** OAuth's {error, error_description}, or the text sent. */
function oauthReason(res: HttpResponse): string {
  const b = res.body as Record<string, unknown> | null;
  if (res.json && typeof b?.error === 'string') {
    return excerpt(typeof b.error_description === 'string' ? `${b.error}: ${b.error_description}` : b.error);
  }
  return excerpt(res.body) || '-';
}
