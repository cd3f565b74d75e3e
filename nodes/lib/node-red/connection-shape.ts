/**
 * The shape of a redox-config node, defined once: its credential fields and its reliability
 * settings with their defaults and ranges. The runtime reads settings with it, and the build
 * writes it into the editor's redox-config.html (scripts/build-editor.js), so the dialog and the
 * runtime cannot disagree.
 */
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from '../connection';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../transport/http';
import { DEFAULT_RETRY } from '../transport/retry';
import { DEFAULT_THROTTLE } from '../transport/throttle';

/** Credentials, all stored as Node-RED password credentials (never in flows.json). */
export const CREDENTIAL_FIELDS = ['apiKey', 'secret', 'clientId', 'privateKey', 'clientSecret', 'redisUrl'] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];
export type RedoxConfigCredentials = Partial<Record<CredentialField, string>>;

/** A number setting as the dialog shows it (in `unit`s) and the range the runtime accepts. */
export interface NumberSetting {
  default: number;
  min: number;
  max: number;
  integer?: boolean;
  /** The default comes from the runtime (settings.js), not from here: the dialog leaves the field empty. */
  runtimeDefault?: true;
}

const MB = 1024 * 1024;

/** The dialog's number settings, in the units the dialog shows. */
export const NUMBER_SETTINGS = {
  requestTimeout: { default: DEFAULT_TIMEOUT_MS / 1000, min: 0.1, max: 600 }, // seconds
  connectTimeout: { default: DEFAULT_CONNECT_TIMEOUT_MS / 1000, min: 0.1, max: 120 }, // seconds
  maxAttempts: { default: DEFAULT_RETRY.maxAttempts, min: 1, max: 20, integer: true },
  retryWindow: { default: DEFAULT_RETRY.maxTotalMs / 1000, min: 0, max: 3600 }, // seconds
  retryBackoff: { default: DEFAULT_RETRY.backoffMs, min: 0, max: 60_000 }, // milliseconds
  rateLimit: { default: DEFAULT_THROTTLE.perWindow, min: 1, max: 1_000_000, integer: true }, // per five minutes
  maxConcurrent: { default: DEFAULT_THROTTLE.maxConcurrent, min: 1, max: 1000, integer: true },
  // Node-RED's nodeMessageBufferMaxLength when set, as its buffering nodes do; else DEFAULT_MAX_QUEUE
  maxQueue: { default: DEFAULT_THROTTLE.maxQueue, min: 0, max: 10_000_000, integer: true, runtimeDefault: true },
  maxResponseSize: { default: DEFAULT_MAX_RESPONSE_BYTES / MB, min: 0.001, max: 1024 }, // MB
} as const satisfies Record<string, NumberSetting>;

export type NumberSettingName = keyof typeof NUMBER_SETTINGS;

/** The dialog's checkbox settings. */
export const FLAG_SETTINGS = {
  retryGateway: { default: false },
} as const;

export type FlagSettingName = keyof typeof FLAG_SETTINGS;
