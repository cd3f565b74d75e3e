/**
 * Turns msg.payload and the redox-send node's settings into a Data Model request, or says what
 * is wrong with them. Pure: no I/O, the input is never modified.
 */
import { isQuery } from './catalogue';
import { RedoxError } from '../shared/errors';
import { isPlainObject, typeName, type Plain } from '../shared/values';

export interface Destination {
  ID: string;
  Name?: string;
}

export interface SendSettings {
  dataModel: string;
  eventType: string;
  destinations: Destination[];
  test: boolean;
}

/** What the connection adds to every request. */
export interface RequestContext {
  /** The connection's source ID: Meta.Source.ID when the payload names no source. */
  sourceId?: string;
  now?: Date;
}

export interface DataModelRequest {
  /** Every data model, queries included, goes to /endpoint (../shared/redox-api.md section 2). */
  path: '/endpoint';
  /** The JSON text to post. */
  body: string;
  /** The request as an object (what `body` says), for the payload check. */
  message: Plain;
  dataModel: string;
  eventType: string;
}

/**
 * Reads destinations as the node's setting stores them (a JSON array of ID strings, with an
 * optional parallel list of names) or as a flow gives them (an array of IDs or of {ID, Name},
 * one ID, or the JSON text of either). Throws RedoxError('badSetting') for anything else.
 */
export function parseDestinations(value: unknown, names: unknown = []): Destination[] {
  let list: unknown = value;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text.startsWith('[') && !text.startsWith('{')) {
      list = [text];
    } else {
      try {
        list = JSON.parse(text);
      } catch {
        throw new RedoxError('badSetting', { setting: 'destinations' });
      }
    }
  }
  if (isPlainObject(list)) list = [list];
  if (!Array.isArray(list)) throw new RedoxError('badSetting', { setting: 'destinations' });
  const nameList = Array.isArray(names) ? names : [];
  return list.flatMap((entry: unknown, i: number): Destination[] => {
    const id = typeof entry === 'string' ? entry : isPlainObject(entry) ? entry.ID : undefined;
    const name = isPlainObject(entry) ? entry.Name : nameList[i];
    if (typeof id !== 'string') throw new RedoxError('badSetting', { setting: 'destinations' });
    if (id.trim() === '') return [];
    return [typeof name === 'string' && name.trim() ? { ID: id.trim(), Name: name.trim() } : { ID: id.trim() }];
  });
}

/** The stored list of destination names, parallel to the IDs (a JSON array of strings, or nothing). */
export function parseNames(value: unknown): string[] {
  if (typeof value !== 'string' || value.trim() === '') return Array.isArray(value) ? value.map(String) : [];
  try {
    const list: unknown = JSON.parse(value);
    return Array.isArray(list) ? list.map((n) => (typeof n === 'string' ? n : '')) : [];
  } catch {
    return [];
  }
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function destinationsFrom(meta: Plain, settings: SendSettings): Array<Plain> {
  if (meta.Destinations === undefined) return settings.destinations.map((d) => ({ ...d }));
  if (!Array.isArray(meta.Destinations)) throw new RedoxError('badDestination', { index: 1 });
  return meta.Destinations.map((d: unknown, i: number) => {
    if (!isPlainObject(d) || nonEmptyString(d.ID) === undefined) throw new RedoxError('badDestination', { index: i + 1 });
    return d;
  });
}

export function buildRequest(payload: unknown, settings: SendSettings, context: RequestContext = {}): DataModelRequest {
  if (!isPlainObject(payload)) throw new RedoxError('payloadNotObject', { type: typeName(payload) });
  const givenMeta = payload.Meta === undefined ? {} : payload.Meta;
  if (!isPlainObject(givenMeta)) throw new RedoxError('metaNotObject', { type: typeName(givenMeta) });

  const dataModel = givenMeta.DataModel === undefined ? nonEmptyString(settings.dataModel) : nonEmptyString(givenMeta.DataModel);
  if (!dataModel) throw new RedoxError('missingDataModel');
  const eventType = givenMeta.EventType === undefined ? nonEmptyString(settings.eventType) : nonEmptyString(givenMeta.EventType);
  if (!eventType) throw new RedoxError('missingEventType');

  const destinations = destinationsFrom(givenMeta, settings);
  if (destinations.length === 0) throw new RedoxError('missingDestination');
  if (isQuery(dataModel, eventType) && destinations.length !== 1) {
    throw new RedoxError('queryOneDestination', { model: `${dataModel} ${eventType}`, count: destinations.length });
  }

  // Redox's schemas allow null for Test and EventDateTime: null means not set.
  if (givenMeta.Test !== undefined && givenMeta.Test !== null && typeof givenMeta.Test !== 'boolean') {
    throw new RedoxError('badTestFlag', { type: typeName(givenMeta.Test) });
  }

  // Spread copies own keys as data properties, so a "__proto__" key stays a plain key.
  const meta: Plain = {
    ...givenMeta,
    DataModel: dataModel,
    EventType: eventType,
    EventDateTime: givenMeta.EventDateTime ?? (context.now ?? new Date()).toISOString(),
    Test: givenMeta.Test ?? settings.test,
    Destinations: destinations,
  };
  if (context.sourceId && givenMeta.Source === undefined) meta.Source = { ID: context.sourceId };
  const message: Plain = { ...payload, Meta: meta };
  let body: string;
  try {
    body = JSON.stringify(message);
  } catch (err) {
    throw new RedoxError('notSerializable', { reason: (err as Error)?.message ?? String(err) });
  }
  return { path: '/endpoint', body, message, dataModel, eventType };
}
