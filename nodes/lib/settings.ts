/**
 * The redox-config node's settings as the connection needs them: numbers checked, defaults
 * filled. The editor stores numbers as text; an empty field means the default.
 */
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from './connection';
import { RedoxError } from './errors';
import { DEFAULT_RETRY, type RetryOptions } from './retry';
import { DEFAULT_THROTTLE, type ThrottleOptions } from './throttle';

/** The settings as stored in the flow. */
export interface ConfigSettings {
  requestTimeout?: unknown; // seconds
  connectTimeout?: unknown; // seconds
  maxAttempts?: unknown;
  retryWindow?: unknown; // seconds
  retryBackoff?: unknown; // milliseconds
  retryGateway?: unknown;
  rateLimit?: unknown; // requests per five minutes
  maxConcurrent?: unknown;
  maxQueue?: unknown;
}

export interface ConnectionSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
  retry: RetryOptions;
  throttle: ThrottleOptions;
}

function number(def: ConfigSettings, name: keyof ConfigSettings, fallback: number, min: number, max: number, integer = false): number {
  const raw = def[name];
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new RedoxError('badSetting', { setting: name });
  }
  return value;
}

/** Reads and checks the settings; throws RedoxError('badSetting') naming the first bad one. */
export function readSettings(def: ConfigSettings): ConnectionSettings {
  return {
    timeoutMs: number(def, 'requestTimeout', DEFAULT_TIMEOUT_MS / 1000, 0.1, 600) * 1000,
    connectTimeoutMs: number(def, 'connectTimeout', DEFAULT_CONNECT_TIMEOUT_MS / 1000, 0.1, 120) * 1000,
    retry: {
      maxAttempts: number(def, 'maxAttempts', DEFAULT_RETRY.maxAttempts, 1, 20, true),
      maxTotalMs: number(def, 'retryWindow', DEFAULT_RETRY.maxTotalMs / 1000, 0, 3600) * 1000,
      backoffMs: number(def, 'retryBackoff', DEFAULT_RETRY.backoffMs, 0, 60_000),
      retryGateway: def.retryGateway === true || def.retryGateway === 'true',
    },
    throttle: {
      ...DEFAULT_THROTTLE,
      perWindow: number(def, 'rateLimit', DEFAULT_THROTTLE.perWindow, 1, 1_000_000, true),
      maxConcurrent: number(def, 'maxConcurrent', DEFAULT_THROTTLE.maxConcurrent, 1, 1000, true),
      maxQueue: number(def, 'maxQueue', DEFAULT_THROTTLE.maxQueue, 0, 1_000_000, true),
    },
  };
}
