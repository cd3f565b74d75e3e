/**
 * The editor's "Test connection": authenticates once with the settings in the dialog, including
 * credentials not yet deployed, and says whether it worked. It never returns a token or a secret,
 * and uses stored credentials only with the base URL they were stored with.
 */
import type { RedoxConfigCredentials, RedoxConfigDef } from './config-node';
import { RedoxConnection } from '../connection';
import { RedoxError } from '../shared/errors';
import type { TlsOptions } from '../transport/http';
import { CREDENTIAL_FIELDS } from './connection-shape';
import { tokenMethodFor } from './token-method';

/** What the editor sends: the dialog's settings, and credentials as typed ('__PWRD__' for "unchanged"). */
export interface TestRequest extends RedoxConfigDef {
  credentials?: RedoxConfigCredentials;
}

export interface StoredConnection {
  baseUrl: string;
  credentials: RedoxConfigCredentials;
}

const UNCHANGED = '__PWRD__';

/**
 * The credentials to test with: what the dialog holds, and for the fields left unchanged the
 * stored ones, but only when the dialog's base URL is the one they were stored with.
 */
function credentialsToTest(request: TestRequest, stored: StoredConnection | undefined): RedoxConfigCredentials {
  const given = request.credentials ?? {};
  const result: RedoxConfigCredentials = {};
  for (const field of CREDENTIAL_FIELDS) {
    const value = given[field];
    if (value !== UNCHANGED) {
      if (typeof value === 'string' && value !== '') result[field] = value;
      continue;
    }
    if (!stored || stored.baseUrl.trim() !== (request.baseUrl ?? '').trim()) throw new RedoxError('storedElsewhere');
    result[field] = stored.credentials[field];
  }
  return result;
}

export async function testConnection(
  request: TestRequest,
  stored: StoredConnection | undefined,
  options: { userAgent: string; resolve: (value: string | undefined) => string | undefined; tls?: TlsOptions },
): Promise<void> {
  const creds = credentialsToTest(request, stored);
  const method = tokenMethodFor(request, creds, options.resolve);
  const connection = new RedoxConnection({
    baseUrl: options.resolve(request.baseUrl) ?? '',
    userAgent: options.userAgent,
    tls: options.tls,
    timeoutMs: 15_000,
    retry: { maxAttempts: 1, maxTotalMs: 0, backoffMs: 0, retryGateway: false },
    tokenSource: method.source,
  });
  try {
    await connection.getToken();
  } finally {
    connection.close();
  }
}
