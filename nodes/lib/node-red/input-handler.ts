/**
 * The input handling redox-send and redox-token share: the connection check, how a failure
 * reaches the flow (output 2 when it is wired, else done(text) so that Catch nodes and the debug
 * sidebar see it), and closing: messages in flight are stopped and completed on output 2 before
 * the node reports itself closed. The message keeps everything it had, plus what Redox answered.
 */
import { setMaxListeners } from 'node:events';
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { isRedoxError, RedoxError } from '../shared/errors';
import type { RedoxConfigNode } from './config-node';
import { errorText } from './words';

export type Msg = NodeMessage & Record<string, unknown>;

export interface RedoxErrorInfo {
  message: string;
  code: string;
  statusCode?: number;
  errors: unknown[];
  /** When retried: what each attempt ended with. */
  attempts?: string[];
}

type SendFn = (msg: NodeMessage | Array<NodeMessage | null>) => void;
type DoneFn = (err?: Error) => void;

/** Node-RED waits 15 s for a node to close; ours finish well before. */
const CLOSE_WAIT_MS = 5000;

/** What every flow node that uses a connection has in its definition. */
export interface FlowNodeDef extends NodeDef {
  /** The redox-config node's id. */
  redox?: string;
}

export interface InputHandlerOptions {
  RED: NodeAPI;
  node: Node;
  def: FlowNodeDef;
  /** Does the node's work for one message; resolves with what goes to output 1, throws what goes to output 2. */
  handle: (msg: Msg, config: RedoxConfigNode, signal: AbortSignal) => Promise<Msg>;
}

/**
 * Finds the node's connection and runs `handle` for each input message with it and an abort
 * signal that fires when the node closes.
 */
export function handleInput({ RED, node, def, handle }: InputHandlerOptions): void {
  const config = def.redox ? (RED.nodes.getNode(def.redox) as RedoxConfigNode | null) : null;
  const noConfig = new RedoxError('noConfig');
  const noConfigText = errorText(RED, noConfig);
  if (!config) node.status({ fill: 'red', shape: 'ring', text: noConfigText });
  else config.showStatus(node, 'idle');
  const closing = new AbortController();
  setMaxListeners(0, closing.signal); // messages that wait (queued, or before a retry) listen to it, by design
  let inFlight = 0;
  /** Set while the node is closing: told when the last message in flight has finished. */
  let onIdle: (() => void) | undefined;

  const run = async (msg: Msg, config: RedoxConfigNode, send: SendFn, done: DoneFn): Promise<void> => {
    inFlight++;
    try {
      if (closing.signal.aborted) throw new RedoxError('stopped');
      send([await handle(msg, config, closing.signal), null]);
      done();
    } catch (err) {
      config.showStatus(node, 'error', err);
      failMessage(node, msg, err, config.describe(err), send, done, (value) => config.mask(value));
    } finally {
      if (--inFlight === 0) onIdle?.();
    }
  };

  node.on('input', (msg: Msg, send: SendFn, done: DoneFn) => {
    if (!config) {
      failMessage(node, msg, noConfig, noConfigText, send, done);
      return;
    }
    // run() ends every message itself; this only keeps a fault of Node-RED's own from becoming an unhandled rejection
    run(msg, config, send, done).catch((err: unknown) => node.error(errorText(RED, err)));
  });

  node.on('close', (done: () => void) => {
    closing.abort();
    config?.forget(node);
    if (inFlight === 0) {
      done();
      return;
    }
    const finish = () => {
      clearTimeout(timer);
      onIdle = undefined;
      done();
    };
    const timer = setTimeout(finish, CLOSE_WAIT_MS);
    onIdle = finish;
  });
}

/** What Redox answered, onto the message output 1 sends: its body, status and headers. */
export function carryAnswer(msg: Msg, answer: { body: unknown; statusCode: number; headers: unknown }): Msg {
  msg.payload = answer.body;
  msg.statusCode = answer.statusCode;
  msg.headers = answer.headers;
  return msg;
}

function failMessage(
  node: Node,
  msg: Msg,
  err: unknown,
  message: string,
  send: SendFn,
  done: DoneFn,
  mask: <T>(value: T) => T = (value) => value,
): void {
  const details = isRedoxError(err) ? err.details : {};
  const info: RedoxErrorInfo = {
    message,
    code: isRedoxError(err) ? err.code : 'internal',
    statusCode: details.statusCode,
    errors: mask(details.errors ?? []),
    ...(details.attempts ? { attempts: details.attempts } : {}),
  };
  let carried = true;
  try {
    if (details.statusCode !== undefined) {
      msg.statusCode = details.statusCode;
      msg.payload = mask(details.body);
      msg.headers = mask(details.headers);
    }
    msg.error = info;
  } catch {
    carried = false; // a message whose properties are read-only cannot carry the error: report it without
  }
  const wires = (node as unknown as { wires?: unknown[][] }).wires;
  if (carried && Array.isArray(wires?.[1]) && wires[1].length > 0) {
    send([null, msg]);
    done();
  } else {
    // Plain text, so that the debug sidebar shows it whole (an Error shows as a preview with its
    // stack, the text cut short). Catch nodes get it as msg.error.message, and Node-RED keeps the
    // message's own msg.error, with the code and details, as msg._error.
    (done as (err: Error | string) => void)(message); // Node-RED takes text, though its typings say Error
  }
}
