#!/usr/bin/env node
// `npm start`: the Redox emulator and a real Node-RED with this package and a quick-start flow.
//   npm start                 keeps the flows of an earlier run
//   npm start -- --reset      (or npm run start:reset) starts over with the quick-start flow
// PORT (1880) and REDOX_EMULATOR_PORT (3333) choose the ports. With REDOX_API_KEY and
// REDOX_SECRET set (and REDOX_BASE_URL, default https://api.redoxengine.com), the quick-start
// flow talks to that Redox environment and no emulator is started. QUICKSTART_USER_DIR moves the
// Node-RED user directory (default .node-red in the project; the tests use a temporary one).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { RedoxEmulator, DEMO_CREDENTIALS } = require('../dist/emulator/emulator');
const { DEFAULT_EMULATOR_PORT } = require('../dist/emulator/defaults');

const root = path.join(__dirname, '..');
const userDir = path.resolve(process.env.QUICKSTART_USER_DIR || path.join(root, '.node-red'));
const quickStartFlow = path.join(__dirname, 'quick-start-flow.json');
const reset = process.argv.includes('--reset');
const port = Number(process.env.PORT || 1880);
const emulatorPort = Number(process.env.REDOX_EMULATOR_PORT || DEFAULT_EMULATOR_PORT);
const editorUrl = `http://127.0.0.1:${port}`;

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(2);
}

/** Where the quick-start flow's redox-config points: real Redox when credentials are given, else the emulator. */
function chooseTarget() {
  const { REDOX_API_KEY: apiKey, REDOX_SECRET: secret, REDOX_BASE_URL: baseUrl } = process.env;
  if (apiKey || secret) {
    if (!apiKey || !secret) fail('set both REDOX_API_KEY and REDOX_SECRET to use real Redox, or neither to use the emulator');
    return { real: true, baseUrl: baseUrl || 'https://api.redoxengine.com', apiKey, secret };
  }
  return { real: false, baseUrl: `http://127.0.0.1:${emulatorPort}`, ...DEMO_CREDENTIALS };
}

async function waitForEditor(child) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`Node-RED exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${editorUrl}/settings`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('Node-RED did not answer within 60 s');
}

/** Deploys the quick-start flow through the admin API, as the editor's Deploy button does. */
async function deployQuickStart() {
  const flow = JSON.parse(fs.readFileSync(quickStartFlow, 'utf8'));
  const res = await fetch(`${editorUrl}/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(flow),
  });
  if (!res.ok) throw new Error(`deploying the quick-start flow failed: ${res.status} ${await res.text()}`);
}

async function main() {
  const target = chooseTarget();
  if (reset) fs.rmSync(userDir, { recursive: true, force: true });
  const isNew = !fs.existsSync(path.join(userDir, 'flows.json'));
  fs.mkdirSync(userDir, { recursive: true });

  let emulator;
  if (!target.real) {
    emulator = new RedoxEmulator();
    try {
      await emulator.start(emulatorPort, '127.0.0.1');
    } catch (err) {
      fail(err.code === 'EADDRINUSE' ? `port ${emulatorPort} is in use: set REDOX_EMULATOR_PORT to another port` : err.message);
    }
  }

  // The quick-start flow refers to these by ${NAME}, so it follows the target on every start.
  const env = { ...process.env, REDOX_BASE_URL: target.baseUrl, REDOX_API_KEY: target.apiKey, REDOX_SECRET: target.secret };
  const nodeRed = spawn(process.execPath, [
    require.resolve('node-red/red.js'),
    '--userDir', userDir,
    '--port', String(port),
    '-D', 'uiHost=127.0.0.1',
    // load this package from the working tree: rebuild (npm start does) and restart to see a change
    '-D', `nodesDir=${root}`,
  ], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  // Node-RED's start-up banner is long: keep its whole log in a file, and show errors and this package's lines.
  const log = fs.createWriteStream(path.join(userDir, 'node-red.log'));
  nodeRed.stdout.pipe(log);
  nodeRed.stdout.on('data', (chunk) => {
    for (const line of chunk.toString().split('\n')) if (/\[error\]|redox/i.test(line)) console.log(line);
  });

  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    if (nodeRed.exitCode === null) nodeRed.kill('SIGINT');
    const finish = () => Promise.resolve(emulator && emulator.stop()).finally(() => process.exit(code));
    if (nodeRed.exitCode !== null) finish();
    else nodeRed.once('exit', finish);
    setTimeout(() => nodeRed.kill('SIGKILL'), 10000).unref();
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('exit', () => nodeRed.exitCode === null && nodeRed.kill('SIGKILL'));
  nodeRed.on('exit', (code) => {
    if (!stopping) {
      console.error(`Node-RED stopped (exit code ${code})`);
      stop(code || 1);
    }
  });

  try {
    await waitForEditor(nodeRed);
    if (isNew) await deployQuickStart();
  } catch (err) {
    console.error(`npm start: ${err.message}`);
    stop(1);
    return;
  }

  console.log([
    '',
    `Node-RED editor:  ${editorUrl}   (flow "Redox quick start"; press the inject buttons)`,
    target.real
      ? `Redox:            ${target.baseUrl} (REDOX_API_KEY and REDOX_SECRET from the environment)`
      : `Redox emulator:   ${emulator.url}   (API key "${DEMO_CREDENTIALS.apiKey}", secret "${DEMO_CREDENTIALS.secret}")`,
    target.real
      ? 'Without REDOX_API_KEY and REDOX_SECRET, npm start uses the local emulator instead.'
      : 'Real Redox: REDOX_API_KEY=... REDOX_SECRET=... [REDOX_BASE_URL=https://api.redoxengine.com] npm start',
    `Flows are kept in ${path.relative(process.cwd(), userDir) || userDir}; npm run start:reset starts over. Ctrl-C stops.`,
    '',
  ].join('\n'));
}

main().catch((err) => fail(err.message));
