'use strict';
// One benchmark run in a process of its own, printing its figures as JSON on the last line:
//   node --expose-gc bench/scenario.js <A|B|C> <concurrency> <messages> <emulator URL>
// A: raw got, keep-alive, a fixed bearer token (the floor for this stack)
// B: a real Node-RED runtime with redox-send (messages injected, answers counted at output 1)
// C: a real Node-RED runtime with a function node setting the bearer header from flow context,
//    then the core http request node (the way flows do it without this package)
// R: a real Node-RED runtime with the smallest node making A's got call (raw-got-node/): the
//    floor for any Node-RED node, so that B/R is what redox-send itself adds
// N: B with Check payload off (B checks required fields, the default), so that B/N is what the
//    check costs
// S: B with Shared state on (Redis at BENCH_REDIS_URL, one instance): S/B is what sharing costs
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const [, , scenario, concurrencyArg, messagesArg, emulatorUrl] = process.argv;
const concurrency = Number(concurrencyArg);
const messages = Number(messagesArg);
const EMR = 'af394f14-b34a-464f-8d24-895f370af4c9';
const DEMO = { apiKey: 'demo-api-key', secret: 'demo-secret' };
const PATIENT = {
  Patient: {
    Identifiers: [{ ID: '0000000001', IDType: 'MR' }],
    Demographics: { FirstName: 'Timothy', LastName: 'Bixby', DOB: '2008-01-06', Sex: 'Male' },
  },
};
const FULL_REQUEST = { Meta: { DataModel: 'PatientAdmin', EventType: 'NewPatient', Test: true, Destinations: [{ ID: EMR }] }, ...PATIENT };

function heapMB() {
  global.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function authenticate() {
  const res = await fetch(`${emulatorUrl}/auth/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(DEMO),
  });
  return (await res.json()).accessToken;
}

/**
 * Keeps `concurrency` messages in flight until `messages` have been answered; `start(i, done)`
 * sends message i and calls done(ok) when it is answered. A warm-up of WARMUP messages runs
 * first, unmeasured (the JIT and the connection pool settle), then the measured messages: their
 * throughput, latency, the process's CPU time per message, and the heap.
 */
async function drive(start) {
  const warmup = Math.min(2000, Math.ceil(messages / 5));
  await phase(start, warmup, 0);
  return phase(start, messages, warmup);
}

function phase(start, count, firstIndex) {
  return new Promise((resolve, reject) => {
    const latencies = new Float64Array(count);
    let sent = 0;
    let answered = 0;
    let failed = 0;
    let heapStart = 0;
    let heapHalf = 0;
    const cpuStart = process.cpuUsage();
    const t0 = performance.now();
    const next = () => {
      const i = sent++;
      const began = performance.now();
      start(firstIndex + i, (ok) => {
        latencies[i] = performance.now() - began;
        if (!ok) failed++;
        answered++;
        if (answered === Math.min(1000, Math.floor(count / 10))) heapStart = heapMB();
        if (answered === Math.floor(count / 2)) heapHalf = heapMB();
        if (answered === count) {
          const seconds = (performance.now() - t0) / 1000;
          const cpu = process.cpuUsage(cpuStart);
          const sorted = Array.from(latencies).sort((a, b) => a - b);
          const heapEnd = heapMB();
          resolve({
            rps: count / seconds,
            p50: sorted[Math.floor(count * 0.5)],
            p99: sorted[Math.floor(count * 0.99)],
            cpuMicrosPerMessage: (cpu.user + cpu.system) / count,
            failed,
            memoryGrowthMB: heapEnd - heapStart,
            secondHalfGrowthMB: heapEnd - heapHalf,
          });
        } else if (sent < count) {
          next();
        }
      });
    };
    for (let k = 0; k < Math.min(concurrency, count); k++) next();
    setTimeout(() => reject(new Error(`timed out: ${answered} of ${count}`)), 600000).unref();
  });
}

async function raw() {
  const { got } = await import('got');
  const http = require('node:http');
  const token = await authenticate();
  const client = got.extend({
    agent: { http: new http.Agent({ keepAlive: true, maxSockets: concurrency }) },
    retry: { limit: 0 },
    throwHttpErrors: false,
  });
  const body = JSON.stringify(FULL_REQUEST);
  return drive((i, done) => {
    client
      .post(`${emulatorUrl}/endpoint`, {
        body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        responseType: 'json',
      })
      .then(
        (res) => done(res.statusCode === 200),
        () => done(false),
      );
  });
}

/**
 * A real Node-RED runtime, embedded as Node-RED's docs describe (no editor, no test helper: its
 * spies would record every call), with this package from the working tree. `exit` maps the
 * outputs ("node:port") that mark a message as answered to whether that is a success.
 */
async function runtime(flow, credentials, entry, exit, extraNodesDir) {
  const RED = require('node-red');
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redox-bench-'));
  RED.init(http.createServer(), {
    userDir,
    nodesDir: [path.join(__dirname, '..'), ...(extraNodesDir ? [extraNodesDir] : [])],
    httpAdminRoot: false,
    httpNodeRoot: false,
    credentialSecret: false,
    logging: { console: { level: 'error' } },
    editorTheme: { projects: { enabled: false } },
  });
  await RED.start();
  await RED.runtime.flows.setFlows({ flows: { flows: flow }, deploymentType: 'full' });
  await new Promise((r) => setTimeout(r, 200)); // the flows start after setFlows resolves
  // Credentials as a deploy from the editor would give them (the embedded API dropped them here);
  // the connection reads them on its first message.
  for (const [id, creds] of Object.entries(credentials)) RED.nodes.getNode(id).credentials = creds;
  const pending = new Map();
  // An answer counts when the node under test emits it (Node-RED's onSend hook), before Node-RED
  // routes it on: B and C are measured alike, and neither pays for the hop to a next node.
  RED.hooks.add('onSend.bench', (events) => {
    for (const e of events) {
      const ok = exit.get(`${e.source.id}:${e.source.port}`);
      if (ok === undefined) continue;
      const done = pending.get(e.msg.n);
      pending.delete(e.msg.n);
      done?.(ok && e.msg.statusCode === 200);
    }
  });
  return { pending, entry: RED.nodes.getNode(entry), RED };
}

/** A node that does nothing with what it receives: where answers are counted. */
const sink = (id) => ({
  id,
  type: 'debug',
  z: 'tab',
  x: 1,
  y: 1,
  active: false,
  tosidebar: false,
  console: false,
  complete: 'false',
  wires: [],
});

/** A flow with a connection (these settings) and one redox-send NewPatient node, 'send', wired to `wires`. */
function redoxSendFlow(configSettings, sendSettings, wires) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'cfg', type: 'redox-config', baseUrl: emulatorUrl, ...configSettings },
    {
      id: 'send',
      type: 'redox-send',
      z: 'tab',
      x: 1,
      y: 1,
      redox: 'cfg',
      dataModel: 'PatientAdmin',
      eventType: 'NewPatient',
      destinations: JSON.stringify([EMR]),
      test: true,
      ...sendSettings,
      wires,
    },
  ];
}

async function withRedoxSend(checkPayload = 'required', shared = {}) {
  const flow = [
    ...redoxSendFlow({ maxConcurrent: concurrency, maxQueue: 100000, rateLimit: 1000000, ...shared.settings }, { checkPayload }, [
      ['ok'],
      ['err'],
    ]),
    sink('ok'),
    sink('err'),
  ];
  const { pending, entry } = await runtime(
    flow,
    { cfg: { ...DEMO, ...shared.credentials } },
    'send',
    new Map([
      ['send:0', true],
      ['send:1', false],
    ]),
  );
  return drive((i, done) => {
    pending.set(i, done);
    entry.receive({ payload: { ...PATIENT }, n: i });
  });
}

async function withHttpRequest() {
  const flow = [
    { id: 'tab', type: 'tab' },
    {
      id: 'fn',
      type: 'function',
      z: 'tab',
      x: 1,
      y: 1,
      outputs: 1,
      wires: [['http']],
      func: "msg.headers = { Authorization: 'Bearer ' + flow.get('token'), 'Content-Type': 'application/json' };\nreturn msg;",
    },
    {
      id: 'http',
      type: 'http request',
      z: 'tab',
      x: 1,
      y: 1,
      method: 'POST',
      ret: 'obj',
      paytoqs: 'ignore',
      url: `${emulatorUrl}/endpoint`,
      persist: true,
      wires: [['ok']],
    },
    sink('ok'),
  ];
  const { pending, entry } = await runtime(flow, {}, 'fn', new Map([['http:0', true]]));
  entry.context().flow.set('token', await authenticate());
  return drive((i, done) => {
    pending.set(i, done);
    entry.receive({ payload: { ...FULL_REQUEST, Meta: { ...FULL_REQUEST.Meta } }, n: i });
  });
}

async function withRawGotNode() {
  const token = await authenticate();
  const flow = [
    { id: 'tab', type: 'tab' },
    { id: 'raw', type: 'bench-raw-got', z: 'tab', x: 1, y: 1, url: `${emulatorUrl}/endpoint`, concurrency, wires: [['ok']] },
    sink('ok'),
  ];
  const { pending, entry } = await runtime(
    flow,
    { raw: { token } },
    'raw',
    new Map([['raw:0', true]]),
    path.join(__dirname, 'raw-got-node'),
  );
  return drive((i, done) => {
    pending.set(i, done);
    entry.receive({ payload: { ...FULL_REQUEST, Meta: { ...FULL_REQUEST.Meta } }, n: i });
  });
}

/**
 * Q: the memory a queued message costs. A redox-send whose connection has a budget of one
 * request (spent on authenticating) receives `messages` NewPatients; they all wait in its queue.
 * The heap before and after, over the count, is what each one costs while it waits.
 */
async function queueMemory() {
  const flow = redoxSendFlow({ maxConcurrent: 20, maxQueue: messages + 10, rateLimit: 1 }, {}, [[], []]);
  const { entry, RED } = await runtime(flow, { cfg: DEMO }, 'send', new Map());
  const connection = RED.nodes.getNode('cfg').connection();
  entry.receive({ payload: { ...PATIENT }, n: -1 }); // authenticates and spends the budget
  await new Promise((r) => setTimeout(r, 500));
  const before = heapMB();
  for (let i = 0; i < messages; i++) entry.receive({ payload: { ...PATIENT }, n: i });
  while (connection.queued < messages) await new Promise((r) => setTimeout(r, 50));
  const after = heapMB();
  return { queued: connection.queued, heapMB: after - before, bytesPerQueuedMessage: ((after - before) * 1024 * 1024) / messages };
}

const RUNS = {
  Q: queueMemory,
  A: raw,
  B: () => withRedoxSend('required'),
  N: () => withRedoxSend('off'),
  // B with Shared state on: the token and the rate budget through the Redis at BENCH_REDIS_URL
  S: () => withRedoxSend('required', { settings: { sharedState: 'redis' }, credentials: { redisUrl: process.env.BENCH_REDIS_URL } }),
  C: withHttpRequest,
  R: withRawGotNode,
};

RUNS[scenario]().then(
  (result) => {
    process.stdout.write(`${JSON.stringify({ scenario, concurrency, messages, ...result })}\n`);
    process.exit(0);
  },
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
