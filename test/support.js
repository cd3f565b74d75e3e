'use strict';
// Shared set-up for the tests: a real Node-RED runtime (node-red-node-test-helper) with the
// compiled nodes, the Redox emulator on a random loopback port, and ways to collect outputs.
const helper = require('node-red-node-test-helper');
const emulatorModule = require('../dist/emulator/emulator');
const leakScan = require('./leak-scan');
const selfsigned = require('selfsigned');
const { nodeRedPath, requireFromNodeRed } = require('./node-red-path');

const { DEMO_CREDENTIALS } = emulatorModule;

helper.init(nodeRedPath('lib/red.js'));

// Every credential and every emulator the tests use is known to the leak scan.
for (const method of ['load', 'setFlows']) {
  const original = helper[method].bind(helper);
  helper[method] = (nodes, flow, creds, ...rest) => {
    leakScan.registerCredentials(creds);
    return original(nodes, flow, creds, ...rest);
  };
}

class RedoxEmulator extends emulatorModule.RedoxEmulator {
  constructor(options) {
    super(options);
    leakScan.registerEmulator(this);
  }
}

const NODES = [require('../dist/nodes/redox-config'), require('../dist/nodes/redox-send'), require('../dist/nodes/redox-token')];

const EMR = 'af394f14-b34a-464f-8d24-895f370af4c9';
const PATIENT_SEARCH = '0f4bd1d1-451d-4351-8cfd-b767d1b488d6';
const SCHEDULING = 'c5d0e7a2-3b1f-4e8c-9a6d-2f4b8e1c7d93';

function newPatient(extra = {}) {
  return {
    Patient: {
      Identifiers: [{ ID: '0000000001', IDType: 'MR' }],
      Demographics: { FirstName: 'Timothy', LastName: 'Bixby', DOB: '2008-01-06', Sex: 'Male' },
    },
    ...extra,
  };
}

/**
 * A flow with one redox-config ('cfg', with the given `config` settings) and, for each given send
 * or token node, helper nodes on its outputs named `<id>-ok` and `<id>-err`.
 */
function buildFlow(baseUrl, nodes, { wireErrors = true, config = {} } = {}) {
  const flow = [
    { id: 'f1', type: 'tab', label: 'test' },
    { id: 'cfg', type: 'redox-config', name: 'emulator', baseUrl, ...config },
  ];
  nodes.forEach((n, i) => {
    const y = 100 * (i + 1);
    const wires = [[`${n.id}-ok`], wireErrors ? [`${n.id}-err`] : []];
    flow.push({ z: 'f1', x: 200, y, redox: 'cfg', name: '', wires, ...n });
    flow.push({ id: `${n.id}-ok`, z: 'f1', x: 400, y, type: 'helper' }, { id: `${n.id}-err`, z: 'f1', x: 400, y: y + 40, type: 'helper' });
  });
  return flow;
}

function sendNode(id, settings = {}) {
  return {
    id,
    type: 'redox-send',
    dataModel: 'PatientAdmin',
    eventType: 'NewPatient',
    destinations: JSON.stringify([EMR]),
    test: true,
    ...settings,
  };
}

function credentials(apiKey = DEMO_CREDENTIALS.apiKey, secret = DEMO_CREDENTIALS.secret) {
  return { cfg: { apiKey, secret } };
}

/** Records every message arriving at the helper nodes `<id>-ok` and `<id>-err` of the given nodes. */
function collect(ids) {
  const outputs = { all: [] };
  const waiters = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (outputs.all.length >= waiters[i].count) {
        waiters[i].resolve(outputs);
        waiters.splice(i, 1);
      }
    }
  };
  for (const id of ids) {
    outputs[id] = { ok: [], err: [] };
    for (const port of ['ok', 'err']) {
      helper.getNode(`${id}-${port}`).on('input', (msg) => {
        outputs[id][port].push(msg);
        outputs.all.push({ id, port, msg });
        check();
      });
    }
  }
  /** Resolves once `count` messages have arrived in all; rejects after `ms`. */
  outputs.waitFor = (count, ms = 10000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waited for ${count} outputs, got ${outputs.all.length}`)), ms);
      waiters.push({
        count,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
      });
      check();
    });
  return outputs;
}

/** Sends one message into a node and resolves with the first output it produces. */
async function sendAndWait(id, msg, outputs) {
  const before = outputs.all.length;
  helper.getNode(id).receive(msg);
  await outputs.waitFor(before + 1);
  return outputs.all[before];
}

/**
 * Watches every message the runtime sends and completes, through Node-RED's own hooks, so that a
 * message sent while its flow is being stopped (when no node is left to receive it) is still seen.
 * Call the returned stop() when done.
 */
function trackMessages() {
  const hooks = helper._RED.hooks;
  const tracked = { sent: [], completed: [] };
  hooks.add('onSend.redoxTest', (events) => {
    for (const e of events) tracked.sent.push({ id: e.source.id, port: e.source.port, msg: e.msg });
  });
  hooks.add('onComplete.redoxTest', (e) => {
    tracked.completed.push({ id: e.node.id, msg: e.msg, error: e.error });
  });
  tracked.stop = () => hooks.remove('*.redoxTest');
  return tracked;
}

/**
 * A word as the nodes ask Node-RED for it ('redox-config.errors.network' names the catalogue it is
 * in); the test helper's Node-RED answers with the key itself.
 */
function word(key) {
  return `@nr-health/node-red-redox/${key.split('.')[0]}:${key}`;
}

/**
 * An emulator over https with a certificate for 127.0.0.1 from a private CA, and the Node-RED
 * tls-config node (`tlsNode(id)`) that trusts it. Stop the emulator when done.
 */
async function startTlsEmulator() {
  const pems = await selfsigned.generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const emulator = new RedoxEmulator();
  const url = await emulator.start(0, '127.0.0.1', { key: pems.private, cert: pems.cert });
  return {
    emulator,
    url,
    /** The tls-config node trusting the CA, and its credentials for helper.load. */
    tlsNode: (id) => ({
      id,
      type: 'tls-config',
      name: 'private CA',
      cert: '',
      key: '',
      ca: '',
      certname: '',
      keyname: '',
      caname: 'ca.pem',
      servername: '',
      verifyservercert: true,
      alpnprotocol: '',
    }),
    tlsCredentials: { cadata: pems.cert },
  };
}

/** Node-RED's own tls-config node, to load beside ours. */
const TLS_CONFIG_NODE = requireFromNodeRed('@node-red/nodes/core/network/05-tls');

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A fresh emulator for each test, on a new port (so that no token carries over from one test to
 * the next), stopped after it with the flows unloaded.
 */
function useEmulator(options) {
  const context = { emulator: undefined, url: '' };
  beforeEach(async function () {
    context.emulator = new RedoxEmulator(options);
    context.url = await context.emulator.start();
  });
  afterEach(async function () {
    await helper.unload();
    await context.emulator.stop();
  });
  return context;
}

module.exports = {
  helper,
  NODES,
  EMR,
  SCHEDULING,
  PATIENT_SEARCH,
  DEMO_CREDENTIALS,
  RedoxEmulator,
  newPatient,
  buildFlow,
  sendNode,
  credentials,
  collect,
  sendAndWait,
  trackMessages,
  delay,
  useEmulator,
  word,
  startTlsEmulator,
  TLS_CONFIG_NODE,
};
