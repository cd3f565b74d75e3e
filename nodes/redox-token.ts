/**
 * redox-token: hands a valid access token to the flow, ready for a core http request node.
 * It never emits the refresh token or the secret.
 */
import type { Node, NodeAPI } from 'node-red';
import { handleInput, type FlowNodeDef } from './lib/node-red/input-handler';
import { isPlainObject } from './lib/shared/values';

interface RedoxTokenDef extends FlowNodeDef {
  /** Where the token goes: 'both' (default), 'payload' or 'headers'. */
  output?: string;
}

export = function (RED: NodeAPI) {
  function RedoxToken(this: Node, def: RedoxTokenDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const output = def.output === 'payload' || def.output === 'headers' ? def.output : 'both';

    handleInput({
      RED,
      node,
      def,
      handle: async (msg, config, signal) => {
        config.showStatus(node, 'fetching');
        const token = await config.connection().getToken(signal);
        if (output !== 'headers') msg.payload = { accessToken: token.accessToken, expires: new Date(token.expiresAt).toISOString() };
        if (output !== 'payload') {
          msg.headers = { ...(isPlainObject(msg.headers) ? msg.headers : {}), Authorization: `Bearer ${token.accessToken}` };
        }
        config.showStatus(node, 'issued');
        return msg;
      },
    });
  }

  RED.nodes.registerType('redox-token', RedoxToken);
};
