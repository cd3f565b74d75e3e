#!/usr/bin/env node
// What a 25 MB upload costs in memory: redox-upload in a real Node-RED runtime (the test
// helper's), the emulator in another process. The file's Buffer is made before the baseline, as
// a file-in node would have made it. Linux keeps each process's peak resident memory (VmHWM in
// /proc/self/status), and writing 5 to /proc/self/clear_refs resets it: so the peak during an
// upload is exact, not sampled. Reported as copies of the file beyond the one the message holds.
// Run alone (`node --expose-gc bench/upload.js`, after a build) or as part of `npm run bench`;
// writes bench/results.json's "upload" entry.
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const MB = 1024 * 1024;
const FILE_MB = 25;
const RUNS = process.env.BENCH_QUICK === '1' ? 3 : 5;
const root = path.join(__dirname, '..');

function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist/emulator/cli.js'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) resolve({ url: match[1], stop: () => new Promise((r) => child.once('exit', r) && child.kill('SIGTERM')) });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

/** VmRSS and VmHWM (the peak since the last reset), in bytes. */
function residentMemory() {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kB = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)[1]) * 1024;
  return { rss: kB('VmRSS'), peak: kB('VmHWM') };
}

async function measureUpload() {
  const helper = require('node-red-node-test-helper');
  const { nodeRedPath } = require('../test/node-red-path');
  helper.init(nodeRedPath('lib/red.js'));
  const emulator = await startEmulator();
  const nodes = ['redox-config', 'redox-upload'].map((n) => require(`../dist/nodes/${n}`));
  const flow = [
    { id: 'f1', type: 'tab' },
    { id: 'cfg', type: 'redox-config', baseUrl: emulator.url },
    { id: 'up', z: 'f1', type: 'redox-upload', redox: 'cfg', wires: [['ok'], ['err']] },
    { id: 'ok', z: 'f1', type: 'helper' },
    { id: 'err', z: 'f1', type: 'helper' },
  ];
  await new Promise((resolve) => helper.startServer(resolve));
  await helper.load(nodes, flow, { cfg: { apiKey: 'demo-api-key', secret: 'demo-secret' } });
  const upload = (payload) =>
    new Promise((resolve, reject) => {
      helper.getNode('ok').once('input', resolve);
      helper.getNode('err').once('input', (msg) => reject(new Error(msg.error.message)));
      helper.getNode('up').receive({ payload, filename: 'scan.tiff', contentType: 'image/tiff' });
    });
  try {
    await upload(Buffer.from('warm-up: the token, the connection, got loaded'));
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      let file = crypto.randomBytes(FILE_MB * MB);
      global.gc();
      fs.writeFileSync('/proc/self/clear_refs', '5'); // the peak starts again from here
      const base = residentMemory().rss;
      const started = Date.now();
      await upload(file);
      const ms = Date.now() - started;
      const peakCopies = (residentMemory().peak - base) / (FILE_MB * MB);
      file = undefined;
      runs.push({ ms, peakCopies });
      process.stderr.write(`upload ${i + 1}: ${ms} ms, peak resident memory +${peakCopies.toFixed(2)} copies of the file\n`);
    }
    const median = (key) => runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
    return {
      fileMB: FILE_MB,
      runs: RUNS,
      ms: median('ms'),
      peakCopies: median('peakCopies'),
      maxPeakCopies: Math.max(...runs.map((r) => r.peakCopies)),
    };
  } finally {
    await helper.unload();
    await new Promise((resolve) => helper.stopServer(resolve));
    await emulator.stop();
  }
}

function print(result) {
  console.log(
    `Upload of ${result.fileMB} MB (median of ${result.runs}): ${result.ms} ms; peak resident memory during it ${result.peakCopies.toFixed(2)} copies of the file ` +
      `above the file the message holds (at most ${result.maxPeakCopies.toFixed(2)})`,
  );
}

module.exports = { measureUpload, print };

if (require.main === module) {
  if (!global.gc) throw new Error('run with node --expose-gc');
  measureUpload()
    .then((result) => {
      print(result);
      const file = path.join(__dirname, 'results.json');
      const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
      results.upload = result;
      fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
      process.exit(0);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
