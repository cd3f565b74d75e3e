/**
 * The redox-config node's settings as the connection needs them: numbers checked, defaults
 * filled. The editor stores numbers as text; an empty field means the default.
 */
import { RedoxError } from '../shared/errors';
import type { RetryOptions } from '../transport/retry';
import { DEFAULT_THROTTLE, type ThrottleOptions } from '../transport/throttle';
import { NUMBER_SETTINGS, type FlagSettingName, type NumberSettingName } from './connection-shape';

/** The settings as stored in the flow. */
export type ConfigSettings = Partial<Record<NumberSettingName | FlagSettingName, unknown>>;

export interface ConnectionSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  retry: RetryOptions;
  throttle: ThrottleOptions;
}

function number(def: ConfigSettings, name: NumberSettingName): number {
  const setting: { default: number; min: number; max: number; integer?: boolean } = NUMBER_SETTINGS[name];
  const raw = def[name];
  if (raw === undefined || raw === null || raw === '') return setting.default;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value) || value < setting.min || value > setting.max || (setting.integer && !Number.isInteger(value))) {
    throw new RedoxError('badSetting', { setting: name });
  }
  return value;
}

/** Reads and checks the settings; throws RedoxError('badSetting') naming the first bad one. */
export function readSettings(def: ConfigSettings): ConnectionSettings {
  return {
    timeoutMs: number(def, 'requestTimeout') * 1000,
    connectTimeoutMs: number(def, 'connectTimeout') * 1000,
    maxResponseBytes: Math.round(number(def, 'maxResponseSize') * 1024 * 1024),
    retry: {
      maxAttempts: number(def, 'maxAttempts'),
      maxTotalMs: number(def, 'retryWindow') * 1000,
      backoffMs: number(def, 'retryBackoff'),
      retryGateway: def.retryGateway === true || def.retryGateway === 'true',
    },
    throttle: {
      ...DEFAULT_THROTTLE,
      perWindow: number(def, 'rateLimit'),
      maxConcurrent: number(def, 'maxConcurrent'),
      maxQueue: number(def, 'maxQueue'),
    },
  };
}
