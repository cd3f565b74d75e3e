'use strict';
// Property-based inputs (fast-check) for msg.payload, msg.payload.Meta, node settings and the
// emulator's answers: each message ends on output 2 with a clear error, or is a valid request.
const fc = require('fast-check');
const should = require('should');
const { helper, NODES, EMR, newPatient, buildFlow, sendNode, credentials, collect, sendAndWait, useEmulator } = require('./support');

const SEED = 424242;
const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'Meta',
  'Patient',
  'DataModel',
  'EventType',
  'Destinations',
  'ID',
  'Test',
  'toString',
];

/** Any JSON-ish value, with hostile keys among the ordinary ones. */
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc
    .dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 })
    // JSON.parse makes "__proto__" an own key, as a payload from an http in node would have it
    .map((o) => JSON.parse(JSON.stringify(o) ?? '{}')),
})).value;

const metaArb = fc.oneof(
  hostileValue,
  fc.record(
    {
      DataModel: fc.oneof(fc.constantFrom('PatientAdmin', 'PatientSearch', 'Clinical Summary', 'Nope', ''), hostileValue),
      EventType: fc.oneof(fc.constantFrom('NewPatient', 'Query', 'PatientQuery', 'X'), hostileValue),
      Destinations: fc.oneof(
        fc.constant([{ ID: EMR }]),
        fc.array(fc.record({ ID: fc.oneof(fc.constant(EMR), hostileValue) }), { maxLength: 3 }),
        hostileValue,
      ),
      Test: fc.oneof(fc.boolean(), hostileValue),
    },
    { requiredKeys: [] },
  ),
);

const payloadArb = fc.oneof(
  hostileValue,
  fc.record({ Meta: metaArb, Patient: fc.oneof(fc.constant(newPatient().Patient), hostileValue) }, { requiredKeys: [] }),
  fc.constant(Buffer.from('{"Meta":{}}')),
);

describe('fuzz', function () {
  this.timeout(60000);
  const ctx = useEmulator();

  function checkOutcome(out) {
    if (out.port === 'ok') {
      out.msg.statusCode.should.be.within(200, 299);
    } else {
      out.msg.error.message.should.be.a.String().and.not.be.empty();
      out.msg.error.code.should.be.a.String().and.not.equal('internal');
    }
  }

  it('msg.payload and msg.payload.Meta: a valid request or a clear error, never a throw', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), credentials());
    const outputs = collect(['send']);
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(payloadArb, async (payload) => {
        const before = ctx.emulator.received.length;
        const out = await sendAndWait('send', { payload }, outputs);
        checkOutcome(out);
        if (out.port === 'ok') {
          sent++;
          ctx.emulator.received[before].status.should.equal(200); // the emulator judged it valid
        }
        if (out.port === 'err' && out.msg.statusCode === undefined) ctx.emulator.received.length.should.equal(before); // refused before sending
      }),
      { seed: SEED, numRuns: 300 },
    );
    should(Object.prototype.polluted).be.undefined();
    ({}).should.not.have.property('DataModel');
    console.log(`      300 payloads, ${sent} accepted by the emulator`);
  });

  it('node settings: a bad one is reported, never a crash', async function () {
    const settingsArb = fc.record({
      dataModel: fc.oneof(fc.constantFrom('PatientAdmin', 'PatientSearch', ''), fc.string()),
      eventType: fc.oneof(fc.constantFrom('NewPatient', 'Query', ''), fc.string()),
      destinations: fc.oneof(
        fc.constant(JSON.stringify([EMR])),
        fc.json(),
        fc.string(),
        fc.constant([EMR]),
        fc.array(fc.anything(), { maxLength: 3 }),
      ),
      test: fc.oneof(fc.boolean(), fc.string(), fc.constant(undefined)),
    });
    const configArb = fc.record(
      {
        maxAttempts: fc.oneof(fc.constantFrom('', '4', 'x', '-1', '1e9'), fc.integer({ min: -5, max: 30 })),
        rateLimit: fc.oneof(fc.constantFrom('', '7000', 'none', '0'), fc.integer({ min: -1, max: 10 })),
        requestTimeout: fc.oneof(fc.constantFrom('', '120', 'soon'), fc.double({ min: -1, max: 5, noNaN: true })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(settingsArb, configArb, async (settings, config) => {
        const flow = buildFlow(ctx.url, [sendNode('send', settings)], { config });
        await helper.load(NODES, flow, credentials());
        try {
          const out = await sendAndWait('send', { payload: newPatient() }, collect(['send']));
          checkOutcome(out);
        } finally {
          await helper.unload();
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it("the emulator's answers: malformed JSON, wrong content types, huge bodies, __proto__ keys", async function () {
    const answerArb = fc.record({
      status: fc.oneof(
        fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504),
        fc.integer({ min: 200, max: 599 }),
      ),
      body: fc.oneof(
        fc.string(),
        fc.json(),
        fc.constantFrom(
          '{"Meta":',
          '{"__proto__":{"polluted":true},"Meta":{"Errors":[{"Text":"x"}]}}',
          '{"Meta":{"Errors":"not a list"}}',
          '{"Meta":{"Errors":[null,1,"x"]}}',
          '[]',
          'null',
          '<html>oops</html>',
          '\u0000\uffff',
        ),
        fc.integer({ min: 1, max: 2 }).map((mb) => `{"Meta":{},"Big":"${'x'.repeat(mb * 1024 * 1024)}"}`),
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'text/html',
        'text/plain',
        'application/octet-stream',
        'garbage/;;',
      ),
    });
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), credentials());
    const outputs = collect(['send']);
    await sendAndWait('send', { payload: newPatient() }, outputs); // authenticate before the answers turn strange
    await fc.assert(
      fc.asyncProperty(answerArb, async (answer) => {
        // a 401 is followed by a renewal and one more attempt: give that one the same answer
        ctx.emulator.injectFaults(answer, answer);
        const out = await sendAndWait('send', { payload: newPatient() }, outputs);
        checkOutcome(out);
        if (out.port === 'ok') should(out.msg.payload).be.an.Object();
        ctx.emulator.clearFaults();
      }),
      { seed: SEED, numRuns: 100 },
    );
    should(Object.prototype.polluted).be.undefined();
  });
});
