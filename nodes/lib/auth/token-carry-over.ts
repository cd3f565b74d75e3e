/**
 * Tokens kept over a redeploy. A deploy restarts the config node; when its base URL and
 * credentials are unchanged, the new instance takes over the token instead of authenticating
 * again. Held in memory only, keyed by node id, with a hash (never the secret) to tell a change.
 */
import { createHash } from 'node:crypto';
import type { IssuedToken } from './token-source';

interface Kept {
  fingerprint: string;
  token: IssuedToken;
}

const kept = new Map<string, Kept>();

export function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function keepToken(nodeId: string, print: string, token: IssuedToken | undefined): void {
  if (token) kept.set(nodeId, { fingerprint: print, token });
  else kept.delete(nodeId);
}

/** The kept token, when it was kept for the same settings and is still valid; forgets it either way. */
export function takeToken(nodeId: string, print: string, now = Date.now()): IssuedToken | undefined {
  const entry = kept.get(nodeId);
  kept.delete(nodeId);
  return entry && entry.fingerprint === print && entry.token.expiresAt > now ? entry.token : undefined;
}
