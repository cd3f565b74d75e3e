'use strict';
// Every file in examples/ deployed into a real Node-RED, its buttons pressed and its form posted,
// and the outcome checked in the debug sidebar, the HTTP answer and the emulator.
const fs = require('node:fs');
const path = require('node:path');
require('should');
const { RedoxEmulator } = require('./support');
const { deliverFeed, sampleDelivery, sendQuery } = require('../dist/emulator/emulator');
const { readSchema, generatedEvent } = require('../dist/nodes/lib/datamodel/catalogue');
const { startNodeRed, waitFor } = require('./node-red-process');

const EXAMPLES = path.join(__dirname, '..', 'examples');
const DEFAULT_EMULATOR_URL = 'http://127.0.0.1:3333';

describe('examples in a real Node-RED', function () {
  this.timeout(60000);
  let emulator;
  let nodeRed;
  let client;

  before(async function () {
    nodeRed = await startNodeRed();
    client = nodeRed.client;
  });
  after(async function () {
    if (nodeRed) await nodeRed.stop();
  });
  // A fresh emulator (on a new port) for each example, as a user would start one.
  beforeEach(async function () {
    emulator = new RedoxEmulator();
    await emulator.start();
  });
  afterEach(async function () {
    await emulator.stop();
    nodeRed.output().should.not.match(/\[error\]/);
  });

  /** Deploys an example as imported, pointed at this test's emulator instead of the default port. */
  async function deployExample(file) {
    const text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
    // as shipped, a connection points at the emulator's default address
    if (text.includes('"redox-config"')) text.should.containEql(DEFAULT_EMULATOR_URL);
    const flow = JSON.parse(text.split(DEFAULT_EMULATOR_URL).join(emulator.url));
    flow.filter((n) => n.type === 'comment').should.not.be.empty();
    const types = new Set(flow.map((n) => n.type));
    for (const type of types)
      type.should.match(
        /^(tab|comment|inject|debug|change|switch|catch|template|function|csv|http in|http response|http request|redox-config|redox-send|redox-token|redox-upload|redox-receive|redox-response)$/,
      );
    await client.deploy(flow);
  }

  it('lists the examples under Import > Examples', async function () {
    const res = await fetch(`${nodeRed.url}/library/examples/flows/@nr-health/node-red-redox`);
    res.status.should.equal(200);
    const listed = (await res.json()).map((entry) => `${entry.fn}.json`).sort();
    listed.should.eql(fs.readdirSync(EXAMPLES).sort());
    listed.should.have.length(9);
  });

  it('01 sends a NewPatient and shows the response logs', async function () {
    await deployExample('01 Send a new patient.json');
    await client.inject('ex1-inject');
    const logs = await client.debugFrom('ex1-debug');
    logs.value.should.be.an.Array().with.length(1);
    logs.value[0].should.have.properties(['ID', 'AttemptID']);
    emulator.received.should.have.length(1);
    emulator.received[0].body.Meta.should.containDeep({ DataModel: 'PatientAdmin', EventType: 'NewPatient', Test: true });
    emulator.received[0].body.Patient.Demographics.LastName.should.equal('Bixby');
  });

  it('02 queries for a patient and uses the result, found or not', async function () {
    await deployExample('02 Query for a patient.json');
    await client.inject('ex2-inject');
    const found = await client.debugFrom('ex2-found');
    found.value.Demographics.FirstName.should.equal('Timothy');
    found.value.Identifiers[0].should.eql({ ID: '0000000001', IDType: 'MR' });
    await client.inject('ex2-inject-nobody');
    const none = await client.debugFrom('ex2-notfound');
    none.value.should.equal('No patient matches the search');
    // Redox's answer: Patient ({} for nobody) and PotentialMatches, posted to /endpoint, to one destination
    emulator.received.map((r) => r.path).should.eql(['/endpoint', '/endpoint']);
    for (const r of emulator.received)
      r.body.Meta.Destinations.should.eql([{ ID: '0f4bd1d1-451d-4351-8cfd-b767d1b488d6', Name: 'Patient Search Endpoint' }]);
    client.debug.filter((d) => d.id === 'ex2-error').should.be.empty();
  });

  it('03 gets a token and calls Redox with the core http request node', async function () {
    await deployExample('03 Get a token and call Redox with http request.json');
    await client.inject('ex3-inject');
    const answer = await client.debugFrom('ex3-debug');
    answer.value.Meta.Logs.should.have.length(1);
    emulator.calls.authenticate.should.equal(1);
    emulator.received.should.have.length(1);
    const [, token] = emulator.received[0].headers.authorization.split(' ');
    emulator.issuedTokens().should.containEql(token);
  });

  it('04 shows a 401, a 400 with Meta.Errors, a timeout and a caught error', async function () {
    await deployExample('04 Handle errors.json');
    await client.inject('ex4-inject-401');
    const unauthorized = await client.debugFrom('ex4-error');
    unauthorized.value.should.containDeep({ code: 'authRefused', statusCode: 401 });
    unauthorized.value.message.should.match(/refused the credentials \(401\): Invalid source secret/);

    await client.inject('ex4-inject-400');
    const bad = await client.debugFrom('ex4-error');
    bad.value.should.containDeep({ code: 'httpStatus', statusCode: 400 });
    bad.value.message.should.equal('Redox answered 400: Required field missing - Patient in PatientAdmin:NewPatient');
    const metaErrors = await client.debugFrom('ex4-meta-debug');
    metaErrors.value[0].Module.should.equal('DataModels');

    await client.inject('ex4-inject-timeout');
    const timeout = await client.debugFrom('ex4-error', 5000);
    timeout.value.code.should.equal('timeout');
    timeout.value.message.should.equal('Redox did not answer within 1 s');

    await client.inject('ex4-inject-catch');
    const caught = await client.debugFrom('ex4-caught');
    caught.value.message.should.equal('msg.payload must be an object holding the Data Model message (it is a string)');
  });

  it("06 sends with an OAuth API key (HS384, the emulator's demo client)", async function () {
    await deployExample('06 Send with an OAuth API key.json');
    await client.inject('ex6-inject');
    (await client.debugFrom('ex6-debug')).value.Meta.Logs.should.have.length(1);
    emulator.calls.oauthToken.should.equal(1);
    emulator.calls.authenticate.should.equal(0);
    emulator.received.should.have.length(1);
  });

  it('05 serves a form and schedules the visit it posts', async function () {
    await deployExample('05 Schedule a visit from a web form.json');
    const form = await waitFor(
      async () => {
        const res = await fetch(`${nodeRed.url}/redox/schedule`);
        return res.status === 404 ? undefined : res; // 404 until the new flow has started
      },
      5000,
      'the form',
    );
    form.status.should.equal(200);
    (await form.text()).should.containEql('<form method="post" action="schedule">');

    const fields = {
      mrn: '0000000001',
      firstName: 'Timothy',
      lastName: 'O"Bixby',
      dob: '2008-01-06',
      date: '2026-12-01',
      time: '09:30',
      duration: '45',
      reason: 'Check-up',
    };
    const res = await fetch(`${nodeRed.url}/redox/schedule`, { method: 'POST', body: new URLSearchParams(fields) });
    res.status.should.equal(200);
    res.headers.get('content-type').should.startWith('text/html');
    const page = await res.text();
    page.should.containEql('Visit scheduled');
    page.should.match(/Log ID: <code>[0-9a-f-]{36}<\/code>/);
    emulator.received.should.have.length(1);
    const sent = emulator.received[0].body;
    sent.Meta.should.containDeep({
      DataModel: 'Scheduling',
      EventType: 'New',
      Destinations: [{ ID: 'c5d0e7a2-3b1f-4e8c-9a6d-2f4b8e1c7d93' }],
    });
    sent.Visit.VisitDateTime.should.equal('2026-12-01T09:30:00.000Z');
    sent.Visit.Duration.should.equal(45);
    sent.Patient.Demographics.LastName.should.equal('O"Bixby');
  });

  it('09 backfills 3,000 patients from a CSV: all sent, none refused for the rate limit, a summary at the end', async function () {
    this.timeout(120000);
    await deployExample('09 Backfill patients from a CSV.json');
    await client.inject('ex9-inject');
    const done = await client.debugFrom('ex9-done', 90000);
    done.value.should.eql({ of: 3000, sent: 3000, failed: 0, failures: {} });
    emulator.calls.rateLimited.should.equal(0);
    emulator.received.should.have.length(3000);
    emulator.received[0].body.Patient.Identifiers[0].should.eql({ ID: '2000001', IDType: 'MR' });
  });

  it('07 receives PatientAdmin events and answers a PatientSearch Query from its local table, as its comment says', async function () {
    await deployExample('07 Receive deliveries and answer queries.json');
    const text = fs.readFileSync(path.join(EXAMPLES, '07 Receive deliveries and answer queries.json'), 'utf8');
    const token = 'demo-verification-token';
    text.should.containEql(`--token ${token}`); // the commands in the comment use the example's token
    const admin = `${nodeRed.url}/redox/patient-admin`;
    const search = `${nodeRed.url}/redox/patient-search`;
    await waitFor(async () => (await fetch(admin, { method: 'POST', body: '{}' })).status === 403, 10000, 'the routes');

    // deliveries: verified, answered 200, shown; a data model the node does not take is answered and not shown
    const arrival = sampleDelivery('PatientAdmin', 'Arrival');
    const results = sampleDelivery('Results', 'New');
    const discharge = sampleDelivery('PatientAdmin', 'Discharge');
    (await deliverFeed(admin, [arrival, results, discharge], { token, attempts: 1 })).should.eql({ verified: true, delivered: 3 });
    (await client.debugFrom('ex7-events')).value.should.equal('PatientAdmin/Arrival: Timothy Bixby');
    (await client.debugFrom('ex7-events')).value.should.equal('PatientAdmin/Discharge: Timothy Bixby');

    // queries: found by identifier, by name and birth date, and nobody; each answer in the shape of Redox's answer schema
    const Ajv = require('ajv-draft-04');
    const validate = new Ajv({ strict: false }).compile(readSchema(generatedEvent('PatientSearch', 'Query').answer));
    const ask = async (patient) => {
      const query = sampleDelivery('PatientSearch', 'Query');
      query.Patient = patient;
      const answer = await sendQuery(search, query, { token });
      answer.status.should.equal(200);
      validate(answer.body).should.be.true(JSON.stringify(validate.errors));
      answer.body.Meta.should.containDeep({ DataModel: 'PatientSearch', EventType: 'Query', Source: query.Meta.Source });
      return answer.body;
    };
    (await ask({ Identifiers: [{ ID: '0000000001', IDType: 'MR' }] })).Patient.Demographics.FirstName.should.equal('Timothy');
    (await ask({ Demographics: { FirstName: 'Barbara', LastName: 'Bixby', DOB: '1980-04-12' } })).Patient.Identifiers[0].ID.should.equal(
      '0000000002',
    );
    (await ask({ Demographics: { FirstName: 'Nobody', LastName: 'Atall' } })).Patient.should.eql({});
    // the sample query of the comment's command
    const sample = await sendQuery(search, sampleDelivery('PatientSearch', 'Query'), { token });
    sample.body.Patient.Identifiers[0].ID.should.equal('0000000001');
    // a wrong token reaches nothing
    (await sendQuery(search, sampleDelivery('PatientSearch', 'Query'), { token: 'guess' })).status.should.equal(403);
  });

  it('08 uploads the PDF, then sends a Media New naming its URI; and embeds it instead on the other button', async function () {
    await deployExample('08 Send a PDF through an upload.json');
    const flow = JSON.parse(fs.readFileSync(path.join(EXAMPLES, '08 Send a PDF through an upload.json'), 'utf8'));
    const shipped = Buffer.from(flow.find((n) => n.id === 'ex8-pdf').rules[0].to, 'base64');
    shipped.subarray(0, 8).toString().should.equal('%PDF-1.4');

    await client.inject('ex8-inject');
    const uri = (await client.debugFrom('ex8-uri')).value.URI;
    const answer = await client.debugFrom('ex8-sent');
    answer.value.Meta.should.containDeep({ DataModel: 'Media', EventType: 'New' });
    const [upload] = emulator.uploads.list;
    uri.should.equal(upload.uri);
    upload.should.match({ filename: 'lab-report.pdf', contentType: 'application/pdf', bytes: shipped.length });
    upload.sha256.should.equal(require('node:crypto').createHash('sha256').update(shipped).digest('hex'));
    const [mediaNew] = emulator.received;
    mediaNew.body.Media.should.containDeep({ FileContents: uri, FileName: 'lab-report', FileType: 'PDF' });
    upload.referencedBy.should.eql(['Media New #0']);

    await client.inject('ex8-inject-embed');
    await client.debugFrom('ex8-sent');
    emulator.received[1].body.Media.FileContents.should.equal(shipped.toString('base64'));
    emulator.uploads.list.should.have.length(1); // embedded: no upload
  });
});
