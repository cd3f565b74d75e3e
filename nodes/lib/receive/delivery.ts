/**
 * What Redox sends to a destination, read without I/O: a verification request (answered with its
 * challenge) or a delivery (a Data Model message whose Meta says what it is), and whether the
 * node's filters let a delivery through.
 */
import { isPlainObject } from '../shared/values';

/** What msg.redox holds: the delivery's Meta, read. */
export interface DeliveryMeta {
  dataModel: string;
  eventType: string;
  test: boolean | undefined;
  source: unknown;
  destinations: unknown;
  logId: unknown;
}

export type ReadBody =
  | { kind: 'verification'; token: unknown; challenge: string }
  | { kind: 'delivery'; payload: Record<string, unknown>; meta: DeliveryMeta }
  | { kind: 'invalid'; reason: string };

/** The short reasons a 400 answer carries (Redox logs them; the flow never sees the request). */
export const INVALID = {
  notJson: 'The body is not JSON.',
  noMeta: 'Meta.DataModel and Meta.EventType are required.',
} as const;

/** Reads a POST body: verification `{verification-token, challenge}` or a Data Model message. */
export function readBody(body: Buffer | string): ReadBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: INVALID.notJson };
  }
  if (!isPlainObject(parsed)) return { kind: 'invalid', reason: INVALID.noMeta };
  if (!('Meta' in parsed) && typeof parsed.challenge === 'string') {
    return { kind: 'verification', token: parsed['verification-token'], challenge: parsed.challenge };
  }
  const meta = parsed.Meta;
  if (
    !isPlainObject(meta) ||
    typeof meta.DataModel !== 'string' ||
    typeof meta.EventType !== 'string' ||
    !meta.DataModel ||
    !meta.EventType
  ) {
    return { kind: 'invalid', reason: INVALID.noMeta };
  }
  const logs = meta.Logs;
  const firstLog = Array.isArray(logs) && isPlainObject(logs[0]) ? logs[0] : undefined;
  return {
    kind: 'delivery',
    payload: parsed,
    meta: {
      dataModel: meta.DataModel,
      eventType: meta.EventType,
      test: typeof meta.Test === 'boolean' ? meta.Test : undefined,
      source: meta.Source,
      destinations: meta.Destinations,
      logId: firstLog?.ID,
    },
  };
}

/** A GET verification: `?challenge=...&verification-token=...`. */
export function readVerificationQuery(query: Record<string, unknown>): { token: unknown; challenge: string } | undefined {
  return typeof query.challenge === 'string' ? { token: query['verification-token'], challenge: query.challenge } : undefined;
}

/** Which deliveries reach the flow; empty lists let everything through. */
export class DeliveryFilter {
  private readonly dataModels: ReadonlySet<string>;
  private readonly eventTypes: ReadonlySet<string>;

  constructor(settings: { dataModels?: unknown; eventTypes?: unknown; allowTest?: unknown }) {
    this.dataModels = new Set(listOf(settings.dataModels));
    this.eventTypes = new Set(listOf(settings.eventTypes));
    this.allowTest = settings.allowTest !== false && settings.allowTest !== 'false';
  }

  readonly allowTest: boolean;

  passes(meta: DeliveryMeta): boolean {
    if (this.dataModels.size > 0 && !this.dataModels.has(meta.dataModel)) return false;
    if (this.eventTypes.size > 0 && !this.eventTypes.has(meta.eventType)) return false;
    return this.allowTest || meta.test !== true;
  }
}

/** A list setting: an array of names, or (as typed in a dialog or an older flow) one comma-separated text. */
export function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items
    .filter((item): item is string => typeof item === 'string')
    .map((item) => item.trim())
    .filter(Boolean);
}
