/**
 * The redox-config node's settings as the connection needs them: numbers checked, defaults
 * filled. The editor stores numbers as text; an empty field means the default.
 */
import { RedoxError } from '../shared/errors';
import type { RetryOptions } from '../transport/retry';
import { DEFAULT_THROTTLE, type ThrottleOptions } from '../transport/throttle';
import { NUMBER_SETTINGS, type FlagSettingName, type NumberSetting, type NumberSettingName } from './connection-shape';

/** The settings as stored in the flow. */
export type ConfigSettings = Partial<Record<NumberSettingName | FlagSettingName, unknown>>;

export interface ConnectionSettings {
  timeoutMs: number;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  retry: RetryOptions;
  throttle: ThrottleOptions;
}

/** Defaults that Node-RED's settings.js sets for every connection of the process. */
export interface RuntimeDefaults {
  /** nodeMessageBufferMaxLength, when above 0. */
  maxQueue?: number;
  /** redoxRateWindowSeconds: the rolling window of the request budget (300 s, Redox's; shorter only for tests). */
  rateWindowMs?: number;
}

function number(def: ConfigSettings, name: NumberSettingName, runtime: RuntimeDefaults = {}): number {
  const setting: NumberSetting = NUMBER_SETTINGS[name];
  const raw = def[name];
  if (raw === undefined || raw === null || raw === '') return (name === 'maxQueue' ? runtime.maxQueue : undefined) ?? setting.default;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(value) || value < setting.min || value > setting.max || (setting.integer && !Number.isInteger(value))) {
    throw new RedoxError('badSetting', { setting: name });
  }
  return value;
}

/** Reads and checks the settings; throws RedoxError('badSetting') naming the first bad one. */
export function readSettings(def: ConfigSettings, runtime: RuntimeDefaults = {}): ConnectionSettings {
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
      windowMs: runtime.rateWindowMs ?? DEFAULT_THROTTLE.windowMs,
      perWindow: number(def, 'rateLimit'),
      maxConcurrent: number(def, 'maxConcurrent'),
      maxQueue: number(def, 'maxQueue', runtime),
    },
  };
}

/** The runtime's defaults from Node-RED's settings (settings.js): only sane values count. */
export function runtimeDefaults(settings: { nodeMessageBufferMaxLength?: unknown; redoxRateWindowSeconds?: unknown }): RuntimeDefaults {
  const queue = settings.nodeMessageBufferMaxLength;
  const window = settings.redoxRateWindowSeconds;
  return {
    maxQueue: typeof queue === 'number' && Number.isInteger(queue) && queue > 0 ? queue : undefined,
    rateWindowMs: typeof window === 'number' && window > 0 ? window * 1000 : undefined,
  };
}
