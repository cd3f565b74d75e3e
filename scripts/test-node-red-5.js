#!/usr/bin/env node
// `npm run test:node-red-5`: the same suite against Node-RED 5 on Node.js 22. Node-RED 5 needs
// Node.js 22.9+, which comes from the npm registry (the `node` package ships the binary); Node-RED 5
// is installed once into .cache/node-red-5 (ignored by git). Run `npm test` (which builds) first.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = path.join(root, '.cache', 'node-red-5');
const nodeRed = path.join(dir, 'node_modules', 'node-red');

if (!fs.existsSync(path.join(nodeRed, 'package.json'))) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  console.log('Installing Node-RED 5 into .cache/node-red-5 ...');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', 'node-red@5'], { cwd: dir, stdio: 'inherit' });
}
const version = JSON.parse(fs.readFileSync(path.join(nodeRed, 'package.json'), 'utf8')).version;
console.log(`Node-RED ${version} on Node.js 22`);
const result = spawnSync('npx', ['-y', '-p', 'node@22', 'node', require.resolve('mocha/bin/mocha.js')], {
  cwd: root,
  env: { ...process.env, NODE_RED_PATH: nodeRed },
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
