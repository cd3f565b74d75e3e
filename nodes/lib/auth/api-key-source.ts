/**
 * Legacy API-key authentication (../shared/redox-api.md section 1): POST /auth/authenticate with
 * the key and secret, POST /auth/refreshToken with the key and the latest refresh token.
 */
import { excerpt, RedoxError, responseDetails } from '../shared/errors';
import type { HttpClient, HttpResponse } from '../transport/http';
import type { IssuedToken, TokenSource } from './token-source';

export interface ApiKeyCredentials {
  apiKey: string;
  secret: string;
}

export class ApiKeyTokenSource implements TokenSource {
  readonly secrets: readonly string[];

  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly credentials: ApiKeyCredentials,
    private readonly now: () => number = Date.now,
  ) {
    this.secrets = [credentials.secret];
  }

  obtain(): Promise<IssuedToken> {
    return this.post('/auth/authenticate', { apiKey: this.credentials.apiKey, secret: this.credentials.secret });
  }

  renew(previous: IssuedToken): Promise<IssuedToken> {
    return this.post('/auth/refreshToken', { apiKey: this.credentials.apiKey, refreshToken: previous.refreshToken });
  }

  private async post(path: string, body: object): Promise<IssuedToken> {
    const res = await this.http.post(this.baseUrl + path, JSON.stringify(body));
    if (res.statusCode === 401 || res.statusCode === 403) {
      // Redox answers these in plain text ("Invalid request"): that text is the reason to show.
      throw new RedoxError('authRefused', { status: res.statusCode, reason: excerpt(res.body) || '-' }, responseDetails(res));
    }
    if (res.statusCode !== 200) {
      throw new RedoxError('authFailed', { status: res.statusCode, reason: excerpt(res.body) || '-' }, responseDetails(res));
    }
    return this.readToken(res);
  }

  private readToken(res: HttpResponse): IssuedToken {
    const b = res.body as Record<string, unknown> | null;
    const expiresAt = typeof b?.expires === 'string' ? Date.parse(b.expires) : NaN;
    if (!res.json || typeof b?.accessToken !== 'string' || !b.accessToken || Number.isNaN(expiresAt)) {
      throw new RedoxError('authBadResponse', { status: res.statusCode }, { statusCode: res.statusCode });
    }
    return {
      accessToken: b.accessToken,
      expiresAt,
      obtainedAt: this.now(),
      refreshToken: typeof b.refreshToken === 'string' && b.refreshToken ? b.refreshToken : undefined,
    };
  }
}
