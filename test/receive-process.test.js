'use strict';
// redox-receive in a whole Node-RED (red.js), where the editor's API and the HTTP nodes share one
// web server: the editor's JSON parser (capped at apiMaxLength, 5 MB) would read a delivery before
// any HTTP-node route, which the test helper's separate apps never show. Driven as Redox would,
// by the emulator's command line.
const { execFile } = require('node:child_process');
const path = require('node:path');
const { promisify } = require('node:util');
require('should');
const { startNodeRed, waitFor } = require('./node-red-process');
const { receiveNode } = require('./receive-support');

const TOKEN = 'whole-node-red-token-7d1e';
require('./leak-scan').registerCredentials({ rx: { verificationToken: TOKEN } });
const CLI = path.join(__dirname, '..', 'dist', 'emulator', 'cli.js');
const run = promisify(execFile);

function receiveFlow() {
  return [
    { id: 't1', type: 'tab', label: 'receive' },
    receiveNode('t1', { credentials: { verificationToken: TOKEN }, x: 100, y: 100, wires: [['size']] }),
    // the size of what arrived, not the body itself: the debug sidebar would cut a 6 MB message short
    {
      id: 'size',
      z: 't1',
      type: 'function',
      func: 'msg.payload = { topic: msg.topic, bytes: JSON.stringify(msg.payload).length }; return msg;',
      x: 300,
      y: 100,
      wires: [['dbg']],
    },
    { id: 'dbg', z: 't1', type: 'debug', active: true, complete: 'payload', x: 500, y: 100, wires: [] },
  ];
}

/** A Results New message padded to about `bytes`. */
function bigDelivery(bytes) {
  return JSON.stringify({ Meta: { DataModel: 'Results', EventType: 'New', Test: true }, Padding: 'x'.repeat(bytes) });
}

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return res.status;
}

describe('redox-receive in a whole Node-RED (red.js)', function () {
  this.timeout(90000);
  let nodeRed;
  afterEach(async function () {
    if (nodeRed) await nodeRed.stop();
    nodeRed = undefined;
  });

  it("takes a 6 MB delivery past the editor's 5 MB parser, refuses 41 MB with 413, and a large body without the token with 403", async function () {
    nodeRed = await startNodeRed();
    await nodeRed.client.deploy(receiveFlow());
    const url = `${nodeRed.url}/redox`;
    await waitFor(async () => (await post(url, '{}')) === 403, 10000, 'the route');

    (await post(url, bigDelivery(6 * 1024 * 1024), { 'verification-token': TOKEN })).should.equal(200);
    const arrived = await nodeRed.client.debugFrom('dbg');
    arrived.value.topic.should.equal('Results/New');
    arrived.value.bytes.should.be.above(6 * 1024 * 1024);

    (await post(url, bigDelivery(41 * 1024 * 1024), { 'verification-token': TOKEN })).should.equal(413);
    (await post(url, bigDelivery(6 * 1024 * 1024))).should.equal(403);
    (await post(url, bigDelivery(6 * 1024 * 1024), { 'verification-token': 'wrong' })).should.equal(403);
    // the editor's own API still parses its JSON as before
    (await fetch(`${nodeRed.url}/flows`)).status.should.equal(200);
  });

  it('is verified and fed by `redox-emulator deliver`, and shows the counts in its status', async function () {
    nodeRed = await startNodeRed();
    await nodeRed.client.deploy(receiveFlow());
    const url = `${nodeRed.url}/redox`;
    const { stdout } = await run(process.execPath, [CLI, 'deliver', '--to', url, '--sample', 'PatientAdmin/Arrival', '--count', '3'], {
      env: { ...process.env, REDOX_VERIFICATION_TOKEN: TOKEN },
    });
    stdout.should.containEql(`verified ${url}; delivered 3 of 3`);
    for (let i = 0; i < 3; i++) (await nodeRed.client.debugFrom('dbg')).value.topic.should.equal('PatientAdmin/Arrival');
    (await post(url, '{}', { 'verification-token': 'wrong' })).should.equal(403);
    const status = await waitFor(
      () => {
        const s = nodeRed.client.statuses.get('rx');
        return s && / 3 accepted · 1 refused$/.test(s.text) && s;
      },
      5000,
      'the counts in the status',
    );
    status.text.should.match(/^\d{1,2}:\d{2}:\d{2}/); // the time of the last delivery

    // a wrong token: the handshake fails, the command says so and exits non-zero
    const failed = await run(process.execPath, [CLI, 'deliver', '--to', url, '--token', 'wrong', '--sample', 'PatientAdmin/Arrival']).catch(
      (err) => err,
    );
    failed.code.should.equal(1);
    failed.stderr.should.containEql('did not pass verification');
  });

  it('warns at deploy when httpNodeAuth is set: Node-RED itself refuses Redox, which sends no password', async function () {
    nodeRed = await startNodeRed({
      settings: { httpNodeAuth: { user: 'ops', pass: '$2b$08$wuAqPiKJlVN27eF5qJp.RuQYuy6ZYONW7a/UWYxDTtwKFCdB8F19y' } },
    });
    await nodeRed.client.deploy(receiveFlow());
    await waitFor(() => /httpNodeAuth is set/.test(nodeRed.output()), 10000, 'the warning');
    (
      await post(`${nodeRed.url}/redox`, '{"Meta":{"DataModel":"Results","EventType":"New"}}', { 'verification-token': TOKEN })
    ).should.equal(401);
  });
});
