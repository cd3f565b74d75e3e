/**
 * redox-send: builds a Data Model request from msg.payload and the node's settings, sends it
 * through the shared connection, and emits the response (output 1) or the error (output 2).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { RedoxConfigNode } from './lib/config-node';
import { RedoxError } from './lib/errors';
import { failMessage } from './lib/outcome';
import { buildRequest, parseDestinationsSetting, type SendSettings } from './lib/request-builder';

interface RedoxSendDef extends NodeDef {
  redox?: string;
  dataModel?: string;
  eventType?: string;
  destinations?: unknown;
  test?: boolean | string;
}

type Msg = NodeMessage & Record<string, unknown>;

export = function (RED: NodeAPI) {
  function RedoxSend(this: Node, def: RedoxSendDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def.redox ? (RED.nodes.getNode(def.redox) as RedoxConfigNode | null) : null;

    // Settings are read once; a bad one is reported now and on every message.
    let settings: SendSettings | undefined;
    let settingsError: RedoxError | undefined;
    try {
      settings = {
        dataModel: def.dataModel ?? '',
        eventType: def.eventType ?? '',
        destinations: parseDestinationsSetting(def.destinations),
        test: def.test === true || def.test === 'true',
      };
    } catch (err) {
      settingsError = err as RedoxError;
      node.error(RED._('redox-send.errors.badSetting', settingsError.params));
      node.status({ fill: 'red', shape: 'ring', text: RED._('redox-send.errors.badSetting', settingsError.params) });
    }
    if (!config) node.status({ fill: 'red', shape: 'ring', text: RED._('redox-send.errors.noConfig') });

    node.on('input', async (msg: Msg, send, done) => {
      if (!config) {
        failMessage(node, msg, new RedoxError('noConfig'), RED._('redox-send.errors.noConfig'), send, done);
        return;
      }
      try {
        if (settingsError || !settings) throw settingsError;
        const request = buildRequest(msg.payload, settings);
        const timeoutMs = typeof msg.requestTimeout === 'number' && msg.requestTimeout > 0 ? msg.requestTimeout : undefined;
        node.status({ fill: 'blue', shape: 'dot', text: RED._('redox-send.status.sending') });
        const result = await config.connection().post(request.path, request.body, timeoutMs);
        msg.payload = result.body;
        msg.statusCode = result.statusCode;
        msg.headers = result.headers;
        node.status({ fill: 'green', shape: 'dot', text: RED._('redox-send.status.sent', { time: new Date().toLocaleTimeString() }) });
        send([msg, null]);
        done();
      } catch (err) {
        node.status(config.statusFor(err));
        failMessage(node, msg, err, config.describe(err), send, done);
      }
    });
  }

  RED.nodes.registerType('redox-send', RedoxSend);
};
