/**
 * The editor's "Test connection": authenticates once with the settings in the dialog, including
 * credentials not yet deployed, and says whether it worked. It never returns a token or a secret,
 * and uses stored credentials only with the base URL they were stored with.
 *
 * What the dialog holds is taken literally: a `${NAME}` typed there is not read from the
 * environment (it is resolved only once deployed). `${NAME}` values are resolved only for what the
 * deployed node holds, and only when the dialog's base URL, compared as written, is the deployed
 * node's base URL as written.
 */
import { RedoxConnection } from '../connection';
import { isRedoxError, RedoxError } from '../shared/errors';
import type { TlsOptions } from '../transport/http';
import type { RedoxConfigCredentials, RedoxConfigDef } from './config-node';
import { CREDENTIAL_FIELDS } from './connection-shape';
import type { Resolve } from './runtime';
import { tokenMethodFor } from './token-method';

/** What the editor sends: the dialog's settings, and credentials as typed ('__PWRD__' for "unchanged"). */
export interface TestRequest extends RedoxConfigDef {
  credentials?: RedoxConfigCredentials;
}

/** The deployed connection the dialog edits. */
export interface StoredConnection {
  /** The base URL as written in the flow (possibly `${NAME}`). */
  writtenBaseUrl: string;
  /** The other settings as written in the flow. */
  written: RedoxConfigDef;
  /** The base URL the deployed node uses (`${NAME}` resolved). */
  baseUrl: string;
  /** The stored credentials, as stored (possibly `${NAME}`). */
  credentials: RedoxConfigCredentials;
  /** Resolves `${NAME}` as the deployed node does. */
  resolve: Resolve;
}

const UNCHANGED = '__PWRD__';

/** True when the dialog still has the deployed node's base URL, compared as both are written. */
function sameBaseUrl(request: TestRequest, stored: StoredConnection | undefined): stored is StoredConnection {
  return stored !== undefined && stored.writtenBaseUrl.trim() === (request.baseUrl ?? '').trim();
}

/**
 * The credentials to test with: what the dialog holds, literally, and for the fields left
 * unchanged the stored ones (resolved), but only when the dialog's base URL is the one they were
 * stored with.
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
    if (!sameBaseUrl(request, stored)) throw new RedoxError('storedElsewhere');
    result[field] = stored.resolve(stored.credentials[field]);
  }
  return result;
}

/** Settings that may be written as ${NAME}: resolved where the dialog still has the deployed node's value. */
const RESOLVABLE = ['keyId', 'algorithm', 'scope', 'sourceId'] as const;

function settingsToTest(request: TestRequest, stored: StoredConnection | undefined): TestRequest {
  if (!sameBaseUrl(request, stored)) return request;
  const settings = { ...request };
  for (const name of RESOLVABLE) if (request[name] === stored.written[name]) settings[name] = stored.resolve(request[name]);
  return settings;
}

export async function testConnection(
  dialog: TestRequest,
  stored: StoredConnection | undefined,
  options: { userAgent: string; tls?: TlsOptions },
): Promise<void> {
  const creds = credentialsToTest(dialog, stored);
  const request = settingsToTest(dialog, stored);
  const method = tokenMethodFor(request, creds, (value) => value);
  const connection = new RedoxConnection({
    baseUrl: sameBaseUrl(request, stored) ? stored.baseUrl : (request.baseUrl ?? ''),
    userAgent: options.userAgent,
    tls: options.tls,
    sourceId: request.sourceId,
    timeoutMs: 15_000,
    retry: { maxAttempts: 1, maxTotalMs: 0, backoffMs: 0, retryGateway: false },
    tokenSource: method.source,
  });
  try {
    await connection.getToken();
  } catch (err) {
    // a server that echoes what it was sent must not get the secret into the dialog
    throw isRedoxError(err) ? new RedoxError(err.code, connection.redactDeep(err.params), connection.redactDeep(err.details)) : err;
  } finally {
    connection.close();
  }
}
