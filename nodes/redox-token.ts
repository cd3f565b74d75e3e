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
  /** Where the token goes: 'both' (default), 'payload' or 'headers'. */
  output?: string;
}

export = function (RED: NodeAPI) {
  function RedoxToken(this: Node, def: RedoxTokenDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def.redox ? (RED.nodes.getNode(def.redox) as RedoxConfigNode | null) : null;
    const output = def.output === 'payload' || def.output === 'headers' ? def.output : 'both';

    handleInput(RED, node, config, 'redox-token', async (msg, config, signal) => {
      config.showStatus(node, 'fetching');
      const token = await config.connection().getToken(signal);
      if (output !== 'headers') msg.payload = { accessToken: token.accessToken, expires: new Date(token.expiresAt).toISOString() };
      if (output !== 'payload') {
        msg.headers = { ...(isPlainObject(msg.headers) ? msg.headers : {}), Authorization: `Bearer ${token.accessToken}` };
      }
      config.showStatus(node, 'issued');
      return msg;
    });
  }

  RED.nodes.registerType('redox-token', RedoxToken);
};
