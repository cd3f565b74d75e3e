/**
 * The addresses a connection calls: its base URL (https, or http to this machine only) and the
 * file upload URL (../shared/redox-api.md section 3), which is a host of its own at Redox.
 */
import { excerpt, RedoxError } from './shared/errors';

/** Redox US's data API, and the upload host its documentation names. */
const REDOX_US_HOST = 'api.redoxengine.com';
export const REDOX_US_UPLOAD_URL = 'https://blob.redoxengine.com/upload';

/** Loopback hosts, the only ones plain http may reach: secrets must not cross a network in clear text. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Checks and normalises a base URL: https (http for loopback only), no query, no trailing slash. */
export function normaliseBaseUrl(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new RedoxError('badBaseUrl', { url: String(value ?? '') });
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    // never quote a user name or password written into the URL
    throw new RedoxError('badBaseUrl', { url: excerpt(value.replace(/\/\/[^/?#\s]*@/, '//***@'), 80) });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new RedoxError('badBaseUrl', { url: excerpt(`${url.protocol}//${url.host}${url.pathname}`, 80) });
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) throw new RedoxError('insecureBaseUrl', { url: url.origin });
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/**
 * Where files are uploaded: the URL set, checked like a base URL; else Redox US's upload host for
 * Redox US; else `<base URL>/upload` (the emulator, a test double). For another Redox region
 * nothing documents the host, so an empty upload URL there is an error rather than a guess.
 */
export function uploadUrlFor(baseUrl: string, uploadUrl: string | undefined): string {
  if (uploadUrl?.trim()) return normaliseBaseUrl(uploadUrl);
  const host = new URL(baseUrl).hostname.toLowerCase();
  if (host === REDOX_US_HOST) return REDOX_US_UPLOAD_URL;
  if (host === 'redoxengine.com' || host.endsWith('.redoxengine.com')) throw new RedoxError('uploadUrlNeeded', { host });
  return `${baseUrl}/upload`;
}
