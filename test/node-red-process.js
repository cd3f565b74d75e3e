'use strict';
// A real Node-RED (the package's own node-red dependency) in a child process, driven as the
// editor drives it: deploy through the admin API, press inject buttons, read the debug sidebar
// through the editor's websocket.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const WebSocket = require('ws');
const { scanChildOutput } = require('./leak-scan');
const { nodeRedPath } = require('./node-red-path');

const root = path.join(__dirname, '..');

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check, ms, what) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves when the editor at url answers. */
function waitForEditor(url, child, ms = 60000) {
  return waitFor(
    async () => {
      if (child && child.exitCode !== null) throw new Error(`Node-RED exited with code ${child.exitCode}`);
      try {
        const res = await fetch(`${url}/settings`);
        return res.ok || res.status === 401; // 401: up, behind admin authentication
      } catch {
        return false;
      }
    },
    ms,
    `Node-RED at ${url}`,
  );
}

class NodeRedClient {
  constructor(url) {
    this.url = url;
    this.debug = [];
    this.taken = new Set();
    /** The newest status of each node, by id. */
    this.statuses = new Map();
    this.socket = undefined;
  }

  /** Subscribes to the debug sidebar's messages. */
  async listen() {
    const socket = new WebSocket(`${this.url.replace(/^http/, 'ws')}/comms`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.on('message', (data) => {
      for (const event of [].concat(JSON.parse(data.toString()))) {
        if (event.topic === 'debug') this.debug.push(event.data);
        else if (typeof event.topic === 'string' && event.topic.startsWith('status/')) this.statuses.set(event.topic.slice(7), event.data);
      }
    });
    socket.send(JSON.stringify({ subscribe: 'debug' }));
    socket.send(JSON.stringify({ subscribe: 'status/#' }));
    this.socket = socket;
  }

  async deploy(flow) {
    const res = await fetch(`${this.url}/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
      body: JSON.stringify(flow),
    });
    if (res.status !== 204 && res.status !== 200) throw new Error(`deploy failed: ${res.status} ${await res.text()}`);
  }

  async flows() {
    return (await fetch(`${this.url}/flows`)).json();
  }

  /** Presses an inject node's button, as the editor does (waiting for a new deploy to start it). */
  async inject(id) {
    await waitFor(
      async () => {
        const res = await fetch(`${this.url}/inject/${id}`, { method: 'POST' });
        if (res.status !== 200 && res.status !== 404) throw new Error(`inject ${id} failed: ${res.status}`);
        return res.status === 200;
      },
      5000,
      `inject node ${id}`,
    );
  }

  /** The oldest debug message from the debug node with this id not yet taken, its msg decoded. */
  async debugFrom(id, ms = 10000) {
    const found = await waitFor(() => this.debug.find((d) => d.id === id && !this.taken.has(d)), ms, `debug output of ${id}`);
    this.taken.add(found);
    return { ...found, value: decode(found) };
  }

  close() {
    if (this.socket) this.socket.close();
    for (const entry of this.debug) scanChildOutput('debug sidebar', entry);
    for (const status of this.statuses.values()) scanChildOutput('status', status);
    this.debug = [];
  }
}

function decode(entry) {
  if (entry.format && /^(Object|array)/.test(entry.format)) return JSON.parse(entry.msg);
  if (entry.format === 'number') return Number(entry.msg);
  return entry.msg;
}

/**
 * Starts red.js with this package loaded from the working tree (unless fromWorkingTree is false),
 * in a new user directory (or the one given); `settings` (plain data, e.g. adminAuth) becomes its
 * settings file.
 */
async function startNodeRed({ env = {}, settings, userDir: givenDir, fromWorkingTree = true, logLevel = 'warn' } = {}) {
  const userDir = givenDir || fs.mkdtempSync(path.join(os.tmpdir(), 'redox-nr-'));
  const port = await freePort();
  const settingsArgs = [];
  if (settings) {
    const file = path.join(userDir, 'settings.js');
    fs.writeFileSync(file, `module.exports = ${JSON.stringify(settings)};\n`);
    settingsArgs.push('--settings', file);
  }
  const child = spawn(
    process.execPath,
    [
      nodeRedPath('red.js'),
      '--userDir',
      userDir,
      '--port',
      String(port),
      ...settingsArgs,
      '-D',
      'uiHost=127.0.0.1',
      ...(fromWorkingTree ? ['-D', `nodesDir=${root}`] : []),
      '-D',
      `logging.console.level=${logLevel}`,
    ],
    { env: { ...process.env, NODE_RED_DISABLE_TELEMETRY: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c) => {
    output += c;
  });
  child.stderr.on('data', (c) => {
    output += c;
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForEditor(url, child);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${output}`, { cause: err });
  }
  const client = new NodeRedClient(url);
  await client.listen();
  return {
    url,
    client,
    pid: child.pid,
    output: () => output,
    async stop() {
      client.close();
      scanChildOutput('Node-RED log', output);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        await exited;
      }
      if (!givenDir) fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

module.exports = { freePort, waitFor, waitForEditor, startNodeRed, NodeRedClient };
