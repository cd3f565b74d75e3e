/**
 * Which token source a connection uses, from its settings and credentials: legacy API key or
 * OAuth API key. Shared by the config node and the editor's "Test connection".
 */
import { ApiKeyTokenSource } from '../auth/api-key-source';
import type { RedoxConfigCredentials, RedoxConfigDef } from './config-node';
import { RedoxError } from '../shared/errors';
import type { HttpClient } from '../transport/http';
import { readSigningKey } from '../auth/oauth-key';
import { OAuthTokenSource } from '../auth/oauth-source';
import type { TokenSource } from '../auth/token-source';

export interface TokenMethod {
  source: (http: HttpClient, baseUrl: string) => TokenSource;
  /** What identifies the credentials, so that a redeploy with the same ones keeps the token. */
  identity: string[];
}

type Resolve = (value: string | undefined) => string | undefined;

/** Checks the credentials now; throws RedoxError when they cannot be used. */
export function tokenMethodFor(def: RedoxConfigDef, creds: RedoxConfigCredentials, resolve: Resolve): TokenMethod {
  if (def.authMethod === 'oauth') {
    const clientId = resolve(creds.clientId);
    const privateKey = resolve(creds.privateKey);
    const clientSecret = resolve(creds.clientSecret);
    if (!clientId) throw new RedoxError('missingCredentials');
    const signing = readSigningKey({ privateKey, clientSecret, algorithm: def.algorithm });
    const keyId = def.keyId?.trim() || undefined;
    // Redox requires the kid header with a key pair ("JWT header kid property is required").
    if (signing.alg !== 'HS384' && !keyId) throw new RedoxError('missingKeyId');
    const oauth = { clientId, signing, keyId, scope: def.scope?.trim() || undefined };
    return {
      source: (http, url) => new OAuthTokenSource(http, url, oauth),
      identity: ['oauth', clientId, privateKey ?? '', clientSecret ?? '', def.keyId ?? '', def.algorithm ?? '', def.scope ?? ''],
    };
  }
  const apiKey = resolve(creds.apiKey);
  const secret = resolve(creds.secret);
  if (!apiKey || !secret) throw new RedoxError('missingCredentials');
  return { source: (http, url) => new ApiKeyTokenSource(http, url, { apiKey, secret }), identity: ['apiKey', apiKey, secret] };
}
