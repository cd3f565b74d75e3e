/**
 * What the nodes say: the text of every error and the status each one shows, and which node's
 * locale file holds the words. The tables are exhaustive (Record over every code and state), so
 * the compiler refuses a new error code until it has its words here.
 */
import type { NodeAPI, NodeStatus } from 'node-red';
import { isRedoxError, type ErrorCode, type RedoxError } from '../shared/errors';
import type { StatusState } from './config-node';
import { PACKAGE } from './package-info';

/** The node type whose locale file (nodes/locales/<lang>/<type>.json) holds a word. */
export type WordOwner = 'redox-config' | 'redox-send' | 'redox-token' | 'redox-upload' | 'redox-receive' | 'redox-response';

/** A status word for an error; 'http' is httpStatus or httpErrors, by whether Redox listed errors. */
type ErrorStatus =
  | 'invalid'
  | 'config'
  | 'unauthorized'
  | 'refused'
  | 'http'
  | 'httpStatus'
  | 'badResponse'
  | 'tooLarge'
  | 'network'
  | 'timeout'
  | 'stopped'
  | 'queueFull'
  | 'rateLimited';

interface ErrorWords {
  owner: WordOwner;
  status: ErrorStatus;
}

/** redox-send's own checks of msg.payload: nothing was sent. */
const INPUT: ErrorWords = { owner: 'redox-send', status: 'invalid' };
/** redox-upload's own checks of msg.payload: nothing was sent. */
const FILE_INPUT: ErrorWords = { owner: 'redox-upload', status: 'invalid' };
const connection = (status: ErrorStatus): ErrorWords => ({ owner: 'redox-config', status });

export const ERROR_WORDS: Readonly<Record<ErrorCode, ErrorWords>> = {
  payloadNotObject: INPUT,
  metaNotObject: INPUT,
  missingDataModel: INPUT,
  missingEventType: INPUT,
  missingDestination: INPUT,
  badDestination: INPUT,
  queryOneDestination: INPUT,
  badTestFlag: INPUT,
  notSerializable: INPUT,
  invalidPayload: INPUT,
  fileNotBuffer: FILE_INPUT,
  fileTooLarge: FILE_INPUT,
  noConfig: connection('config'),
  missingCredentials: connection('config'),
  badBaseUrl: connection('config'),
  insecureBaseUrl: connection('config'),
  badSetting: connection('config'),
  badPrivateKey: connection('config'),
  algorithmMismatch: connection('config'),
  missingKeyId: connection('config'),
  storedElsewhere: connection('config'),
  tlsNotDeployed: connection('config'),
  uploadUrlNeeded: connection('config'),
  authRefused: connection('refused'),
  authFailed: connection('httpStatus'),
  authBadResponse: connection('badResponse'),
  expiredToken: connection('badResponse'),
  unauthorized: connection('unauthorized'),
  httpStatus: connection('http'),
  metaErrors: connection('http'),
  badResponse: connection('badResponse'),
  responseTooLarge: connection('tooLarge'),
  network: connection('network'),
  timeout: connection('timeout'),
  stopped: connection('stopped'),
  queueFull: connection('queueFull'),
  rateLimited: connection('rateLimited'),
};

/** The dot of each state, and whose word it is; errors are a red ring. */
export const STATE_WORDS: Readonly<Record<Exclude<StatusState, 'error'>, { owner: WordOwner; look: Omit<NodeStatus, 'text'> }>> = {
  idle: { owner: 'redox-config', look: { fill: 'grey', shape: 'dot' } },
  sending: { owner: 'redox-send', look: { fill: 'blue', shape: 'dot' } },
  sent: { owner: 'redox-send', look: { fill: 'green', shape: 'dot' } },
  fetching: { owner: 'redox-token', look: { fill: 'blue', shape: 'dot' } },
  issued: { owner: 'redox-token', look: { fill: 'green', shape: 'dot' } },
  uploading: { owner: 'redox-upload', look: { fill: 'blue', shape: 'dot' } },
  uploaded: { owner: 'redox-upload', look: { fill: 'green', shape: 'dot' } },
};

/**
 * A word from `owner`'s locale file. Node-RED gives each node file's RED._ its own catalogue, and
 * these words are read from the config node's, the flow nodes' and the admin routes' code alike:
 * naming the catalogue (module/type:key) finds the word from any of them.
 */
export function say(RED: NodeAPI, owner: WordOwner, key: string, params?: Record<string, string | number>): string {
  return RED._(`${PACKAGE.name}/${owner}:${owner}.${key}`, params);
}

/** The translated text of an error (not yet masked: the connection does that). */
export function errorText(RED: NodeAPI, err: unknown): string {
  if (!isRedoxError(err)) return say(RED, 'redox-config', 'errors.unexpected', { message: String((err as Error)?.message ?? err) });
  const text = say(RED, ERROR_WORDS[err.code].owner, `errors.${emulatorDown(err) ? 'networkEmulator' : err.code}`, err.params);
  const attempts = err.details.attempts;
  return attempts
    ? say(RED, 'redox-config', 'errors.afterAttempts', { message: text, count: attempts.length, attempts: attempts.join(', ') })
    : text;
}

/** Nothing answers on this machine's address: most likely the emulator is not running. */
function emulatorDown(err: RedoxError): boolean {
  return err.code === 'network' && err.params.reason === 'ECONNREFUSED' && /^(127\.|localhost(:|$)|\[::1\])/.test(String(err.params.host));
}

/** The status a node shows after `err`. */
export function errorStatus(RED: NodeAPI, err: unknown): NodeStatus {
  if (!isRedoxError(err)) return { fill: 'red', shape: 'ring', text: say(RED, 'redox-config', 'status.error') };
  const { owner, status } = ERROR_WORDS[err.code];
  const word = status === 'http' ? (Number(err.params.count) > 0 ? 'httpErrors' : 'httpStatus') : status;
  return { fill: 'red', shape: 'ring', text: say(RED, owner, `status.${word}`, err.params) };
}

/** The status of a node in `state`. */
export function stateStatus(RED: NodeAPI, state: Exclude<StatusState, 'error'>, waiting = 0): NodeStatus {
  const { owner, look } = STATE_WORDS[state];
  // while a backlog drains, the status says how many wait
  const word = (state === 'sending' || state === 'sent') && waiting > 0 ? 'sendingQueued' : state;
  return { ...look, text: say(RED, owner, `status.${word}`, { time: new Date().toLocaleTimeString(), waiting }) };
}
