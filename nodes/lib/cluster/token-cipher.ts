/**
 * The shared token is stored in Redis encrypted (AES-256-GCM), with a key derived (HKDF-SHA256)
 * from the connection's secret or private key: what Redis holds is useless without the
 * credentials, and instances with other credentials cannot read or forge it.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { IssuedToken } from '../auth/token-source';

const VERSION = 'v1';

export class TokenCipher {
  private readonly key: Buffer;

  /** `secretMaterial`: the credentials' secrets; `context`: the key prefix, binding the key to this connection's keys. */
  constructor(secretMaterial: readonly string[], context: string) {
    this.key = Buffer.from(hkdfSync('sha256', secretMaterial.join('\n'), 'redox-shared-token', context, 32));
  }

  seal(token: IssuedToken): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(token), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join('.');
  }

  /** The token, or undefined when the value is not one this key sealed (other credentials, tampering). */
  open(sealed: string | null | undefined): IssuedToken | undefined {
    if (!sealed) return undefined;
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || !data) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
      const token = JSON.parse(text) as IssuedToken;
      return typeof token.accessToken === 'string' && typeof token.expiresAt === 'number' ? token : undefined;
    } catch {
      return undefined;
    }
  }
}
