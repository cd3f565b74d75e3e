/**
 * Checks a built Data Model request against Redox's schema for its event before it is sent, as
 * Redox would check it, so that a missing field is reported at once and costs no request.
 * Validators are compiled once per event and mode (Ajv), never per message.
 *   required  every required field at every level is present; types are not checked (Redox's
 *             schemas are strict about nulls and numbers-as-strings where real senders vary)
 *   strict    types too
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { RedoxError, type PayloadProblem } from '../shared/errors';
import { generatedEvent, readSchema, type JsonSchema } from './catalogue';
import type { DataModelRequest } from './request-builder';

export type CheckMode = 'required' | 'strict' | 'off';
export const CHECK_MODES: readonly CheckMode[] = ['required', 'strict', 'off'];

const ajv = new Ajv({ allErrors: true, strict: false });
/** Compiled validators by mode and event; null for an event the schemas don't know. */
const validators = new Map<string, ValidateFunction | null>();

/** The schema without its types: what remains checks structure and required fields only. */
function withoutTypes(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  if (schema.required) out.required = schema.required;
  if (schema.items) out.items = withoutTypes(schema.items);
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, withoutTypes(v)]));
  return out;
}

/** The validator of an event in a mode, compiled on first use; undefined when the schemas don't know the event. */
export function validatorFor(dataModel: string, eventType: string, mode: Exclude<CheckMode, 'off'>): ValidateFunction | undefined {
  const key = `${mode}\u0000${dataModel}\u0000${eventType}`;
  let validate = validators.get(key);
  if (validate === undefined) {
    const event = generatedEvent(dataModel, eventType);
    const schema = event ? readSchema(event.schema) : undefined;
    validate = schema ? ajv.compile(mode === 'strict' ? schema : withoutTypes(schema)) : null;
    validators.set(key, validate);
  }
  return validate ?? undefined;
}

/** A JSON pointer (/Patient/Identifiers/0) in Redox's dotted form (Patient.Identifiers[0]). */
function dotted(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

function problemOf(error: ErrorObject): PayloadProblem {
  if (error.keyword === 'required') {
    const at = dotted(error.instancePath);
    const field = String((error.params as { missingProperty?: unknown }).missingProperty);
    return { path: at ? `${at}.${field}` : field, message: 'required field missing' };
  }
  if (error.keyword === 'type') {
    const type = String((error.params as { type?: unknown }).type);
    return { path: dotted(error.instancePath), message: `must be ${type.split(',').join(' or ')}` };
  }
  return { path: dotted(error.instancePath), message: error.message ?? error.keyword };
}

/**
 * The problems of a built request (payload with Meta) for its event: empty when it fits, undefined
 * when the schemas don't know the event (it is sent unchecked).
 */
export function checkRequest(
  message: object,
  dataModel: string,
  eventType: string,
  mode: Exclude<CheckMode, 'off'>,
): PayloadProblem[] | undefined {
  const validate = validatorFor(dataModel, eventType, mode);
  if (!validate) return undefined;
  return validate(message) ? [] : (validate.errors ?? []).map(problemOf);
}

/** How many problems the error's text names; msg.error.errors has them all. */
const NAMED = 3;

/**
 * Checks a built request in the given mode: throws RedoxError('invalidPayload') listing every
 * problem; returns 'unchecked' when the schemas don't know the event (a new Redox event must not
 * block a flow), 'fits' otherwise.
 */
export function checkBuiltRequest(request: DataModelRequest, mode: CheckMode): 'fits' | 'unchecked' {
  if (mode === 'off') return 'fits';
  // strict checks exactly what is sent (a Date is sent as text); required needs only the shape
  const problems = checkRequest(
    mode === 'strict' ? (JSON.parse(request.body) as object) : request.message,
    request.dataModel,
    request.eventType,
    mode,
  );
  if (problems === undefined) return 'unchecked';
  if (problems.length === 0) return 'fits';
  const named = problems.slice(0, NAMED).map((p) => `${p.path} (${p.message})`);
  if (problems.length > NAMED) named.push('…');
  throw new RedoxError(
    'invalidPayload',
    { model: `${request.dataModel} ${request.eventType}`, count: problems.length, problems: named.join(', ') },
    { errors: problems },
  );
}
