/**
 * redox-send: builds a Data Model request from msg.payload and the node's settings, sends it
 * through the shared connection, and emits the response (output 1) or the error (output 2).
 */
import type { Node, NodeAPI } from 'node-red';
import { checkBuiltRequest } from './lib/datamodel/payload-check';
import { buildRequest } from './lib/datamodel/request-builder';
import { carryAnswer, handleInput, type FlowNodeDef } from './lib/node-red/input-handler';
import { requestTimeoutOf, SendSettingsReader, type SendDef } from './lib/node-red/send-settings';
import { errorText, say } from './lib/node-red/words';
import type { RedoxError } from './lib/shared/errors';

export = function (RED: NodeAPI) {
  function RedoxSend(this: Node, def: FlowNodeDef & SendDef) {
    RED.nodes.createNode(this, def);
    const node = this;

    // Fixed settings are read once; a bad one is reported now and on every message.
    let settings: SendSettingsReader | RedoxError;
    try {
      settings = new SendSettingsReader(RED, node, def);
    } catch (err) {
      settings = err as RedoxError;
      const text = errorText(RED, settings);
      node.error(text);
      node.status({ fill: 'red', shape: 'ring', text });
    }

    // An event the schemas don't know is sent unchecked, and said once.
    const warned = new Set<string>();
    const warnUnchecked = (dataModel: string, eventType: string) => {
      const key = `${dataModel}/${eventType}`;
      if (warned.has(key)) return;
      warned.add(key);
      node.warn(say(RED, 'redox-send', 'warnings.unchecked', { model: `${dataModel} ${eventType}` }));
    };

    handleInput({
      RED,
      node,
      def,
      handle: async (msg, config, signal) => {
        if (!(settings instanceof SendSettingsReader)) throw settings;
        const request = buildRequest(msg.payload, settings.fixedSettings ?? (await settings.read(msg)), { sourceId: config.sourceId });
        if (checkBuiltRequest(request, settings.checkMode) === 'unchecked') warnUnchecked(request.dataModel, request.eventType);
        const timeoutMs = requestTimeoutOf(msg);
        config.showStatus(node, 'sending');
        const result = await config.connection().post(request.path, request.body, { timeoutMs, signal });
        config.showStatus(node, 'sent');
        return carryAnswer(msg, result);
      },
    });
  }

  RED.nodes.registerType('redox-send', RedoxSend);
};
