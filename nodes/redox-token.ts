/**
 * redox-token: hands a valid access token to the flow, ready for a core http request node.
 * It never emits the refresh token or the secret.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { RedoxConfigNode } from './lib/config-node';
import { RedoxError } from './lib/errors';
import { failMessage } from './lib/outcome';
import { isPlainObject } from './lib/request-builder';

interface RedoxTokenDef extends NodeDef {
  redox?: string;
}

type Msg = NodeMessage & Record<string, unknown>;

export = function (RED: NodeAPI) {
  function RedoxToken(this: Node, def: RedoxTokenDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def.redox ? (RED.nodes.getNode(def.redox) as RedoxConfigNode | null) : null;
    if (!config) node.status({ fill: 'red', shape: 'ring', text: RED._('redox-token.errors.noConfig') });

    node.on('input', async (msg: Msg, send, done) => {
      if (!config) {
        failMessage(node, msg, new RedoxError('noConfig'), RED._('redox-token.errors.noConfig'), send, done);
        return;
      }
      try {
        node.status({ fill: 'blue', shape: 'dot', text: RED._('redox-token.status.fetching') });
        const token = await config.connection().getToken();
        const expires = new Date(token.expiresAt);
        msg.payload = { accessToken: token.accessToken, expires: expires.toISOString() };
        msg.headers = { ...(isPlainObject(msg.headers) ? msg.headers : {}), Authorization: `Bearer ${token.accessToken}` };
        node.status({ fill: 'green', shape: 'dot', text: RED._('redox-token.status.issued', { time: expires.toLocaleTimeString() }) });
        send([msg, null]);
        done();
      } catch (err) {
        node.status(config.statusFor(err));
        failMessage(node, msg, err, config.describe(err), send, done);
      }
    });
  }

  RED.nodes.registerType('redox-token', RedoxToken);
};
