/**
 * redox-token: hands a valid access token to the flow, ready for a core http request node.
 * It never emits the refresh token or the secret.
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { RedoxConfigNode } from './lib/config-node';
import { handleInput } from './lib/outcome';
import { isPlainObject } from './lib/request-builder';

interface RedoxTokenDef extends NodeDef {
  redox?: string;
}

export = function (RED: NodeAPI) {
  function RedoxToken(this: Node, def: RedoxTokenDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def.redox ? (RED.nodes.getNode(def.redox) as RedoxConfigNode | null) : null;

    handleInput(RED, node, config, 'redox-token', async (msg, config, signal) => {
      node.status({ fill: 'blue', shape: 'dot', text: RED._('redox-token.status.fetching') });
      const token = await config.connection().getToken(signal);
      const expires = new Date(token.expiresAt);
      msg.payload = { accessToken: token.accessToken, expires: expires.toISOString() };
      msg.headers = { ...(isPlainObject(msg.headers) ? msg.headers : {}), Authorization: `Bearer ${token.accessToken}` };
      node.status({ fill: 'green', shape: 'dot', text: RED._('redox-token.status.issued', { time: expires.toLocaleTimeString() }) });
      return msg;
    });
  }

  RED.nodes.registerType('redox-token', RedoxToken);
};
