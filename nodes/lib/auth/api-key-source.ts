/**
 * Legacy API-key authentication (../shared/redox-api.md section 1): POST /auth/authenticate with
 * the key and secret, POST /auth/refreshToken with the key and the latest refresh token.
 */
import { excerpt, isRedoxError, RedoxError, responseDetails } from '../shared/errors';
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

  /**
   * What Redox answers to a stale or unknown refresh token is not documented (../shared/redox-api.md
   * section 1): any HTTP answer but a usable token counts as refused, so that the manager
   * authenticates again; except 429, which says wait. Network errors and timeouts pass as they are.
   */
  async renew(previous: IssuedToken): Promise<IssuedToken> {
    try {
      return await this.post('/auth/refreshToken', { apiKey: this.credentials.apiKey, refreshToken: previous.refreshToken });
    } catch (err) {
      const status = isRedoxError(err) ? err.details.statusCode : undefined;
      if (!isRedoxError(err) || err.code === 'authRefused' || status === undefined || status === 429) throw err;
      throw new RedoxError('authRefused', { status, reason: err.params.reason ?? '-' }, err.details);
    }
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
