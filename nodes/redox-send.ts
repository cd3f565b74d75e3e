/**
 * redox-send: builds a Data Model request from msg.payload and the node's settings, sends it
 * through the shared connection, and emits the response (output 1) or the error (output 2).
 */
import type { Node, NodeAPI, NodeDef } from 'node-red';
import type { RedoxConfigNode } from './lib/config-node';
import { RedoxError } from './lib/errors';
import { handleInput } from './lib/outcome';
import { buildRequest, parseDestinationsSetting, type SendSettings } from './lib/request-builder';

interface RedoxSendDef extends NodeDef {
  redox?: string;
  dataModel?: string;
  eventType?: string;
  destinations?: unknown;
  test?: boolean | string;
}

export = function (RED: NodeAPI) {
  function RedoxSend(this: Node, def: RedoxSendDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def.redox ? (RED.nodes.getNode(def.redox) as RedoxConfigNode | null) : null;

    // Settings are read once; a bad one is reported now and on every message.
    let settings: SendSettings | RedoxError;
    try {
      settings = {
        dataModel: def.dataModel ?? '',
        eventType: def.eventType ?? '',
        destinations: parseDestinationsSetting(def.destinations),
        test: def.test === true || def.test === 'true',
      };
    } catch (err) {
      settings = err as RedoxError;
      const text = RED._('redox-send.errors.badSetting', settings.params);
      node.error(text);
      node.status({ fill: 'red', shape: 'ring', text });
    }

    handleInput(RED, node, config, 'redox-send', async (msg, config, signal) => {
      if (settings instanceof RedoxError) throw settings;
      const request = buildRequest(msg.payload, settings);
      const timeoutMs = typeof msg.requestTimeout === 'number' && msg.requestTimeout > 0 ? msg.requestTimeout : undefined;
      node.status({ fill: 'blue', shape: 'dot', text: RED._('redox-send.status.sending') });
      const result = await config.connection().post(request.path, request.body, { timeoutMs, signal });
      msg.payload = result.body;
      msg.statusCode = result.statusCode;
      msg.headers = result.headers;
      node.status({ fill: 'green', shape: 'dot', text: RED._('redox-send.status.sent', { time: new Date().toLocaleTimeString() }) });
      return msg;
    });
  }

  RED.nodes.registerType('redox-send', RedoxSend);
};
