/** redox-receive's settings, read from its definition once at deploy. */
import type { NodeDef } from 'node-red';
import { DeliveryFilter } from '../receive/delivery';

export interface ReceiveDef extends NodeDef {
  url?: string;
  reply?: string;
  timeout?: number | string;
  dataModels?: unknown;
  eventTypes?: unknown;
  allowTest?: boolean | string;
}

/** Below Redox's 120 s for a synchronous request, so that the sender gets our 504, not its own timeout. */
const DEFAULT_REPLY_TIMEOUT_S = 100;
const MAX_REPLY_TIMEOUT_S = 3600;

export interface ReceiveSettings {
  /** With a leading slash; empty when none was set. */
  url: string;
  reply: 'auto' | 'flow';
  timeoutMs: number;
  filter: DeliveryFilter;
}

export function readReceiveSettings(def: ReceiveDef): ReceiveSettings {
  const url = typeof def.url === 'string' ? def.url.trim() : '';
  const timeout = Number(def.timeout === '' || def.timeout === undefined ? DEFAULT_REPLY_TIMEOUT_S : def.timeout);
  return {
    url: url && !url.startsWith('/') ? `/${url}` : url,
    reply: def.reply === 'flow' ? 'flow' : 'auto',
    timeoutMs: (Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, MAX_REPLY_TIMEOUT_S) : DEFAULT_REPLY_TIMEOUT_S) * 1000,
    filter: new DeliveryFilter(def),
  };
}
