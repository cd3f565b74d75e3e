/**
 * Errors the package reports. Each carries a stable `code` (also the key of its text in the
 * locale catalogue, under "errors.") and the values the text needs, so that the node layer can
 * translate it and flows can switch on `msg.error.code`. Nothing here ever holds a credential or
 * a token: HTTP library errors are rewritten into these before they leave the HTTP module.
 */

/** One entry of Redox's `Meta.Errors`. */
export interface RedoxMetaError {
  ID?: unknown;
  Text?: unknown;
  Type?: unknown;
  Module?: unknown;
}

export type ErrorCode =
  // input checks, nothing sent
  | 'payloadNotObject'
  | 'metaNotObject'
  | 'missingDataModel'
  | 'missingEventType'
  | 'missingDestination'
  | 'badDestination'
  | 'queryOneDestination'
  | 'badTestFlag'
  | 'notSerializable'
  | 'invalidPayload'
  | 'fileNotBuffer'
  | 'fileTooLarge'
  // configuration
  | 'noConfig'
  | 'missingCredentials'
  | 'badBaseUrl'
  | 'insecureBaseUrl'
  | 'badSetting'
  | 'badPrivateKey'
  | 'algorithmMismatch'
  | 'missingKeyId'
  | 'storedElsewhere'
  | 'tlsNotDeployed'
  | 'uploadUrlNeeded'
  // authentication
  | 'authRefused'
  | 'authFailed'
  | 'authBadResponse'
  | 'expiredToken'
  // data requests
  | 'unauthorized'
  | 'httpStatus'
  | 'metaErrors'
  | 'badResponse'
  | 'responseTooLarge'
  // transport and throttling
  | 'network'
  | 'timeout'
  | 'stopped'
  | 'queueFull'
  | 'rateLimited';

/** A problem the payload check found, in Redox's dotted field notation. */
export interface PayloadProblem {
  path: string;
  message: string;
}

export type ErrorParams = Record<string, string | number>;

export interface ErrorDetails {
  statusCode?: number;
  /** The response body: parsed JSON, or the text Redox sent. */
  body?: unknown;
  headers?: Record<string, unknown>;
  /** Redox's Meta.Errors, or the problems the payload check found. */
  errors?: Array<RedoxMetaError | PayloadProblem>;
  /** When retried: what each attempt ended with (a status, a network error code). */
  attempts?: string[];
}

export class RedoxError extends Error {
  readonly code: ErrorCode;
  readonly params: ErrorParams;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, params: ErrorParams = {}, details: ErrorDetails = {}) {
    // The untranslated message names the code and values; the nodes replace it with the catalogue text.
    super(`${code}${Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`);
    this.name = 'RedoxError';
    this.code = code;
    this.params = params;
    this.details = details;
  }
}

export function isRedoxError(err: unknown): err is RedoxError {
  return err instanceof RedoxError;
}

/** The parts of an HTTP answer that describe a failure: never the request, which holds the token or secret. */
export interface AnswerParts {
  statusCode: number;
  headers: Record<string, unknown>;
  body: unknown;
}

/** What a refused or failed response tells a flow: status, body and headers. */
export function responseDetails(res: AnswerParts): ErrorDetails {
  return { statusCode: res.statusCode, body: res.body, headers: res.headers };
}

/** A short, single-line excerpt of text from a remote server, safe to put in a message. */
export function excerpt(text: unknown, max = 200): string {
  const s = typeof text === 'string' ? text : text === undefined || text === null ? '' : JSON.stringify(text);
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
