/**
 * redox-upload: uploads a file (a PDF lab report, a scanned referral) to Redox's file upload and
 * emits Redox's answer, `{URI}`, for a Media, Notes or Results message to reference (output 1),
 * or the error (output 2). Files above Redox's 10 MB embedding limit go this way, up to 30 MB.
 */
import type { Node, NodeAPI } from 'node-red';
import { carryAnswer, handleInput, type FlowNodeDef } from './lib/node-red/input-handler';
import { requestTimeoutOf } from './lib/node-red/send-settings';
import { uploadFileFrom } from './lib/node-red/upload-input';

export = function (RED: NodeAPI) {
  function RedoxUpload(this: Node, def: FlowNodeDef) {
    RED.nodes.createNode(this, def);
    const node = this;

    handleInput({
      RED,
      node,
      def,
      handle: async (msg, config, signal) => {
        const file = uploadFileFrom(msg);
        config.showStatus(node, 'uploading');
        const result = await config.connection().upload(file, { timeoutMs: requestTimeoutOf(msg), signal });
        config.showStatus(node, 'uploaded');
        return carryAnswer(msg, result);
      },
    });
  }

  RED.nodes.registerType('redox-upload', RedoxUpload);
};
