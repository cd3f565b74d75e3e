/**
 * The emulator's authentication (../shared/redox-api.md sections 1 and 5): legacy API keys
 * (/auth/authenticate, /auth/refreshToken) and OAuth API keys (/v2/auth/token with a signed
 * assertion), and the access tokens they issue.
 */
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import type http from 'node:http';
import { ASSERTION_LIFETIME_S, CLIENT_ASSERTION_TYPE } from '../nodes/lib/auth/oauth-source';
import { loadJose } from '../nodes/lib/transport/esm';
import type { Sender, Source } from './data-models';
import { parseJson, reply, replyJson, TEXT_TYPE } from './http-helpers';
import { SAMPLE_SOURCE } from './sample-data';

export interface EmulatorCredential {
  apiKey: string;
  secret: string;
  source?: Source;
  /** The sources this key may send as: each request must name one (Meta.Source.ID or the Redox-Source-Id header). */
  sources?: Source[];
}

/** An OAuth API key the emulator accepts: public keys by key ID (RS384, ES384) and/or a shared secret (HS384). */
export interface OAuthClient {
  clientId: string;
  keys?: Array<{ kid: string; publicKey: string }>;
  secret?: string;
  source?: Source;
  /** As for a legacy key: several sources, one to be named per request. */
  sources?: Source[];
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

/** What the emulator's owner may change while it runs (tests shorten lifetimes, skew the clock). */
export interface AuthSettings {
  /** Lifetime of legacy tokens. */
  tokenLifetimeMs: number;
  /** Lifetime of tokens from /v2/auth/token. */
  oauthTokenLifetimeMs: number;
  /** Added to the emulator's clock when it checks assertions. */
  clockOffsetMs: number;
}

/** The counters authentication adds to. */
export interface AuthCalls {
  authenticate: number;
  refreshToken: number;
  oauthToken: number;
}

/** Who an access token was issued to, and until when. */
export interface AccessGrant {
  apiKey: string;
  expiresAt: number;
}

/** How far an assertion's clock may be off the emulator's: Redox allows 10 s of skew. */
const CLOCK_TOLERANCE_S = 10;
/** Redox wants `iat` within the past five minutes. */
const MAX_ASSERTION_AGE_S = 300;
/** OAuth errors carry an error_uri; the page Redox links to is not recorded, so this is the troubleshooting page's address. */
const ERROR_URI = 'https://docs.redoxengine.com/troubleshooting/troubleshoot-oauth-api-key-errors/';

export class EmulatorAuth {
  private readonly credentials: EmulatorCredential[];
  private readonly oauthClients: OAuthClient[];
  /** Assertion IDs already used, with when they expire. */
  private readonly seenJti = new Map<string, number>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  private readonly refreshTokens = new Map<string, string>(); // refresh token -> apiKey
  private readonly issued: string[] = [];
  private readonly issuedAccess = new Set<string>();

  constructor(
    credentials: EmulatorCredential[] | undefined,
    oauthClients: OAuthClient[] | undefined,
    private readonly settings: AuthSettings,
    private readonly calls: AuthCalls,
  ) {
    this.credentials = credentials ?? [DEMO_CREDENTIALS];
    this.oauthClients = (oauthClients ?? [DEMO_OAUTH_CLIENT]).map((c) => ({ ...c, keys: [...(c.keys ?? [])] }));
  }

  /** POST /auth/authenticate. */
  authenticate(res: http.ServerResponse, raw: string): void {
    this.calls.authenticate++;
    const body = parseJson(raw) as { apiKey?: unknown; secret?: unknown } | undefined;
    const credential = this.credentials.find((c) => c.apiKey === body?.apiKey);
    if (!credential) return reply(res, 401, 'Invalid request', TEXT_TYPE);
    if (credential.secret !== body?.secret) return reply(res, 401, 'Invalid source secret', TEXT_TYPE);
    replyJson(res, 200, this.issue(credential.apiKey));
  }

  /** POST /auth/refreshToken. */
  refresh(res: http.ServerResponse, raw: string): void {
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
  async oauthToken(req: http.IncomingMessage, res: http.ServerResponse, raw: string, tokenUrl: string): Promise<void> {
    this.calls.oauthToken++;
    const refuse = (status: number, error: string, description: string) =>
      replyJson(res, status, { error, error_description: description, error_uri: ERROR_URI });
    if (!/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
      return refuse(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE)
      return refuse(400, 'invalid_request', 'client_assertion_type must be jwt-bearer');
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
    let key: Uint8Array | KeyObject;
    if (header.alg === 'HS384' && client.secret) {
      key = new TextEncoder().encode(client.secret);
    } else if (header.alg === 'RS384' || header.alg === 'ES384') {
      const registered = client.keys?.find((k) => k.kid === header.kid);
      if (!registered) return refuse(401, 'invalid_client', `unknown key ID (kid) for this client: ${header.kid ?? 'none'}`);
      key = createPublicKey(registered.publicKey);
    } else {
      return refuse(400, 'invalid_request', `unsupported algorithm: ${header.alg ?? 'none'}`);
    }
    const now = Date.now() + this.settings.clockOffsetMs;
    try {
      await jose.jwtVerify(assertion, key, {
        algorithms: [header.alg],
        audience: tokenUrl,
        currentDate: new Date(now),
        clockTolerance: CLOCK_TOLERANCE_S,
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
        return refuse(401, 'invalid_client', 'the assertion signature does not match the registered key');
      if (code === 'ERR_JWT_EXPIRED') return refuse(400, 'invalid_grant', 'the assertion has expired');
      return refuse(400, 'invalid_grant', `the assertion is not valid: ${(err as Error).message}`);
    }
    const nowS = now / 1000;
    if (typeof claims.iat !== 'number' || claims.iat > nowS + CLOCK_TOLERANCE_S)
      return refuse(400, 'invalid_grant', 'iat is in the future');
    if (claims.iat < nowS - MAX_ASSERTION_AGE_S - CLOCK_TOLERANCE_S) return refuse(400, 'invalid_grant', 'iat is more than 5 minutes old');
    if (typeof claims.exp !== 'number' || claims.exp > nowS + ASSERTION_LIFETIME_S + CLOCK_TOLERANCE_S)
      return refuse(400, 'invalid_grant', 'exp must be at most 5 minutes ahead');
    if (typeof claims.jti !== 'string' || !claims.jti) return refuse(400, 'invalid_request', 'the assertion needs a jti');
    for (const [jti, until] of this.seenJti) if (until < nowS) this.seenJti.delete(jti);
    if (this.seenJti.has(claims.jti)) return refuse(400, 'invalid_grant', 'jti already used: sign a new assertion');
    this.seenJti.set(claims.jti, claims.exp);

    const accessToken = randomUUID();
    this.accessTokens.set(accessToken, { apiKey: client.clientId, expiresAt: Date.now() + this.settings.oauthTokenLifetimeMs });
    this.issued.push(accessToken, '');
    this.issuedAccess.add(accessToken);
    replyJson(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(1, Math.floor(this.settings.oauthTokenLifetimeMs / 1000)), // whole seconds, rounded down
      scope: form.get('scope') ?? 'default',
    });
  }

  /** The grant behind an Authorization header, or undefined when the token is unknown or expired. */
  grantFor(authorization: string | undefined): AccessGrant | undefined {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    const grant = match ? this.accessTokens.get(match[1]) : undefined;
    if (!grant) return undefined;
    if (grant.expiresAt <= Date.now()) {
      this.accessTokens.delete(match![1]);
      return undefined;
    }
    return grant;
  }

  /** True when the Authorization header carries a token this emulator issued (valid, expired or revoked). */
  wasIssued(authorization: string | undefined): boolean {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '');
    return match !== null && this.issuedAccess.has(match[1]);
  }

  /** Who sends with a grant: its key's source, the sources it may name, and the source header sent. */
  senderOf(grant: AccessGrant, sourceHeader: string | undefined): Sender {
    const key = this.credentials.find((c) => c.apiKey === grant.apiKey) ?? this.oauthClients.find((c) => c.clientId === grant.apiKey);
    return { source: key?.source ?? SAMPLE_SOURCE, sources: key?.sources, sourceHeader };
  }

  /** Registers a public key (PEM) for an OAuth client, adding the client when it is new. */
  registerOAuthKey(clientId: string, kid: string, publicKey: string): void {
    let client = this.oauthClients.find((c) => c.clientId === clientId);
    if (!client) this.oauthClients.push((client = { clientId, keys: [] }));
    client.keys = [...(client.keys ?? []).filter((k) => k.kid !== kid), { kid, publicKey }];
  }

  revokeAccessTokens(): void {
    this.accessTokens.clear();
  }

  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** Every token issued, access and refresh in turn (an OAuth token's refresh place is ''). */
  issuedTokens(): string[] {
    return [...this.issued];
  }

  private issue(apiKey: string) {
    this.forgetExpired();
    const accessToken = randomUUID();
    const refreshToken = randomUUID();
    const expiresAt = Date.now() + this.settings.tokenLifetimeMs;
    this.accessTokens.set(accessToken, { apiKey, expiresAt });
    this.refreshTokens.set(refreshToken, apiKey);
    this.issued.push(accessToken, refreshToken);
    this.issuedAccess.add(accessToken);
    // Key order as Redox sends it.
    return { accessToken, expires: new Date(expiresAt).toISOString(), refreshToken };
  }

  /** Expired access tokens are forgotten now and then, so that a long-running emulator stays small. */
  private forgetExpired(): void {
    if (this.accessTokens.size < 1000) return;
    const now = Date.now();
    for (const [token, grant] of this.accessTokens) if (grant.expiresAt <= now) this.accessTokens.delete(token);
  }
}
