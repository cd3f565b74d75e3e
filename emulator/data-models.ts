/**
 * The emulator's Data Model API (../shared/redox-api.md sections 2 and 4): a request validated as
 * Redox validates it, and Redox's answer to it (a 200 with Meta, query results, or Meta.Errors).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { generatedEvent, isKnownEvent, isQuery, readSchema, type JsonSchema } from '../nodes/lib/datamodel/catalogue';
import { checkRequest } from '../nodes/lib/datamodel/payload-check';
import { isObject } from './http-helpers';
import { findSamplePatient, SAMPLE_CLINICAL_SUMMARY, SAMPLE_PATIENT } from './sample-data';

export interface Destination {
  ID: string;
  Name: string;
  /** This destination takes this long to answer a query (as a slow EHR would). */
  queryDelayMs?: number;
}

/** A status, the body to answer with, and how long to wait before answering. */
export type DataModelAnswer = [status: number, body: object, waitMs?: number];

export interface Source {
  ID: string;
  Name: string;
}

/** Who sends: the source of the key the token was issued to, and the sources it may name. */
export interface Sender {
  source: Source;
  /** When set, a request must name one of these (Meta.Source.ID or the Redox-Source-Id header). */
  sources?: readonly Source[];
  /** The Redox-Source-Id header, if sent. */
  sourceHeader?: string;
}

/** Validates a Data Model request as Redox does and builds its answer. */
export function answerDataModel(body: unknown, sender: Sender, subscribed: readonly Destination[]): DataModelAnswer {
  if (!isObject(body)) return [400, metaError({}, 'Invalid JSON: the request body must be a JSON object', 'message', 'DataModels')];
  const meta = isObject(body.Meta) ? body.Meta : undefined;
  if (!meta) return [400, metaError({}, 'Required field missing - Meta', 'message', 'DataModels')];
  const { DataModel: model, EventType: event } = meta;
  if (typeof model !== 'string' || !model)
    return [400, metaError(meta, 'Required field missing - Meta.DataModel', 'message', 'DataModels')];
  if (typeof event !== 'string' || !event)
    return [400, metaError(meta, 'Required field missing - Meta.EventType', 'message', 'DataModels')];
  if (!isKnownEvent(model, event)) {
    return [404, metaError(meta, `Event type not found - ${model}:${event}`, 'message', 'DataModels')];
  }
  const wanted = Array.isArray(meta.Destinations) ? meta.Destinations : [];
  if (wanted.length === 0 || !wanted.every((d) => isObject(d) && typeof d.ID === 'string' && d.ID)) {
    return [400, metaError(meta, 'Required field missing - Meta.Destinations[].ID', 'message', 'DataModels')];
  }
  const query = isQuery(model, event);
  if (query && wanted.length !== 1) {
    return [400, metaError(meta, `Queries take exactly one destination - ${model}:${event}`, 'query', 'Send')];
  }
  const destinations = wanted.map((d) => subscribed.find((known) => known.ID === (d as { ID: string }).ID));
  if (destinations.some((d) => d === undefined)) {
    return [
      400,
      metaError(
        meta,
        'No subscriptions. Meta.Destinations needs to contain a destination from existing subscriptions',
        'message',
        'Subscriptions',
      ),
    ];
  }
  // Redox validates against its schemas and names a missing field; whether it lists them all is
  // not documented, so the emulator names the first. The path notation inside the text is the
  // emulator's: Redox's own for nested arrays is unconfirmed.
  const [missing] = checkRequest(body, model, event, 'required') ?? [];
  if (missing) return [400, metaError(meta, `Required field missing - ${missing.path} in ${model}:${event}`, 'message', 'DataModels')];
  const source = sourceOf(meta, sender);
  if (!source) {
    // Redox's wording for this refusal is not documented: the emulator's own.
    return [
      400,
      metaError(
        meta,
        "Source not found - name one of this key's sources in Meta.Source.ID or the Redox-Source-Id header",
        'message',
        'Send',
      ),
    ];
  }
  const known = destinations as Destination[];
  // Redox echoes part of the request's Meta, the request's EventType included (recorded answers
  // keep it even for queries), with the destinations' names, a log per destination and the
  // deprecated numeric Message ID; not EventDateTime or Test.
  const answerMeta = {
    DataModel: model,
    EventType: event,
    Source: source,
    Destinations: known.map(({ ID, Name }) => ({ ID, Name })),
    Logs: known.map(() => ({ ID: randomUUID(), AttemptID: randomUUID() })),
    Message: { ID: randomInt(100_000_000, 999_999_999) },
  };
  const wait = query ? known[0].queryDelayMs : undefined;
  return [200, { Meta: answerMeta, ...(query ? queryResults(model, event, body) : {}) }, wait];
}

/** The source a request is sent as: the key's own, or, for a key with several, the one it names. */
function sourceOf(meta: Record<string, unknown>, sender: Sender): Source | undefined {
  if (!sender.sources) return sender.source;
  const named = sender.sourceHeader ?? (isObject(meta.Source) && typeof meta.Source.ID === 'string' ? meta.Source.ID : undefined);
  return sender.sources.find((s) => s.ID === named);
}

/**
 * A query's results: the top-level keys of its answer schema, filled from the sample data where
 * the emulator has some, empty (by their type) where it has none.
 */
function queryResults(model: string, event: string, body: Record<string, unknown>): Record<string, unknown> {
  const samples = sampleResults(model, event, body);
  const answer = generatedEvent(model, event)?.answer;
  if (!answer) return samples;
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(readSchema(answer).properties ?? {})) {
    if (key !== 'Meta') out[key] = Object.prototype.hasOwnProperty.call(samples, key) ? samples[key] : emptyOf(schema);
  }
  return out;
}

/** What the sample data answers: Timothy Bixby for a PatientSearch that finds him, a Clinical Summary of his. */
function sampleResults(model: string, event: string, body: Record<string, unknown>): Record<string, unknown> {
  if (model === 'PatientSearch' && event === 'Query') return { Patient: findSamplePatient(body.Patient) ?? {}, PotentialMatches: [] };
  if (model === 'PatientSearch' && event === 'LocationQuery') return { Patients: [SAMPLE_PATIENT] };
  if (model === 'Clinical Summary' && event === 'PatientQuery') return SAMPLE_CLINICAL_SUMMARY;
  return {};
}

/** An empty value of a schema's type: [] for a list, {} for an object, null otherwise. */
function emptyOf(schema: JsonSchema): unknown {
  const types = ([] as string[]).concat(schema.type ?? []);
  if (types.includes('array') || schema.items) return [];
  if (types.includes('object') || schema.properties) return {};
  return null;
}

/** Redox's error body: the request's DataModel and EventType echoed, with one entry in Meta.Errors. */
export function metaError(meta: Record<string, unknown>, text: string, type: string, module: string): object {
  const echo: Record<string, unknown> = {};
  for (const key of ['DataModel', 'EventType', 'Source', 'Destinations']) if (meta[key] !== undefined) echo[key] = meta[key];
  return { Meta: { ...echo, Errors: [{ ID: randomInt(100000, 999999), Text: text, Type: type, Module: module }] } };
}
