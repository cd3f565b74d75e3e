/**
 * How redox-send and redox-token hand a failure to the flow: output 2 when it is wired, else
 * done(err) so that Catch nodes and the debug sidebar see it. Either way the message keeps
 * everything it had, plus what Redox answered.
 */
import type { Node, NodeMessage } from 'node-red';
import { isRedoxError } from './errors';

export interface RedoxErrorInfo {
  message: string;
  code: string;
  statusCode?: number;
  errors: unknown[];
}

export type SendFn = (msg: NodeMessage | Array<NodeMessage | null>) => void;
export type DoneFn = (err?: Error) => void;

export function failMessage(node: Node, msg: NodeMessage & Record<string, unknown>, err: unknown, message: string, send: SendFn, done: DoneFn): void {
  const details = isRedoxError(err) ? err.details : {};
  const info: RedoxErrorInfo = {
    message,
    code: isRedoxError(err) ? err.code : 'internal',
    statusCode: details.statusCode,
    errors: details.errors ?? [],
  };
  if (details.statusCode !== undefined) {
    msg.statusCode = details.statusCode;
    msg.payload = details.body;
    msg.headers = details.headers;
  }
  msg.error = info;
  const wires = (node as unknown as { wires?: unknown[][] }).wires;
  if (Array.isArray(wires?.[1]) && wires[1].length > 0) {
    send([null, msg]);
    done();
  } else {
    done(new FlowError(message, info.code));
  }
}

/** What Catch nodes receive: Node-RED shows its toString(), which here is the message alone. */
class FlowError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }

  override toString(): string {
    return this.message;
  }
}
