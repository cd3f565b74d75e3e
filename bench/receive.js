#!/usr/bin/env node
// Receiving: deliveries per second into redox-receive (reply "auto") against the core way
// (http in -> a function node checking the token -> http response), both in one whole Node-RED
// (red.js), measured alternately in the same run at 1 and 16 deliveries in flight. Throughput is
// deliveries answered per second; CPU is the Node-RED process's own (from /proc), per delivery.
// Run alone (`node bench/receive.js`, after a build) or as part of `npm run bench`; writes
// bench/results.json's "receive" entry. BENCH_QUICK=1 runs a shorter version.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { startNodeRed, waitFor } = require('../test/node-red-process');
const { receiveNode } = require('../test/receive-support');

const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 3 : 7;
const DELIVERIES = quick ? 2000 : 8000;
const TOKEN = 'bench-verification-token';
const BODY = JSON.stringify({
  Meta: {
    DataModel: 'Results',
    EventType: 'New',
    Test: true,
    Source: { ID: '7ce6f387-c33c-417d-8682-81e83628cbd9' },
    Logs: [{ ID: 'l-1' }],
  },
  Patient: {
    Identifiers: [{ ID: '0000000001', IDType: 'MR' }],
    Demographics: { FirstName: 'Timothy', LastName: 'Bixby', DOB: '2008-01-06' },
  },
  Orders: [{ ID: '157968300', Status: 'Resulted', Results: [{ Code: '2345-7', Value: '95', Units: 'mg/dL' }] }],
});

const FLOW = [
  { id: 't1', type: 'tab', label: 'bench' },
  receiveNode('t1', { credentials: { verificationToken: TOKEN }, wires: [[]] }),
  { id: 'in', z: 't1', type: 'http in', url: '/core', method: 'post', upload: false, swaggerDoc: '', wires: [['check']] },
  {
    id: 'check',
    z: 't1',
    type: 'function',
    // what a careful flow does by hand: the token check, then 200 (or 403) at once
    func: `const ok = msg.req.headers['verification-token'] === ${JSON.stringify(TOKEN)};
msg.statusCode = ok ? 200 : 403;
msg.payload = ok ? 'OK' : 'Forbidden';
return msg;`,
    outputs: 1,
    wires: [['out']],
  },
  { id: 'out', z: 't1', type: 'http response', statusCode: '', headers: {}, wires: [] },
];

/** utime + stime of a process, in µs. */
function cpuMicros(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / 100; // USER_HZ is 100 on Linux
}

function post(agent, url) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'verification-token': TOKEN, 'content-length': Buffer.byteLength(BODY) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

async function load(url, pid, count, inFlight) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await post(agent, url);
    }
  };
  const cpuBefore = cpuMicros(pid);
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuMicros(pid) - cpuBefore;
  agent.destroy();
  return { rps: count / seconds, cpuMicrosPerDelivery: cpu / count };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measureReceiving() {
  const nodeRed = await startNodeRed();
  try {
    await nodeRed.client.deploy(FLOW);
    await waitFor(async () => (await fetch(`${nodeRed.url}/redox`, { method: 'POST', body: '{}' })).status === 403, 10000, 'the route');
    const pid = nodeRed.pid;
    const routes = { receive: `${nodeRed.url}/redox`, core: `${nodeRed.url}/core` };
    const runs = [];
    for (const inFlight of [1, 16]) {
      for (const name of Object.keys(routes)) await load(routes[name], pid, Math.ceil(DELIVERIES / 4), inFlight); // warm-up
      for (let round = 1; round <= ROUNDS; round++) {
        const order = round % 2 ? ['receive', 'core'] : ['core', 'receive'];
        for (const name of order) {
          const r = await load(routes[name], pid, DELIVERIES, inFlight);
          runs.push({ name, inFlight, round, ...r });
          process.stderr.write(
            `receive round ${round}: ${name} ${inFlight} in flight ${Math.round(r.rps)}/s, ${Math.round(r.cpuMicrosPerDelivery)} µs CPU\n`,
          );
        }
      }
    }
    const summary = {};
    for (const inFlight of [1, 16]) {
      const pick = (name, key) => median(runs.filter((r) => r.name === name && r.inFlight === inFlight).map((r) => r[key]));
      const ratios = Array.from({ length: ROUNDS }, (_, i) => {
        const of = (name) => runs.find((r) => r.name === name && r.inFlight === inFlight && r.round === i + 1);
        return Math.round((of('receive').rps / of('core').rps) * 100) / 100;
      });
      summary[`c${inFlight}`] = {
        receive: { rps: pick('receive', 'rps'), cpuMicrosPerDelivery: pick('receive', 'cpuMicrosPerDelivery') },
        core: { rps: pick('core', 'rps'), cpuMicrosPerDelivery: pick('core', 'cpuMicrosPerDelivery') },
        throughputRatio: median(ratios),
        roundRatios: ratios,
      };
    }
    return { deliveries: DELIVERIES, rounds: ROUNDS, bodyBytes: Buffer.byteLength(BODY), ...summary };
  } finally {
    await nodeRed.stop();
  }
}

function print(result) {
  console.log('\n| receiving | in flight | deliveries/s | CPU µs/delivery |');
  console.log('|---|---|---|---|');
  for (const inFlight of [1, 16]) {
    const s = result[`c${inFlight}`];
    console.log(`| redox-receive (auto) | ${inFlight} | ${Math.round(s.receive.rps)} | ${Math.round(s.receive.cpuMicrosPerDelivery)} |`);
    console.log(
      `| http in + function + http response | ${inFlight} | ${Math.round(s.core.rps)} | ${Math.round(s.core.cpuMicrosPerDelivery)} |`,
    );
  }
  console.log(
    `redox-receive / core throughput: ${result.c1.throughputRatio} (1 in flight), ${result.c16.throughputRatio} (16); by round ${result.c1.roundRatios.join(' ')}; ${result.c16.roundRatios.join(' ')}`,
  );
}

module.exports = { measureReceiving, print };

if (require.main === module) {
  measureReceiving()
    .then((result) => {
      print(result);
      const file = path.join(__dirname, 'results.json');
      const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
      results.receive = result;
      fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
