'use strict';
// The emulator itself, over plain HTTP, against the examples in ../shared/redox-api.md.
const should = require('should');
const { RedoxEmulator, DEMO_CREDENTIALS, EMR, SCHEDULING, PATIENT_SEARCH, newPatient } = require('./support');

describe('Redox emulator', function () {
  let emulator;
  let url;

  before(async function () {
    emulator = new RedoxEmulator({ maxBodyBytes: 64 * 1024, rateLimit: { limit: 1000, windowMs: 60000 } });
    url = await emulator.start();
  });
  afterEach(function () {
    emulator.reset();
    emulator.rateLimit = { limit: 1000, windowMs: 60000 };
    emulator.tokenLifetimeMs = 24 * 3600 * 1000;
  });
  after(() => emulator.stop());

  function post(path, body, headers = {}) {
    return fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function authenticate() {
    const res = await post('/auth/authenticate', { apiKey: DEMO_CREDENTIALS.apiKey, secret: DEMO_CREDENTIALS.secret });
    return res.json();
  }

  function meta(extra = {}) {
    return { DataModel: 'PatientAdmin', EventType: 'NewPatient', Test: true, Destinations: [{ ID: EMR }], ...extra };
  }

  describe('authentication (section 1)', function () {
    it('answers a good key and secret with accessToken, expires and refreshToken, in that order', async function () {
      const res = await post('/auth/authenticate', { apiKey: DEMO_CREDENTIALS.apiKey, secret: DEMO_CREDENTIALS.secret });
      res.status.should.equal(200);
      res.headers.get('content-type').should.equal('application/json; charset=utf-8');
      const text = await res.text();
      const body = JSON.parse(text);
      Object.keys(body).should.eql(['accessToken', 'expires', 'refreshToken']);
      body.accessToken.should.match(/^[0-9a-f-]{36}$/);
      body.refreshToken.should.match(/^[0-9a-f-]{36}$/);
      body.expires.should.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // 24 hours, within the time the request took
      (Date.parse(body.expires) - Date.now()).should.be.within(24 * 3600e3 - 5000, 24 * 3600e3);
      // the recorded real answer is 145 bytes: two UUIDs and a timestamp in this shape
      Buffer.byteLength(text).should.equal(145);
    });

    it('refuses a bad key with 401 and the plain-text body "Invalid request"', async function () {
      const res = await post('/auth/authenticate', { apiKey: 'nope', secret: DEMO_CREDENTIALS.secret });
      res.status.should.equal(401);
      res.headers.get('content-type').should.equal('text/html; charset=utf-8');
      (await res.text()).should.equal('Invalid request');
    });

    it('refuses a bad secret with 401 in plain text', async function () {
      const res = await post('/auth/authenticate', { apiKey: DEMO_CREDENTIALS.apiKey, secret: 'wrong' });
      res.status.should.equal(401);
      res.headers.get('content-type').should.startWith('text/html');
      (await res.text()).should.equal('Invalid source secret');
    });

    it('refreshes with the latest refresh token, once', async function () {
      const first = await authenticate();
      const res = await post('/auth/refreshToken', { apiKey: DEMO_CREDENTIALS.apiKey, refreshToken: first.refreshToken });
      res.status.should.equal(200);
      const second = await res.json();
      Object.keys(second).should.eql(['accessToken', 'expires', 'refreshToken']);
      second.accessToken.should.not.equal(first.accessToken);
      const again = await post('/auth/refreshToken', { apiKey: DEMO_CREDENTIALS.apiKey, refreshToken: first.refreshToken });
      again.status.should.equal(401);
      (await again.text()).should.equal('Invalid request');
      emulator.calls.refreshToken.should.equal(2);
    });

    it('refuses an expired access token and a revoked one with 401', async function () {
      emulator.tokenLifetimeMs = 50;
      const short = await authenticate();
      await new Promise((r) => setTimeout(r, 80));
      const expired = await post('/endpoint', { ...newPatient(), Meta: meta() }, { authorization: `Bearer ${short.accessToken}` });
      expired.status.should.equal(401);
      emulator.tokenLifetimeMs = 60000;
      const fresh = await authenticate();
      emulator.revokeAccessTokens();
      const revoked = await post('/endpoint', { ...newPatient(), Meta: meta() }, { authorization: `Bearer ${fresh.accessToken}` });
      revoked.status.should.equal(401);
      (await revoked.text()).should.equal('Invalid request');
      emulator.calls.rejected401.should.equal(2);
    });
  });

  describe('sending (section 2)', function () {
    let token;
    beforeEach(async function () {
      token = (await authenticate()).accessToken;
    });
    const auth = () => ({ authorization: `Bearer ${token}` });

    it("echoes what Redox echoes of Meta: DataModel, the request's EventType, Source, named Destinations, one log per destination, a Message ID", async function () {
      const res = await post('/endpoint', { ...newPatient(), Meta: meta({ Destinations: [{ ID: EMR }, { ID: SCHEDULING }] }) }, auth());
      res.status.should.equal(200);
      res.headers.get('content-type').should.equal('application/json; charset=utf-8');
      const body = await res.json();
      body.Meta.DataModel.should.equal('PatientAdmin');
      body.Meta.EventType.should.equal('NewPatient');
      should(body.Meta.Test).be.undefined(); // not echoed in recorded answers
      should(body.Meta.EventDateTime).be.undefined();
      body.Meta.Message.ID.should.be.a.Number();
      body.Meta.Source.should.eql({ ID: '7ce6f387-c33c-417d-8682-81e83628cbd9', Name: 'Redox Dev Tools' });
      body.Meta.Destinations.should.eql([
        { ID: EMR, Name: 'Redox EMR' },
        { ID: SCHEDULING, Name: 'Redox Scheduling (emulator)' },
      ]);
      body.Meta.Logs.should.have.length(2);
      body.Meta.Logs[0].should.have.properties(['ID', 'AttemptID']);
      should(body.Meta.Errors).be.undefined();
      emulator.received.should.have.length(1);
      emulator.received[0].path.should.equal('/endpoint');
    });

    it("answers a missing required key with 400 and Meta.Errors in Redox's shape", async function () {
      const res = await post('/endpoint', { Meta: meta() }, auth());
      res.status.should.equal(400);
      const body = await res.json();
      body.Meta.Errors.should.have.length(1);
      const error = body.Meta.Errors[0];
      error.ID.should.be.a.Number();
      error.Text.should.equal('Required field missing - Patient in PatientAdmin:NewPatient');
      error.Type.should.equal('message');
      error.Module.should.equal('DataModels');
    });

    it('answers an unknown destination with the Subscriptions error', async function () {
      const res = await post(
        '/endpoint',
        { ...newPatient(), Meta: meta({ Destinations: [{ ID: '00000000-0000-0000-0000-000000000000' }] }) },
        auth(),
      );
      res.status.should.equal(400);
      const [error] = (await res.json()).Meta.Errors;
      error.Module.should.equal('Subscriptions');
      error.Text.should.startWith('No subscriptions. Meta.Destinations needs to contain a destination from existing subscriptions');
    });

    it('answers missing Meta fields, unknown event types and malformed JSON with errors', async function () {
      const noModel = await post('/endpoint', { Meta: { EventType: 'NewPatient', Destinations: [{ ID: EMR }] } }, auth());
      noModel.status.should.equal(400);
      (await noModel.json()).Meta.Errors[0].Text.should.equal('Required field missing - Meta.DataModel');
      const unknown = await post('/endpoint', { Meta: meta({ EventType: 'Teleport' }) }, auth());
      unknown.status.should.equal(404);
      const malformed = await post('/endpoint', '{"Meta": ', auth());
      malformed.status.should.equal(400);
      (await malformed.json()).Meta.Errors[0].Text.should.match(/Invalid JSON/);
    });

    const search = (Patient, path = '/endpoint') =>
      post(path, { Meta: { DataModel: 'PatientSearch', EventType: 'Query', Destinations: [{ ID: PATIENT_SEARCH }] }, Patient }, auth());

    it("answers a PatientSearch Query at /endpoint with one Patient and PotentialMatches, keeping the request's EventType", async function () {
      const res = await search({ Demographics: { FirstName: 'timothy', LastName: 'Bixby', DOB: '2008-01-06' } });
      res.status.should.equal(200);
      const body = await res.json();
      body.Meta.EventType.should.equal('Query');
      body.Meta.Destinations.should.eql([{ ID: PATIENT_SEARCH, Name: 'Patient Search Endpoint' }]);
      body.Meta.Logs.should.have.length(1);
      should(body.Patients).be.undefined();
      body.Patient.Demographics.FirstName.should.equal('Timothy');
      body.Patient.Identifiers[0].should.eql({ ID: '0000000001', IDType: 'MR' });
      body.PotentialMatches.should.eql([]);
      (await (await search({ Identifiers: [{ ID: '0000000001', IDType: 'MR' }] })).json()).Patient.Demographics.LastName.should.equal(
        'Bixby',
      );
    });

    it('answers a PatientSearch Query that matches nobody with Patient {}', async function () {
      for (const query of [{ Demographics: { LastName: 'Nobody' } }, { Identifiers: [{ ID: 'unknown', IDType: 'MR' }] }, {}, undefined]) {
        const body = await (await search(query)).json();
        body.Patient.should.eql({}, JSON.stringify(query));
        body.PotentialMatches.should.eql([]);
      }
    });

    it('still answers queries at /query, for older clients', async function () {
      const body = await (await search({ Demographics: { LastName: 'Bixby' } }, '/query')).json();
      body.Patient.Demographics.LastName.should.equal('Bixby');
      emulator.received[0].path.should.equal('/query');
    });

    it("answers a LocationQuery with Patients, as that query's answer schema has it", async function () {
      const res = await post(
        '/endpoint',
        {
          Meta: { DataModel: 'PatientSearch', EventType: 'LocationQuery', Destinations: [{ ID: PATIENT_SEARCH }] },
          Patient: { Identifiers: [{ ID: '0000000001', IDType: 'MR' }] },
        },
        auth(),
      );
      (await res.json()).Patients.should.have.length(1);
    });

    it("refuses an event without a key the event's schema requires at the top level", async function () {
      const res = await post('/endpoint', { Meta: meta({ DataModel: 'Device', EventType: 'New' }), Device: { ID: 'd1' } }, auth());
      res.status.should.equal(400);
      const error = (await res.json()).Meta.Errors[0];
      error.should.containDeep({ Text: 'Required field missing - Observations in Device:New', Type: 'message', Module: 'DataModels' });
    });

    it('answers a Clinical Summary PatientQuery with a summary, and refuses a query to two destinations', async function () {
      const res = await post(
        '/endpoint',
        {
          Meta: { DataModel: 'Clinical Summary', EventType: 'PatientQuery', Destinations: [{ ID: EMR }] },
          Patient: { Identifiers: [{ ID: '0000000001', IDType: 'MR' }] },
        },
        auth(),
      );
      res.status.should.equal(200);
      const body = await res.json();
      body.Meta.EventType.should.equal('PatientQuery');
      body.Header.Patient.Demographics.LastName.should.equal('Bixby');
      body.Allergies.should.not.be.empty();
      const two = await post(
        '/query',
        {
          Meta: { DataModel: 'PatientSearch', EventType: 'Query', Destinations: [{ ID: EMR }, { ID: SCHEDULING }] },
        },
        auth(),
      );
      two.status.should.equal(400);
    });
  });

  describe('limits (section 3) and faults', function () {
    it('answers a body above the size limit with 413', async function () {
      const token = (await authenticate()).accessToken;
      const big = { ...newPatient(), Meta: meta(), Filler: 'x'.repeat(70 * 1024) };
      const res = await post('/endpoint', big, { authorization: `Bearer ${token}` });
      res.status.should.equal(413);
      emulator.received.should.have.length(0);
    });

    it('answers 429 with X-RateLimit-Limit above the rate limit', async function () {
      emulator.rateLimit = { limit: 3, windowMs: 60000 };
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const res = await post('/auth/authenticate', { apiKey: DEMO_CREDENTIALS.apiKey, secret: DEMO_CREDENTIALS.secret });
        statuses.push(res.status);
        if (res.status === 429) res.headers.get('x-ratelimit-limit').should.equal('3');
        await res.arrayBuffer();
      }
      statuses.should.eql([200, 200, 200, 429, 429]);
      emulator.calls.rateLimited.should.equal(2);
    });

    it('injects a status, a delay and a dropped connection for the next requests', async function () {
      const token = (await authenticate()).accessToken;
      const body = { ...newPatient(), Meta: meta() };
      emulator.injectFaults({ status: 502, body: 'Bad Gateway', contentType: 'text/plain' }, { delayMs: 150 }, { drop: true });
      const first = await post('/endpoint', body, { authorization: `Bearer ${token}` });
      first.status.should.equal(502);
      (await first.text()).should.equal('Bad Gateway');
      const started = Date.now();
      const second = await post('/endpoint', body, { authorization: `Bearer ${token}` });
      second.status.should.equal(200);
      (Date.now() - started).should.be.aboveOrEqual(140);
      await post('/endpoint', body, { authorization: `Bearer ${token}` }).should.be.rejected();
      const fourth = await post('/endpoint', body, { authorization: `Bearer ${token}` });
      fourth.status.should.equal(200);
      emulator.calls.faults.should.equal(3);
    });

    it('reports its counters at GET /_emulator/state', async function () {
      await authenticate();
      const res = await fetch(`${url}/_emulator/state`);
      const state = await res.json();
      state.calls.authenticate.should.equal(1);
      state.received.should.eql([]);
    });

    it('takes its control calls only from this machine: no foreign Host, no foreign Origin', async function () {
      const http = require('node:http');
      const call = (method, path, headers) =>
        new Promise((resolve, reject) => {
          const req = http.request(`${url}${path}`, { method, headers }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
          });
          req.on('error', reject);
          req.end();
        });
      (await call('POST', '/_emulator/reset', { host: 'attacker.example' })).should.equal(403); // DNS rebinding
      (await call('POST', '/_emulator/reset', { origin: 'http://attacker.example' })).should.equal(403); // a cross-site form
      (await call('GET', '/_emulator/state', { host: 'rebound.example:3333' })).should.equal(403);
      (await call('POST', '/_emulator/reset', { origin: 'http://localhost:1880' })).should.equal(200);
      (await call('GET', '/_emulator/state', {})).should.equal(200);
    });

    it('keeps nothing of a request it refused', async function () {
      const big = { ...newPatient(), Meta: meta(), Filler: 'x'.repeat(32 * 1024) };
      (await post('/endpoint', big, { authorization: 'Bearer not-a-token' })).status.should.equal(401);
      emulator.arrivals.should.have.length(1);
      (emulator.arrivals[0].body === undefined).should.be.true();
      emulator.received.should.eql([]);
    });
  });

  describe('its command line', function () {
    const { spawnSync, spawn } = require('node:child_process');
    const cli = require('node:path').join(__dirname, '..', 'dist', 'emulator', 'cli.js');

    it('refuses an empty or invalid port instead of taking a random one', function () {
      for (const port of ['', 'abc', '70000', '1.5']) {
        const run = spawnSync(process.execPath, [cli, '--port', port], { encoding: 'utf8', timeout: 10000 });
        run.status.should.equal(2, `--port "${port}"`);
        run.stderr.should.match(/Usage: redox-emulator/);
      }
    });

    it('names a busy port and suggests --port', async function () {
      const busy = new URL(url).port; // this test's emulator holds it
      const run = spawnSync(process.execPath, [cli, '--port', busy], { encoding: 'utf8', timeout: 10000 });
      run.status.should.equal(1);
      run.stderr.should.containEql(`port ${busy} is in use`);
      run.stderr.should.containEql('--port');
    });

    it('prints the demo credentials in its banner', async function () {
      const child = spawn(process.execPath, [cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      await new Promise((resolve) => child.stdout.on('data', (c) => ((out += c), /Ctrl-C/.test(out) && resolve())));
      child.kill();
      out.should.containEql('secret "demo-secret"');
      out.should.containEql('demo-oauth-client-secret');
    });
  });
});
