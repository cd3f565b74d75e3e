#!/usr/bin/env node
// `npm run bench`: A (raw got), B (redox-send in Node-RED), C (function + core http request
// node) and R (A's got call in the smallest Node-RED node) side by side against the emulator on
// loopback, at 1 and 64 messages in flight. Each
// figure is the median of several runs, the four interleaved (A R B C, then C B R A, so that
// a drifting machine favours none) and each run warmed up before it is measured; the ratios are
// the median of each round's own ratio. Then a long run of B for memory, with tokens that live 5
// seconds. Then receiving (bench/receive.js): redox-receive against http in + function + http
// response; and the memory of a 25 MB upload (bench/upload.js). Prints a table and writes
// bench/results.json. BENCH_QUICK=1 runs a shorter version.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const receiving = require('./receive');

const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 3 : 7;
const MESSAGES = { 1: quick ? 400 : 2000, 64: quick ? 3000 : 15000 };
const LONG_RUN = quick ? 20000 : 100000;
const root = path.join(__dirname, '..');

/** Starts the emulator CLI in a child process; resolves with its URL and a stop function. */
function startEmulator(args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/emulator/cli.js'), '--port', '0', '--rate-limit', '100000000', ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match)
        resolve({
          url: match[1],
          stop: () =>
            new Promise((r) => {
              child.once('exit', r);
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

async function state(url) {
  return (await fetch(`${url}/_emulator/state`)).json();
}

function runScenario(scenario, concurrency, messages, url) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', path.join(__dirname, 'scenario.js'), scenario, String(concurrency), String(messages), url],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`scenario ${scenario} c${concurrency} failed (${code})`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

async function measured(emulator, scenario, concurrency, messages) {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
  const result = await runScenario(scenario, concurrency, messages, emulator.url);
  const { calls } = await state(emulator.url);
  return {
    ...result,
    authenticate: calls.authenticate,
    refresh: calls.refreshToken,
    rejected401: calls.rejected401,
    connections: calls.connections,
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * The payload check on its own, in this process: CPU µs per NewPatient checked in 'required' mode,
 * after a warm-up. Beside B's CPU per message this is the check's share, without the noise of two
 * Node-RED runs on a shared machine.
 */
function checkAlone() {
  const { buildRequest } = require('../dist/nodes/lib/datamodel/request-builder');
  const { checkBuiltRequest } = require('../dist/nodes/lib/datamodel/payload-check');
  const settings = {
    dataModel: 'PatientAdmin',
    eventType: 'NewPatient',
    destinations: [{ ID: 'af394f14-b34a-464f-8d24-895f370af4c9' }],
    test: true,
  };
  const payload = {
    Patient: {
      Identifiers: [{ ID: '0000000001', IDType: 'MR' }],
      Demographics: { FirstName: 'Timothy', LastName: 'Bixby', DOB: '2008-01-06', Sex: 'Male' },
    },
  };
  const request = buildRequest(payload, settings);
  const measure = (mode, count) => {
    const start = process.cpuUsage();
    for (let i = 0; i < count; i++) checkBuiltRequest(request, mode);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / count;
  };
  measure('required', 20000); // warm-up
  return { required: measure('required', 200000), strict: measure('strict', 200000) };
}

async function main() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const emulator = await startEmulator();
  // S (shared state) needs a Redis: Debian's redis-server, started here when the machine has it
  const { haveRedis, startRedis } = require('../test/redis-support');
  const redis = haveRedis() ? await startRedis() : undefined;
  if (redis) process.env.BENCH_REDIS_URL = redis.url;
  else process.stderr.write('no redis-server: scenario S (shared state) is left out\n');
  const scenarios = ['A', 'R', 'B', 'N', 'C', ...(redis ? ['S'] : [])];
  const runs = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const concurrency of [1, 64]) {
        const order = round % 2 === 1 ? scenarios : [...scenarios].reverse();
        for (const scenario of order) {
          const r = await measured(emulator, scenario, concurrency, MESSAGES[concurrency]);
          runs.push({ ...r, round });
          process.stderr.write(
            `round ${round}: ${scenario} c${concurrency} ${Math.round(r.rps)} msg/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${Math.round(r.cpuMicrosPerMessage)} µs CPU/msg${r.failed ? `, ${r.failed} failed` : ''}\n`,
          );
        }
      }
    }
  } finally {
    await emulator.stop();
    if (redis) await redis.stop();
  }

  // the long run: B with tokens that live 5 s, so that several renewals happen during it
  const shortLived = await startEmulator(['--token-lifetime', '5']);
  let long;
  try {
    long = await measured(shortLived, 'B', 64, LONG_RUN);
  } finally {
    await shortLived.stop();
  }

  const table = {};
  for (const scenario of scenarios) {
    for (const concurrency of [1, 64]) {
      const mine = runs.filter((r) => r.scenario === scenario && r.concurrency === concurrency);
      table[`${scenario}c${concurrency}`] = {
        rps: median(mine.map((r) => r.rps)),
        p50: median(mine.map((r) => r.p50)),
        p99: median(mine.map((r) => r.p99)),
        cpuMicrosPerMessage: median(mine.map((r) => r.cpuMicrosPerMessage)),
        connections: Math.max(...mine.map((r) => r.connections)),
        authenticate: Math.max(...mine.map((r) => r.authenticate)),
        failed: mine.reduce((n, r) => n + r.failed, 0),
      };
    }
  }
  // Each round's B/A (or B/C) from runs a few seconds apart, then the median of the rounds.
  const perRound = (b, a, concurrency) => {
    const rps = (scenario, round) => runs.find((r) => r.scenario === scenario && r.concurrency === concurrency && r.round === round).rps;
    return Array.from({ length: ROUNDS }, (_, i) => Math.round((rps(b, i + 1) / rps(a, i + 1)) * 100) / 100);
  };
  const roundRatios = {
    sendVsRaw: { c1: perRound('B', 'A', 1), c64: perRound('B', 'A', 64) },
    sendVsCore: { c1: perRound('B', 'C', 1), c64: perRound('B', 'C', 64) },
    sendVsNodeFloor: { c1: perRound('B', 'R', 1), c64: perRound('B', 'R', 64) },
    nodeFloorVsRaw: { c1: perRound('R', 'A', 1), c64: perRound('R', 'A', 64) },
  };
  // What the payload check costs: B's CPU per message over N's (the same node with the check off), per round.
  const cpuPerRound = (b, a, concurrency) => {
    const cpu = (scenario, round) =>
      runs.find((r) => r.scenario === scenario && r.concurrency === concurrency && r.round === round).cpuMicrosPerMessage;
    return Array.from({ length: ROUNDS }, (_, i) => Math.round((cpu(b, i + 1) / cpu(a, i + 1)) * 100) / 100);
  };
  const checkCost = { c1: cpuPerRound('B', 'N', 1), c64: cpuPerRound('B', 'N', 64) };
  // What shared state costs: S's CPU per message over B's (the same flow with it off), per round
  const sharedCost = redis ? { c1: cpuPerRound('S', 'B', 1), c64: cpuPerRound('S', 'B', 64) } : undefined;
  const results = {
    quick,
    rounds: ROUNDS,
    messages: MESSAGES,
    machine: { cpus: require('node:os').cpus().length, node: process.version },
    table,
    ratios: {
      sendVsRaw: { c1: median(roundRatios.sendVsRaw.c1), c64: median(roundRatios.sendVsRaw.c64) },
      sendVsCore: { c1: median(roundRatios.sendVsCore.c1), c64: median(roundRatios.sendVsCore.c64) },
      // B/R: what redox-send adds over the smallest node making the same call; R/A: what Node-RED itself costs
      sendVsNodeFloor: { c1: median(roundRatios.sendVsNodeFloor.c1), c64: median(roundRatios.sendVsNodeFloor.c64) },
      nodeFloorVsRaw: { c1: median(roundRatios.nodeFloorVsRaw.c1), c64: median(roundRatios.nodeFloorVsRaw.c64) },
      // CPU per message with Check payload 'required' (B) over 'off' (N): the target is at most 1.10
      checkCpuCost: { c1: median(checkCost.c1), c64: median(checkCost.c64) },
      // CPU per message with Shared state on (S) over off (B): the target is at most 1.5
      ...(sharedCost ? { sharedCpuCost: { c1: median(sharedCost.c1), c64: median(sharedCost.c64) } } : {}),
    },
    roundRatios: { ...roundRatios, checkCpuCost: checkCost, ...(sharedCost ? { sharedCpuCost: sharedCost } : {}) },
    authenticateCalls: long.authenticate,
    longRun: {
      messages: LONG_RUN,
      rps: long.rps,
      p99: long.p99,
      refreshes: long.refresh,
      rejected401: long.rejected401,
      connections: long.connections,
      failed: long.failed,
      secondHalfGrowthMB: Math.round(long.secondHalfGrowthMB * 10) / 10,
    },
    memoryGrowthMB: Math.round(long.memoryGrowthMB * 10) / 10,
  };
  // the memory of a backlog: 20,000 messages waiting in a connection's queue
  const queueEmulator = await startEmulator();
  let queue;
  try {
    queue = await runScenario('Q', 1, 20000, queueEmulator.url);
  } finally {
    await queueEmulator.stop();
  }
  results.queueMemory = { queued: queue.queued, heapMB: queue.heapMB, bytesPerQueuedMessage: queue.bytesPerQueuedMessage };

  const alone = checkAlone();
  results.checkAlone = {
    requiredMicros: alone.required,
    strictMicros: alone.strict,
    shareOfB: { c1: alone.required / table.Bc1.cpuMicrosPerMessage, c64: alone.required / table.Bc64.cpuMicrosPerMessage },
  };
  results.receive = await receiving.measureReceiving();
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const name = {
    A: 'A raw got',
    B: 'B redox-send',
    N: 'N redox-send, check off',
    C: 'C function + http request',
    R: 'R raw got in a minimal node',
    S: 'S redox-send, shared state (Redis)',
  };
  console.log(`\n| run | in flight | msg/s | p50 ms | p99 ms | CPU µs/msg | TCP connections | authenticate |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const concurrency of [1, 64]) {
    for (const scenario of scenarios) {
      const t = table[`${scenario}c${concurrency}`];
      console.log(
        `| ${name[scenario]} | ${concurrency} | ${Math.round(t.rps)} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${Math.round(t.cpuMicrosPerMessage)} | ${t.connections} | ${scenario === 'B' ? t.authenticate : '-'} |`,
      );
    }
  }
  console.log(
    `\nB/A: ${results.ratios.sendVsRaw.c1} (1 in flight), ${results.ratios.sendVsRaw.c64} (64); B/C: ${results.ratios.sendVsCore.c1}, ${results.ratios.sendVsCore.c64} (medians of the rounds)`,
  );
  console.log(`B/A by round: ${roundRatios.sendVsRaw.c1.join(' ')} (1 in flight); ${roundRatios.sendVsRaw.c64.join(' ')} (64)`);
  console.log(
    `Backlog: ${results.queueMemory.queued} messages queued, heap +${results.queueMemory.heapMB.toFixed(1)} MB, ${Math.round(results.queueMemory.bytesPerQueuedMessage)} bytes per queued message`,
  );
  console.log(
    `Check payload alone (NewPatient): ${alone.required.toFixed(2)} µs CPU (required), ${alone.strict.toFixed(2)} µs (strict); ` +
      `${(results.checkAlone.shareOfB.c1 * 100).toFixed(2)}% and ${(results.checkAlone.shareOfB.c64 * 100).toFixed(2)}% of B's CPU per message (1 and 64 in flight)`,
  );
  console.log(
    `Check payload's CPU cost, B/N CPU per message: ${results.ratios.checkCpuCost.c1} (1 in flight), ${results.ratios.checkCpuCost.c64} (64); by round ${checkCost.c1.join(' ')}; ${checkCost.c64.join(' ')}`,
  );
  if (sharedCost) {
    console.log(
      `Shared state's CPU cost, S/B CPU per message: ${results.ratios.sharedCpuCost.c1} (1 in flight), ${results.ratios.sharedCpuCost.c64} (64); by round ${sharedCost.c1.join(' ')}; ${sharedCost.c64.join(' ')}`,
    );
  }
  console.log(
    `B/R (what redox-send adds): ${results.ratios.sendVsNodeFloor.c1}, ${results.ratios.sendVsNodeFloor.c64}; R/A (what Node-RED costs): ${results.ratios.nodeFloorVsRaw.c1}, ${results.ratios.nodeFloorVsRaw.c64}`,
  );
  console.log(
    `Long run, B, ${LONG_RUN} messages at 64 in flight, tokens living 5 s: ${Math.round(long.rps)} msg/s, ${long.authenticate} authenticate, ${long.refresh} refreshes, ${long.rejected401} 401s, ${long.connections} connections, ${long.failed} failed; heap growth ${results.memoryGrowthMB} MB (second half ${results.longRun.secondHalfGrowthMB} MB)`,
  );
  receiving.print(results.receive);
  // the memory of a 25 MB upload, in a process of its own (it needs --expose-gc); it adds "upload" to results.json
  execFileSync(process.execPath, ['--expose-gc', path.join(__dirname, 'upload.js')], { stdio: 'inherit' });
  console.log('Figures written to bench/results.json');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
