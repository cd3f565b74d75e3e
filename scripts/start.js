#!/usr/bin/env node
// `npm start`: the Redox emulator and a real Node-RED with this package and a quick-start flow.
//   npm start                 keeps the flows of an earlier run
//   npm start -- --reset      (or npm run start:reset) starts over with the quick-start flow
// PORT (1880) and REDOX_EMULATOR_PORT (3333) choose the ports. With REDOX_API_KEY and
// REDOX_SECRET set (and REDOX_BASE_URL, default https://api.redoxengine.com), the quick-start
// flow talks to that Redox environment and no emulator is started; REDOX_OAUTH_CLIENT_ID,
// REDOX_OAUTH_KEY_ID and REDOX_OAUTH_PRIVATE_KEY (or REDOX_OAUTH_PRIVATE_KEY_FILE) do the same for
// the OAuth connection. QUICKSTART_USER_DIR moves the Node-RED user directory (default .node-red
// in the project; the tests use a temporary one).
'use strict';
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { RedoxEmulator, DEMO_CREDENTIALS, DEMO_OAUTH_CLIENT } = require('../dist/emulator/emulator');
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

const OAUTH_KEY_ID = 'quick-start-key';

/** The RS384 key pair the quick start's OAuth connection signs with, made once per user directory. */
function demoKeyPair() {
  const dir = path.join(userDir, 'redox-oauth-demo');
  const files = { privateKey: path.join(dir, 'private.pem'), publicKey: path.join(dir, 'public.pem') };
  if (!fs.existsSync(files.privateKey)) {
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(files.privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(files.publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateKey: fs.readFileSync(files.privateKey, 'utf8'), publicKey: fs.readFileSync(files.publicKey, 'utf8') };
}

/** Where the quick-start flow's connections point: real Redox when credentials are given, else the emulator. */
function chooseTarget() {
  const env = process.env;
  const oauth = {
    clientId: env.REDOX_OAUTH_CLIENT_ID || '',
    keyId: env.REDOX_OAUTH_KEY_ID || '',
    privateKey:
      env.REDOX_OAUTH_PRIVATE_KEY || (env.REDOX_OAUTH_PRIVATE_KEY_FILE ? fs.readFileSync(env.REDOX_OAUTH_PRIVATE_KEY_FILE, 'utf8') : ''),
  };
  if (env.REDOX_API_KEY || env.REDOX_SECRET || oauth.clientId) {
    if (Boolean(env.REDOX_API_KEY) !== Boolean(env.REDOX_SECRET)) fail('set both REDOX_API_KEY and REDOX_SECRET, or neither');
    return {
      real: true,
      baseUrl: env.REDOX_BASE_URL || 'https://api.redoxengine.com',
      apiKey: env.REDOX_API_KEY || '',
      secret: env.REDOX_SECRET || '',
      oauth,
    };
  }
  const pair = demoKeyPair();
  return {
    real: false,
    baseUrl: `http://127.0.0.1:${emulatorPort}`,
    ...DEMO_CREDENTIALS,
    oauth: { clientId: DEMO_OAUTH_CLIENT.clientId, keyId: OAUTH_KEY_ID, privateKey: pair.privateKey, publicKey: pair.publicKey },
  };
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
  if (reset) fs.rmSync(userDir, { recursive: true, force: true });
  const isNew = !fs.existsSync(path.join(userDir, 'flows.json'));
  fs.mkdirSync(userDir, { recursive: true });
  const target = chooseTarget();

  let emulator;
  if (!target.real) {
    emulator = new RedoxEmulator();
    emulator.registerOAuthKey(target.oauth.clientId, target.oauth.keyId, target.oauth.publicKey);
    try {
      await emulator.start(emulatorPort, '127.0.0.1');
    } catch (err) {
      fail(err.code === 'EADDRINUSE' ? `port ${emulatorPort} is in use: set REDOX_EMULATOR_PORT to another port` : err.message);
    }
  }

  // The quick-start flow refers to these by ${NAME}, so it follows the target on every start.
  const env = {
    ...process.env,
    REDOX_BASE_URL: target.baseUrl,
    REDOX_API_KEY: target.apiKey,
    REDOX_SECRET: target.secret,
    REDOX_OAUTH_CLIENT_ID: target.oauth.clientId,
    REDOX_OAUTH_KEY_ID: target.oauth.keyId,
    REDOX_OAUTH_PRIVATE_KEY: target.oauth.privateKey,
  };
  const nodeRed = spawn(
    process.execPath,
    [
      require.resolve('node-red/red.js'),
      '--userDir',
      userDir,
      '--port',
      String(port),
      '--settings',
      path.join(__dirname, 'quick-start-settings.js'),
      // load this package from the working tree: rebuild (npm start does) and restart to see a change
      '-D',
      `nodesDir=${root}`,
    ],
    { env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
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

  console.log(
    [
      '',
      `Node-RED editor:  ${editorUrl}   (flow "Redox quick start"; press the inject buttons)`,
      target.real
        ? `Redox:            ${target.baseUrl} (credentials from the REDOX_ environment variables)`
        : `Redox emulator:   ${emulator.url}   (API key "${DEMO_CREDENTIALS.apiKey}", secret "${DEMO_CREDENTIALS.secret}"; OAuth client "${target.oauth.clientId}", key "${target.oauth.keyId}")`,
      target.real
        ? 'Without REDOX_API_KEY, REDOX_SECRET and REDOX_OAUTH_CLIENT_ID, npm start uses the local emulator instead.'
        : 'Real Redox: REDOX_API_KEY=... REDOX_SECRET=... [REDOX_BASE_URL=https://api.redoxengine.com] npm start (see the README for OAuth keys)',
      `Node-RED's log:   ${path.relative(process.cwd(), path.join(userDir, 'node-red.log'))}`,
      `Flows are kept in ${path.relative(process.cwd(), userDir) || userDir}; npm run start:reset starts over. Ctrl-C stops.`,
      '',
    ].join('\n'),
  );
}

main().catch((err) => fail(err.message));
