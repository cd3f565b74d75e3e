'use strict';
// `npm start` as a newcomer runs it: a child process tree on free ports, the quick-start flow
// deployed, an inject button pressed through the admin API, then Ctrl-C and nothing left behind.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const { freePort, waitFor, NodeRedClient } = require('./node-red-process');
const { scanChildOutput } = require('./leak-scan');

const root = path.join(__dirname, '..');

/** Starts `command args` in its own process group; resolves once it prints the editor's address. */
async function startQuickStart(command, args, env) {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => {
    output += c;
  });
  child.stderr.on('data', (c) => {
    output += c;
  });
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
        return /Node-RED editor:/.test(output);
      },
      90000,
      `${command} ${args.join(' ')} to start`,
    );
  } catch (err) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    throw err;
  }
  return { child, output: () => output };
}

/** Sends Ctrl-C to the whole process group, as a terminal does, and checks that every process ends. */
async function stopWithCtrlC({ child }) {
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  process.kill(-child.pid, 'SIGINT');
  const result = await exited;
  await waitFor(
    () => {
      try {
        process.kill(-child.pid, 0); // throws ESRCH once no process of the group is left
        return false;
      } catch (err) {
        return err.code === 'ESRCH';
      }
    },
    10000,
    'every process of npm start to end',
  );
  return result;
}

describe('npm start (quick start)', function () {
  this.timeout(180000);
  let userDir;
  let env;
  let editor;
  let emulator;

  before(async function () {
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redox-quickstart-'));
    fs.rmSync(userDir, { recursive: true }); // a user directory that does not exist yet, as on a fresh clone
    const [port, emulatorPort] = [await freePort(), await freePort()];
    editor = `http://127.0.0.1:${port}`;
    emulator = `http://127.0.0.1:${emulatorPort}`;
    env = {
      PORT: String(port),
      REDOX_EMULATOR_PORT: String(emulatorPort),
      QUICKSTART_USER_DIR: userDir,
      REDOX_API_KEY: '',
      REDOX_SECRET: '',
      REDOX_BASE_URL: '',
      REDOX_OAUTH_CLIENT_ID: '',
    };
  });
  after(() => {
    // Node-RED's own log of every run (the start script's banner names the demo secret on purpose)
    const log = path.join(userDir, 'node-red.log');
    if (fs.existsSync(log)) scanChildOutput('npm start Node-RED log', fs.readFileSync(log, 'utf8'));
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  const state = async () => (await fetch(`${emulator}/_emulator/state`)).json();

  it('starts the emulator and Node-RED with the quick-start flow, which reaches the emulator', async function () {
    const run = await startQuickStart('npm', ['start'], env);
    const client = new NodeRedClient(editor);
    try {
      run.output().should.containEql(`Node-RED editor:  ${editor}`);
      run.output().should.containEql(`Redox emulator:   ${emulator}`);
      run.output().should.match(/Node-RED's log: +\S*node-red\.log/);
      // the editor opens on the flow: no welcome tour, no update-notification consent over it
      const settings = await (await fetch(`${editor}/settings`, { headers: { 'Node-RED-API-Version': 'v2' } })).json();
      settings.editorTheme.tours.should.be.false();
      should(settings.telemetryEnabled).equal(false); // undefined would ask for consent
      const flows = await client.flows();
      flows.find((n) => n.type === 'tab').label.should.equal('Redox quick start');
      const config = flows.find((n) => n.type === 'redox-config');
      config.baseUrl.should.equal('${REDOX_BASE_URL}');
      should(config.credentials).be.undefined(); // the editor API never hands credentials back
      fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8').should.not.containEql('demo-secret');

      await client.listen();
      await client.inject('qs-inject-newpatient');
      const response = await client.debugFrom('qs-debug-response');
      response.value.Meta.Logs.should.have.length(1);
      await client.inject('qs-inject-search');
      (await client.debugFrom('qs-debug-search')).value.Patient.Demographics.LastName.should.equal('Bixby');
      await client.inject('qs-inject-token');
      (await client.debugFrom('qs-debug-token')).value.should.match(/^\d{4}-\d\d-\d\dT/);
      await client.inject('qs-inject-oauth');
      (await client.debugFrom('qs-debug-oauth')).value.Meta.Logs.should.have.length(1);

      const { calls, received } = await state();
      calls.authenticate.should.equal(1);
      calls.oauthToken.should.equal(1); // the OAuth connection signed with the key pair npm start made
      received
        .map((r) => `${r.path} ${r.body.Meta.DataModel} ${r.body.Meta.EventType}`)
        .should.eql(['/endpoint PatientAdmin NewPatient', '/endpoint PatientSearch Query', '/endpoint PatientAdmin NewPatient']);
      fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8').should.not.containEql('PRIVATE KEY');
      received[0].body.Patient.Demographics.FirstName.should.equal('Timothy');
    } finally {
      client.close();
      const { code, signal } = await stopWithCtrlC(run);
      should(signal === 'SIGINT' || code === 0 || code === 130).be.true();
    }
    await fetch(editor).should.be.rejected();
    await fetch(emulator).should.be.rejected();
  });

  it("keeps the user's flow edits on the next start, and --reset starts over", async function () {
    const script = [path.join('scripts', 'start.js')];
    let run = await startQuickStart(process.execPath, script, env);
    const client = new NodeRedClient(editor);
    try {
      const flows = await client.flows();
      flows.find((n) => n.type === 'tab').label = 'My edited flow';
      await client.deploy(flows);
    } finally {
      await stopWithCtrlC(run);
    }

    run = await startQuickStart(process.execPath, script, env);
    try {
      (await client.flows()).find((n) => n.type === 'tab').label.should.equal('My edited flow');
      // the stored credentials survived the restart: the quick-start flow still authenticates
      await client.listen();
      await client.inject('qs-inject-token');
      (await client.debugFrom('qs-debug-token')).value.should.match(/^\d{4}-/);
    } finally {
      client.close();
      await stopWithCtrlC(run);
    }

    run = await startQuickStart(process.execPath, [...script, '--reset'], env);
    try {
      (await client.flows()).find((n) => n.type === 'tab').label.should.equal('Redox quick start');
    } finally {
      await stopWithCtrlC(run);
    }
  });
});
