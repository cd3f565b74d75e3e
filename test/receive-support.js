'use strict';
// Receiving from Redox in the test helper's runtime: the helper gives each load an Express app
// for HTTP nodes (RED.httpNode) but serves it nowhere, so a small module captures it and a
// loopback server serves it. (The editor's body parser is not in front of it here: the body
// limit is tested in a whole red.js, in receive-limit.test.js.)
const http = require('node:http');
const { helper, word } = require('./support');

const RECEIVE_NODES = [require('../dist/nodes/redox-receive'), require('../dist/nodes/redox-response')];
const TOKEN = 'verify-me-5f0c2b7e-1a8d';

let httpNode;
function captureHttpNode(RED) {
  httpNode = RED.httpNode;
}

/** Loads `flow` (with `credentials`) and serves its HTTP nodes on 127.0.0.1; stop() closes the server. */
async function serveFlow(flow, credentials = {}, extraNodes = []) {
  await helper.load([captureHttpNode, ...RECEIVE_NODES, ...extraNodes], flow, credentials);
  const app = httpNode;
  const server = http.createServer((req, res) => app(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

/** A redox-receive node 'rx' on tab `z` with the defaults its dialog gives (reply "auto", no filters), and `settings`. */
function receiveNode(z, settings = {}) {
  return {
    id: 'rx',
    z,
    type: 'redox-receive',
    name: '',
    url: '/redox',
    reply: 'auto',
    timeout: 100,
    dataModels: [],
    eventTypes: [],
    allowTest: true,
    ...settings,
  };
}

/** A redox-receive node 'rx' wired to helper 'out', with the token as its credential. */
function receiveFlow(settings = {}, more = []) {
  return {
    flow: [
      { id: 'f1', type: 'tab', label: 'receive' },
      receiveNode('f1', { wires: [['out']], ...settings }),
      { id: 'out', z: 'f1', type: 'helper' },
      ...more,
    ],
    credentials: { rx: { verificationToken: TOKEN } },
  };
}

/** POSTs JSON (or raw text) with the given headers. */
async function postTo(url, body, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

module.exports = { RECEIVE_NODES, TOKEN, serveFlow, receiveNode, receiveFlow, postTo, word };
