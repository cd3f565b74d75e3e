/**
 * The signing key of an OAuth API key, checked once when the config node starts: a PEM private
 * key (RSA for RS384, P-384 EC for ES384) or a client secret (HS384). A key that cannot be read,
 * or an algorithm that does not fit it, is a RedoxError whose text never holds the key.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { RedoxError } from '../shared/errors';

export type OAuthAlgorithm = 'RS384' | 'ES384' | 'HS384';
const OAUTH_ALGORITHMS: readonly OAuthAlgorithm[] = ['RS384', 'ES384', 'HS384'];

export interface SigningKey {
  alg: OAuthAlgorithm;
  key: KeyObject | Uint8Array;
}

export interface OAuthKeyInput {
  privateKey?: string;
  clientSecret?: string;
  /** Empty for "follow the key". */
  algorithm?: string;
}

function algorithmFor(key: KeyObject): OAuthAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS384';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') return 'ES384';
  throw new RedoxError('badPrivateKey', {
    reason: `${key.asymmetricKeyType ?? 'unknown'} ${key.asymmetricKeyDetails?.namedCurve ?? ''}`.trim(),
  });
}

/** A PEM pasted into a one-line field arrives with spaces for line breaks: put the breaks back. */
function normalisePem(text: string): string {
  const match = /^(-----BEGIN [A-Z0-9 ]+-----)\s*([\s\S]*?)\s*(-----END [A-Z0-9 ]+-----)$/.exec(text.trim());
  return match ? `${match[1]}\n${match[2].replace(/\s+/g, '\n')}\n${match[3]}\n` : text.trim();
}

export function readSigningKey(input: OAuthKeyInput): SigningKey {
  const wanted = input.algorithm?.trim() || undefined;
  if (wanted !== undefined && !OAUTH_ALGORITHMS.includes(wanted as OAuthAlgorithm)) {
    throw new RedoxError('badSetting', { setting: 'algorithm' });
  }
  let signing: SigningKey;
  if (input.privateKey?.trim()) {
    let key: KeyObject;
    try {
      key = createPrivateKey(normalisePem(input.privateKey));
    } catch {
      // Node's message can quote the input: say what is wrong in our own words.
      throw new RedoxError('badPrivateKey', { reason: 'not a PEM private key' });
    }
    signing = { alg: algorithmFor(key), key };
  } else if (input.clientSecret) {
    signing = { alg: 'HS384', key: new TextEncoder().encode(input.clientSecret) };
  } else {
    throw new RedoxError('missingCredentials');
  }
  if (wanted !== undefined && wanted !== signing.alg) {
    throw new RedoxError('algorithmMismatch', { algorithm: wanted, key: signing.alg });
  }
  return signing;
}
