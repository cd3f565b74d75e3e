/**
 * Redox Data Models and their event types, with the fields each event requires, as generated from
 * Redox's JSON schemas and the event-type table of its documentation (`npm run
 * generate:data-models`; the files in ./generated are committed). The request builder (a query
 * takes one destination), the payload check, the emulator and the editor all read this one list.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface DataModelEntry {
  /** Asynchronous event types. */
  readonly events: readonly string[];
  /** Synchronous event types (queries): Redox answers them with results. */
  readonly queries: readonly string[];
  /** The fields each event requires, at every level, in dotted form (`Patient.Identifiers[].ID`). */
  readonly required: Readonly<Record<string, readonly string[]>>;
}

/** One event of the generated list: its names, and its request and answer schemas. */
export interface GeneratedEvent {
  readonly dataModel: string;
  readonly eventType: string;
  readonly query: boolean;
  /** The compacted request schema, a path under generated/schemas. */
  readonly schema: string;
  /** The compacted answer schema of a query, where Redox publishes one. */
  readonly answer?: string;
}

/** The directory of the generated files, beside this module in the source and in dist. */
export const GENERATED_DIR = path.join(__dirname, 'generated');

function readGenerated<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(GENERATED_DIR, file), 'utf8')) as T;
}

export const DATA_MODELS: Readonly<Record<string, DataModelEntry>> = readGenerated('catalogue.json');

const EVENTS: readonly GeneratedEvent[] = readGenerated<{ events: GeneratedEvent[] }>('models.json').events;

function entryFor(dataModel: string): DataModelEntry | undefined {
  return Object.prototype.hasOwnProperty.call(DATA_MODELS, dataModel) ? DATA_MODELS[dataModel] : undefined;
}

/** True when the event type is one of Redox's synchronous queries. Unknown pairs count as asynchronous. */
export function isQuery(dataModel: string, eventType: string): boolean {
  return entryFor(dataModel)?.queries.includes(eventType) ?? false;
}

/** True when the catalogue knows the pair. */
export function isKnownEvent(dataModel: string, eventType: string): boolean {
  const entry = entryFor(dataModel);
  return entry !== undefined && (entry.events.includes(eventType) || entry.queries.includes(eventType));
}

/** The generated entry of a known pair. */
export function generatedEvent(dataModel: string, eventType: string): GeneratedEvent | undefined {
  return EVENTS.find((e) => e.dataModel === dataModel && e.eventType === eventType);
}

const schemas = new Map<string, JsonSchema>();

/** A generated schema (request or answer), by its path under generated/schemas; read once. */
export function readSchema(file: string): JsonSchema {
  let schema = schemas.get(file);
  if (!schema) schemas.set(file, (schema = readGenerated<JsonSchema>(path.join('schemas', file))));
  return schema;
}

/** The parts of Redox's (draft-04) schemas there are: nothing else appears in them. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
}

let examples: Record<string, unknown> | undefined;

/** The example payload of a pair ("DataModel/EventType"): every required field filled with sample values. */
export function examplePayload(dataModel: string, eventType: string): unknown {
  const all = (examples ??= readGenerated<Record<string, unknown>>('examples.json'));
  const key = `${dataModel}/${eventType}`;
  return Object.prototype.hasOwnProperty.call(all, key) ? all[key] : undefined;
}
