/**
 * redox-send: builds a Data Model request from msg.payload and the node's settings, sends it
 * through the shared connection, and emits the response (output 1) or the error (output 2).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { RedoxConfigNode } from './lib/config-node';
import type { RedoxError } from './lib/errors';
import { handleInput } from './lib/outcome';
import { buildRequest } from './lib/request-builder';
import { SendSettingsReader, type SendDef } from './lib/send-settings';

interface RedoxSendDef extends NodeDef, SendDef {
  redox?: string;
}

export = function (RED: NodeAPI) {
  function RedoxSend(this: Node, def: RedoxSendDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def.redox ? (RED.nodes.getNode(def.redox) as RedoxConfigNode | null) : null;

    // Fixed settings are read once; a bad one is reported now and on every message.
    let settings: SendSettingsReader | RedoxError;
    try {
      settings = new SendSettingsReader(RED, node, def);
    } catch (err) {
      settings = err as RedoxError;
      const text = RED._('redox-send.errors.badSetting', settings.params);
      node.error(text);
      node.status({ fill: 'red', shape: 'ring', text });
    }

    handleInput(RED, node, config, 'redox-send', async (msg, config, signal) => {
      if (!(settings instanceof SendSettingsReader)) throw settings;
      const request = buildRequest(msg.payload, settings.fixedSettings ?? (await settings.read(msg)));
      const timeoutMs = typeof msg.requestTimeout === 'number' && msg.requestTimeout > 0 ? msg.requestTimeout : undefined;
      config.showStatus(node, 'sending');
      const result = await config.connection().post(request.path, request.body, { timeoutMs, signal });
      msg.payload = result.body;
      msg.statusCode = result.statusCode;
      msg.headers = result.headers;
      config.showStatus(node, 'sent');
      return msg;
    });
  }

  RED.nodes.registerType('redox-send', RedoxSend);
};
