/**
 * Turns msg.payload and the redox-send node's settings into a Data Model request, or says what
 * is wrong with them. Pure: no I/O, the input is never modified.
 */
import { isQuery } from './catalogue';
import { RedoxError } from './errors';

export interface SendSettings {
  dataModel: string;
  eventType: string;
  destinations: string[];
  test: boolean;
}

export interface DataModelRequest {
  path: '/endpoint' | '/query';
  /** The JSON text to post. */
  body: string;
  dataModel: string;
  eventType: string;
}

type Plain = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Buffer.isBuffer(value)) return 'buffer';
  return typeof value;
}

/**
 * Reads the node's `destinations` setting: a JSON array of ID strings, as text or as an array.
 * Throws RedoxError('badSetting') when it is neither.
 */
export function parseDestinationsSetting(value: unknown): string[] {
  let list: unknown = value;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      throw new RedoxError('badSetting', { setting: 'destinations' });
    }
  }
  if (!Array.isArray(list) || !list.every((id) => typeof id === 'string')) {
    throw new RedoxError('badSetting', { setting: 'destinations' });
  }
  return list.map((id) => id.trim()).filter((id) => id.length > 0);
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function destinationsFrom(meta: Plain, settings: SendSettings): Array<Plain> {
  if (meta.Destinations === undefined) return settings.destinations.map((ID) => ({ ID }));
  if (!Array.isArray(meta.Destinations)) throw new RedoxError('badDestination', { index: 1 });
  return meta.Destinations.map((d: unknown, i: number) => {
    if (!isPlainObject(d) || nonEmptyString(d.ID) === undefined) throw new RedoxError('badDestination', { index: i + 1 });
    return d;
  });
}

export function buildRequest(payload: unknown, settings: SendSettings, now: Date = new Date()): DataModelRequest {
  if (!isPlainObject(payload)) throw new RedoxError('payloadNotObject', { type: typeName(payload) });
  const givenMeta = payload.Meta === undefined ? {} : payload.Meta;
  if (!isPlainObject(givenMeta)) throw new RedoxError('metaNotObject', { type: typeName(givenMeta) });

  const dataModel = givenMeta.DataModel === undefined ? nonEmptyString(settings.dataModel) : nonEmptyString(givenMeta.DataModel);
  if (!dataModel) throw new RedoxError('missingDataModel');
  const eventType = givenMeta.EventType === undefined ? nonEmptyString(settings.eventType) : nonEmptyString(givenMeta.EventType);
  if (!eventType) throw new RedoxError('missingEventType');

  const destinations = destinationsFrom(givenMeta, settings);
  if (destinations.length === 0) throw new RedoxError('missingDestination');
  const query = isQuery(dataModel, eventType);
  if (query && destinations.length !== 1) {
    throw new RedoxError('queryOneDestination', { model: `${dataModel} ${eventType}`, count: destinations.length });
  }

  if (givenMeta.Test !== undefined && typeof givenMeta.Test !== 'boolean') {
    throw new RedoxError('badTestFlag', { type: typeName(givenMeta.Test) });
  }

  // Spread copies own keys as data properties, so a "__proto__" key stays a plain key.
  const meta: Plain = {
    ...givenMeta,
    DataModel: dataModel,
    EventType: eventType,
    EventDateTime: givenMeta.EventDateTime ?? now.toISOString(),
    Test: givenMeta.Test ?? settings.test,
    Destinations: destinations,
  };
  let body: string;
  try {
    body = JSON.stringify({ ...payload, Meta: meta });
  } catch (err) {
    throw new RedoxError('notSerializable', { reason: (err as Error)?.message ?? String(err) });
  }
  return { path: query ? '/query' : '/endpoint', body, dataModel, eventType };
}
