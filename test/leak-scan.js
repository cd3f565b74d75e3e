'use strict';
// Leak scan over the whole suite (a mocha root hook, loaded by .mocharc.json): every log line,
// node status and message that passes through the in-process runtime, and the logs and debug
// output of the child Node-REDs, are searched for every secret the tests configured and every
// token an emulator issued. Access tokens are allowed only in redox-token's first output.
// Finding one fails the run.
const util = require('node:util');
const { requireFromNodeRed } = require('./node-red-path');

const Node = requireFromNodeRed('@node-red/runtime/lib/nodes/Node');
const redUtil = requireFromNodeRed('@node-red/util');

const MAX_SCANNED = 64 * 1024; // of one payload: the fuzz test's multi-megabyte bodies are the emulator's own
const secrets = new Set();
const emulators = new Set();
const findings = [];
const counts = { logs: 0, statuses: 0, messages: 0, childOutputs: 0 };

/** Secrets the tests put into credentials. */
function registerCredentials(credentials) {
  for (const creds of Object.values(credentials || {})) {
    for (const [key, value] of Object.entries(creds || {})) {
      if (/secret|password|cadata|key|token/i.test(key) && key !== 'apiKey' && typeof value === 'string' && value.length >= 4)
        secrets.add(value);
    }
  }
}

function registerEmulator(emulator) {
  emulators.add(emulator);
}

function tokens() {
  const access = [];
  const refresh = [];
  for (const e of emulators) e.issuedTokens().forEach((t, i) => (i % 2 ? refresh : access).push(t));
  return { access, refresh };
}

function text(value) {
  try {
    return (
      JSON.stringify(value, (key, v) => {
        if (typeof v === 'string' && v.length > MAX_SCANNED) return v.slice(0, MAX_SCANNED);
        if (typeof v === 'bigint') return String(v);
        return v;
      }) ?? String(value)
    );
  } catch {
    return util.inspect(value, { depth: 8, maxStringLength: MAX_SCANNED });
  }
}

/** Searches one captured text; `accessTokensAllowed` for redox-token's own output. */
function scan(where, value, accessTokensAllowed = false) {
  const haystack = typeof value === 'string' ? value : text(value);
  const { access, refresh } = tokens();
  const forbidden = [...secrets, ...refresh, ...(accessTokensAllowed ? [] : access)].filter(Boolean);
  for (const needle of forbidden) {
    if (haystack.includes(needle)) findings.push(`${where} holds "${needle.slice(0, 6)}…": ${haystack.slice(0, 200)}`);
  }
}

const originalLog = redUtil.log.log;
const originalStatus = Node.prototype.status;

exports.mochaHooks = {
  beforeAll() {
    redUtil.log.log = function (msg) {
      counts.logs++;
      scan('log', msg);
      return originalLog.apply(this, arguments);
    };
    Node.prototype.status = function (status) {
      counts.statuses++;
      scan(`status of ${this.type}`, status);
      return originalStatus.apply(this, arguments);
    };
    redUtil.hooks.add('onSend.leakScan', (events) => {
      for (const e of events) {
        counts.messages++;
        // a file's bytes (redox-upload's input, megabytes of them) are not text a token could hide in
        const msg = Buffer.isBuffer(e.msg.payload) ? { ...e.msg, payload: `<Buffer of ${e.msg.payload.length} bytes>` } : e.msg;
        scan(`message from ${e.source.node.type} port ${e.source.port}`, msg, e.source.node.type === 'redox-token' && e.source.port === 0);
      }
    });
  },
  afterAll() {
    redUtil.log.log = originalLog;
    Node.prototype.status = originalStatus;
    redUtil.hooks.remove('*.leakScan');
    const { access, refresh } = tokens();
    console.log(
      `\n  leak scan: ${counts.logs} log lines, ${counts.statuses} statuses, ${counts.messages} messages, ${counts.childOutputs} child Node-RED outputs;` +
        ` searched for ${secrets.size} secrets, ${refresh.length} refresh tokens, ${access.length} access tokens: ${findings.length} found`,
    );
    if (findings.length) throw new Error(`secrets or tokens leaked:\n${findings.slice(0, 10).join('\n')}`);
  },
};

/** For output that comes from a child process (its log, its debug messages). */
function scanChildOutput(where, value) {
  counts.childOutputs++;
  scan(where, value);
}

module.exports.registerCredentials = registerCredentials;
module.exports.registerEmulator = registerEmulator;
module.exports.scanChildOutput = scanChildOutput;
