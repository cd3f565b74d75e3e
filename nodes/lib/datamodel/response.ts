/**
 * Reading Redox's answer to a Data Model request: a success, or the RedoxError that says why it
 * is a failure (an error status, or a 200 whose Meta.Errors is not empty).
 */
import { excerpt, RedoxError, responseDetails, type AnswerParts, type RedoxMetaError } from '../shared/errors';
import { isPlainObject } from '../shared/values';

/** An HTTP answer as the transport hands it over. */
export interface RedoxAnswer extends AnswerParts {
  /** True when `body` is parsed JSON. */
  json: boolean;
}

export interface RedoxResult {
  statusCode: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/** Redox's Meta.Errors list, or an empty one. */
export function metaErrors(body: unknown): RedoxMetaError[] {
  if (!isPlainObject(body) || !isPlainObject(body.Meta) || !Array.isArray(body.Meta.Errors)) return [];
  return body.Meta.Errors.filter(isPlainObject) as RedoxMetaError[];
}

/** A success, or the RedoxError that says why Redox's answer is a failure. */
export function interpret(res: RedoxAnswer): RedoxResult {
  const errors = metaErrors(res.body);
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  if (ok && errors.length === 0 && res.json) return { statusCode: res.statusCode, headers: res.headers, body: res.body };

  // A failure: only now is it worth describing.
  const details = { ...responseDetails(res), errors };
  const firstText = (errors.length ? excerpt(errors[0].Text) : excerpt(res.body)) || '-';
  if (!ok) throw new RedoxError('httpStatus', { status: res.statusCode, count: errors.length, text: firstText }, details);
  if (errors.length > 0) {
    // "Regardless of status code, if there is an error object present in Meta.Errors[], then something went wrong."
    throw new RedoxError('metaErrors', { status: res.statusCode, count: errors.length, text: firstText }, details);
  }
  throw new RedoxError('badResponse', { status: res.statusCode, type: String(res.headers['content-type'] ?? '-') }, details);
}
