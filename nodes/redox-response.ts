/**
 * redox-response: answers the request a redox-receive message (reply "flow") came from, with
 * msg.payload, msg.statusCode (200 unless set) and msg.headers: how a flow answers a query.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { answer } from './lib/node-red/http-reply';
import { StatusBoard } from './lib/node-red/status-board';
import { say } from './lib/node-red/words';

type Msg = NodeMessage & { res?: unknown; statusCode?: unknown; headers?: unknown };
type InputListener = (msg: Msg, send: unknown, done: (err?: string) => void) => void;

export = function (RED: NodeAPI) {
  function RedoxResponse(this: Node, def: NodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const board = new StatusBoard(); // a burst of answers redraws the editor a few times a second at most
    node.on('close', () => board.forget(node));
    const onInput: InputListener = (msg, _send, done) => {
      let problem: string | undefined;
      try {
        problem = answer(msg.res, msg.payload, msg.statusCode, msg.headers);
      } catch (err) {
        problem = 'failed';
        node.debug(String((err as Error).message));
      }
      if (problem) {
        const text = say(RED, 'redox-response', `errors.${problem}`);
        board.set(node, { fill: 'red', shape: 'ring', text });
        done(text); // Node-RED takes text, and shows it whole in the debug sidebar
        return;
      }
      board.set(node, () => ({
        fill: 'green',
        shape: 'dot',
        text: say(RED, 'redox-response', 'status.answered', { status: String(msg.statusCode ?? 200) }),
      }));
      done();
    };
    node.on('input', onInput as never);
  }

  RED.nodes.registerType('redox-response', RedoxResponse);
};
