'use strict';
// Which Node-RED the tests run against: the project's own (4.x), or the one NODE_RED_PATH names
// (npm run test:node-red-5 points it at Node-RED 5). Its internal modules are loaded from there too.
const { createRequire } = require('node:module');
const path = require('node:path');

const nodeRedDir = process.env.NODE_RED_PATH
  ? path.resolve(process.env.NODE_RED_PATH)
  : path.dirname(require.resolve('node-red/package.json'));
const requireFromNodeRed = createRequire(path.join(nodeRedDir, 'package.json'));

module.exports = {
  nodeRedDir,
  /** A file of the node-red package, e.g. red.js. */
  nodeRedPath: (file) => path.join(nodeRedDir, file),
  /** A module as Node-RED itself resolves it (@node-red/runtime/..., @node-red/nodes/...). */
  requireFromNodeRed,
};
