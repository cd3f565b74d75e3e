'use strict';
// redox-send in a real Node-RED runtime against the emulator: request building, routing,
// responses, Redox's errors, bad input and transport failures.
const should = require('should');
const {
  helper,
  NODES,
  EMR,
  SCHEDULING,
  newPatient,
  buildFlow,
  sendNode,
  credentials,
  collect,
  sendAndWait,
  delay,
  useEmulator,
  word,
  RedoxEmulator,
  DEMO_CREDENTIALS,
} = require('./support');
const { PACKAGE } = require('../dist/nodes/lib/node-red/package-info');
const { requireFromNodeRed } = require('./node-red-path');

describe('redox-send', function () {
  const ctx = useEmulator();

  async function load(settings = {}, options = {}) {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send', settings)], options), credentials());
    return collect(['send']);
  }

  describe('building and sending the request', function () {
    it('fills Meta from the settings, posts to /endpoint with the bearer token, and emits the response', async function () {
      const outputs = await load();
      const before = Date.now();
      const { port, msg } = await sendAndWait('send', { payload: newPatient(), topic: 'kept' }, outputs);
      port.should.equal('ok');
      msg.topic.should.equal('kept');
      msg.statusCode.should.equal(200);
      msg.headers['content-type'].should.match(/application\/json/);
      msg.payload.Meta.Logs.should.have.length(1);
      msg.payload.Meta.Destinations.should.eql([{ ID: EMR, Name: 'Redox EMR' }]);

      ctx.emulator.received.should.have.length(1);
      const request = ctx.emulator.received[0];
      request.path.should.equal('/endpoint');
      request.body.Meta.should.containDeep({ DataModel: 'PatientAdmin', EventType: 'NewPatient', Test: true, Destinations: [{ ID: EMR }] });
      Date.parse(request.body.Meta.EventDateTime).should.be.within(before - 1000, Date.now());
      request.body.Patient.Demographics.LastName.should.equal('Bixby');
      request.headers.authorization.should.match(/^Bearer [0-9a-f-]{36}$/);
      request.headers['content-type'].should.equal('application/json');
      request.headers['user-agent'].should.containEql(`nr-health-node-red-redox/${PACKAGE.version}`);
    });

    it('keeps what msg.payload.Meta already says over the node settings', async function () {
      const outputs = await load({ test: false });
      const payload = newPatient({
        Meta: {
          EventType: 'PatientUpdate',
          EventDateTime: '2024-05-01T10:00:00.000Z',
          Test: true,
          FacilityCode: 'RDX',
          Destinations: [{ ID: SCHEDULING, Name: 'mine' }],
        },
      });
      const { port } = await sendAndWait('send', { payload }, outputs);
      port.should.equal('ok');
      const meta = ctx.emulator.received[0].body.Meta;
      meta.should.containDeep({
        DataModel: 'PatientAdmin',
        EventType: 'PatientUpdate',
        EventDateTime: '2024-05-01T10:00:00.000Z',
        Test: true,
        FacilityCode: 'RDX',
      });
      meta.Destinations.should.eql([{ ID: SCHEDULING, Name: 'mine' }]);
      payload.Meta.should.not.have.property('DataModel'); // the input object is not modified
    });

    it('takes everything from msg.payload.Meta when the node settings are empty', async function () {
      const outputs = await load({ dataModel: '', eventType: '', destinations: '[]', test: false });
      const payload = newPatient({ Meta: { DataModel: 'PatientAdmin', EventType: 'Registration', Destinations: [{ ID: EMR }] } });
      const { port } = await sendAndWait('send', { payload }, outputs);
      port.should.equal('ok');
      ctx.emulator.received[0].body.Meta.should.containDeep({ EventType: 'Registration', Test: false });
    });

    it('posts a query to /endpoint, as every data model, and emits its results', async function () {
      const outputs = await load({ dataModel: 'PatientSearch', eventType: 'Query' });
      const { port, msg } = await sendAndWait(
        'send',
        { payload: { Patient: { Demographics: { FirstName: 'Timothy', LastName: 'Bixby' } } } },
        outputs,
      );
      port.should.equal('ok');
      ctx.emulator.received[0].path.should.equal('/endpoint');
      ctx.emulator.calls.query.should.equal(0);
      msg.payload.Meta.EventType.should.equal('Query');
      msg.payload.Patient.Demographics.DOB.should.equal('2008-01-06');
    });

    it('posts Clinical Summary PatientQuery (a model name with a space) to /endpoint', async function () {
      const outputs = await load({ dataModel: 'Clinical Summary', eventType: 'PatientQuery' });
      const { port, msg } = await sendAndWait(
        'send',
        { payload: { Patient: { Identifiers: [{ ID: '0000000001', IDType: 'MR' }] } } },
        outputs,
      );
      port.should.equal('ok');
      ctx.emulator.received[0].path.should.equal('/endpoint');
      msg.payload.Header.Patient.Demographics.FirstName.should.equal('Timothy');
    });
  });

  describe('odd input, refused without a request', function () {
    it('refuses a Data Model or Event Type from msg that is not text, instead of sending "[object Object]"', async function () {
      const outputs = await load({ dataModel: 'dataModel', dataModelType: 'msg', eventType: 'eventType', eventTypeType: 'msg' });
      for (const [dataModel, eventType] of [
        [{ name: 'PatientAdmin' }, 'NewPatient'],
        ['PatientAdmin', ['NewPatient']],
        [42, 'NewPatient'],
      ]) {
        const out = await sendAndWait('send', { dataModel, eventType, payload: newPatient() }, outputs);
        out.port.should.equal('err');
        out.msg.error.code.should.equal('badSetting');
      }
      ctx.emulator.received.should.have.length(0);
    });

    it('ends a message whose msg.error cannot be written without an unhandled rejection, and goes on', async function () {
      const outputs = await load();
      const msg = { payload: 'not an object' };
      Object.defineProperty(msg, 'error', { value: 'read-only', writable: false, enumerable: true });
      helper.getNode('send').receive(msg);
      await delay(200);
      helper
        .log()
        .args.some((a) => a[0].level === helper.log().ERROR)
        .should.be.true();
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
    });
  });

  describe('Meta as Redox allows it, and the source', function () {
    it('accepts Meta.Test and Meta.EventDateTime given as null, as not set', async function () {
      const outputs = await load({ test: true });
      const { port } = await sendAndWait('send', { payload: newPatient({ Meta: { Test: null, EventDateTime: null } }) }, outputs);
      port.should.equal('ok');
      const meta = ctx.emulator.received[0].body.Meta;
      meta.Test.should.be.true();
      meta.EventDateTime.should.match(/^\d{4}-\d\d-\d\dT/);
    });

    it("sends the connection's source ID as Redox-Source-Id and Meta.Source.ID, with every request that carries the token", async function () {
      await helper.load(
        NODES,
        buildFlow(ctx.url, [sendNode('send'), { id: 'token', type: 'redox-token' }], { config: { sourceId: 'src-2' } }),
        credentials(),
      );
      const outputs = collect(['send', 'token']);
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
      const [request] = ctx.emulator.received;
      request.headers['redox-source-id'].should.equal('src-2');
      request.body.Meta.Source.should.eql({ ID: 'src-2' });
      // a payload that names its source keeps it; the header still says the connection's
      (await sendAndWait('send', { payload: newPatient({ Meta: { Source: { ID: 'src-3' } } }) }, outputs)).port.should.equal('ok');
      ctx.emulator.received[1].body.Meta.Source.should.eql({ ID: 'src-3' });
      // authentication carries no bearer token, so no source header
      ctx.emulator.arrivals.filter((a) => a.kind === 'auth').should.have.length(1);
    });

    it('is refused by a key with several sources when the request names none, or a wrong one', async function () {
      const sources = [
        { ID: 'src-a', Name: 'Source A' },
        { ID: 'src-b', Name: 'Source B' },
      ];
      const emulator = new RedoxEmulator({ credentials: [{ ...DEMO_CREDENTIALS, sources }] });
      const url = await emulator.start();
      try {
        for (const [sourceId, expected] of [
          ['', 400],
          ['src-x', 400],
          ['src-b', 200],
        ]) {
          await helper.load(NODES, buildFlow(url, [sendNode('send')], { config: { sourceId } }), credentials());
          const out = await sendAndWait('send', { payload: newPatient() }, collect(['send']));
          (out.msg.statusCode ?? out.msg.error.statusCode).should.equal(expected, `source ID "${sourceId}"`);
          if (expected === 200) out.msg.payload.Meta.Source.should.eql({ ID: 'src-b', Name: 'Source B' });
          else out.msg.error.errors[0].Text.should.startWith('Source not found');
          await helper.unload();
        }
      } finally {
        await emulator.stop();
      }
    });
  });

  describe("Redox's errors", function () {
    it('sends a 400 with Meta.Errors to output 2 with the status, the body and the errors', async function () {
      const outputs = await load({ checkPayload: 'off' }); // Redox's own answer, not the node's check
      const { port, msg } = await sendAndWait('send', { payload: { NotAPatient: true } }, outputs);
      port.should.equal('err');
      msg.statusCode.should.equal(400);
      msg.payload.Meta.Errors[0].Text.should.equal('Required field missing - Patient in PatientAdmin:NewPatient');
      msg.error.code.should.equal('httpStatus');
      msg.error.statusCode.should.equal(400);
      msg.error.errors.should.have.length(1);
      msg.error.errors[0].Module.should.equal('DataModels');
      msg.error.message.should.be.a.String().and.not.be.empty();
    });

    it('sends a 200 whose Meta.Errors is not empty to output 2', async function () {
      const outputs = await load();
      ctx.emulator.injectFaults({
        status: 200,
        body: JSON.stringify({
          Meta: { DataModel: 'PatientAdmin', Errors: [{ ID: 1, Text: 'Destination unreachable', Type: 'transmission', Module: 'Send' }] },
        }),
      });
      const { port, msg } = await sendAndWait('send', { payload: newPatient() }, outputs);
      port.should.equal('err');
      msg.statusCode.should.equal(200);
      msg.error.code.should.equal('metaErrors');
      msg.error.errors[0].Text.should.equal('Destination unreachable');
    });

    it('sends a 404 for an unknown event type and a Subscriptions error to output 2', async function () {
      const outputs = await load({ eventType: 'Teleport' });
      const first = await sendAndWait('send', { payload: newPatient() }, outputs);
      first.port.should.equal('err');
      first.msg.statusCode.should.equal(404);
      const second = await sendAndWait(
        'send',
        { payload: newPatient({ Meta: { EventType: 'NewPatient', Destinations: [{ ID: 'not-subscribed' }] } }) },
        outputs,
      );
      second.port.should.equal('err');
      second.msg.statusCode.should.equal(400);
      second.msg.error.errors[0].Module.should.equal('Subscriptions');
    });

    it('sends a plain-text 500, a non-JSON 200 and a 502 to output 2 with the text Redox sent', async function () {
      const outputs = await load();
      ctx.emulator.injectFaults(
        { status: 500, body: 'Internal Server Error', contentType: 'text/plain' },
        { status: 200, body: '<html>maintenance</html>', contentType: 'text/html' },
        { status: 502, body: '', contentType: 'text/plain' },
      );
      const a = await sendAndWait('send', { payload: newPatient() }, outputs);
      a.port.should.equal('err');
      a.msg.statusCode.should.equal(500);
      a.msg.payload.should.equal('Internal Server Error');
      a.msg.error.code.should.equal('httpStatus');
      const b = await sendAndWait('send', { payload: newPatient() }, outputs);
      b.port.should.equal('err');
      b.msg.error.code.should.equal('badResponse');
      b.msg.payload.should.equal('<html>maintenance</html>');
      const c = await sendAndWait('send', { payload: newPatient() }, outputs);
      c.msg.statusCode.should.equal(502);
      // none of these is retried: Redox may have accepted them
      ctx.emulator.calls.faults.should.equal(3);
      ctx.emulator.received.should.have.length(0);
    });
  });

  describe('bad input: output 2, nothing sent', function () {
    const circular = newPatient();
    circular.self = circular;
    const cases = [
      ['a string payload', { payload: 'hello' }, {}, 'payloadNotObject'],
      ['an array payload', { payload: [1, 2] }, {}, 'payloadNotObject'],
      ['a null payload', { payload: null }, {}, 'payloadNotObject'],
      ['a Buffer payload', { payload: Buffer.from('{}') }, {}, 'payloadNotObject'],
      ['no payload', {}, {}, 'payloadNotObject'],
      ['a Meta that is a string', { payload: { Meta: 'x' } }, {}, 'metaNotObject'],
      ['no Data Model anywhere', { payload: newPatient() }, { dataModel: '' }, 'missingDataModel'],
      ['a Data Model that is a number', { payload: newPatient({ Meta: { DataModel: 7 } }) }, {}, 'missingDataModel'],
      ['no Event Type anywhere', { payload: newPatient() }, { eventType: '' }, 'missingEventType'],
      ['no destination anywhere', { payload: newPatient() }, { destinations: '[]' }, 'missingDestination'],
      ['an empty Meta.Destinations', { payload: newPatient({ Meta: { Destinations: [] } }) }, {}, 'missingDestination'],
      ['a destination without an ID', { payload: newPatient({ Meta: { Destinations: [{ Name: 'x' }] } }) }, {}, 'badDestination'],
      ['Destinations that are not an array', { payload: newPatient({ Meta: { Destinations: EMR } }) }, {}, 'badDestination'],
      [
        'a query to two destinations',
        { payload: {} },
        { dataModel: 'PatientSearch', eventType: 'Query', destinations: JSON.stringify([EMR, SCHEDULING]) },
        'queryOneDestination',
      ],
      ['a Meta.Test that is a string', { payload: newPatient({ Meta: { Test: 'yes' } }) }, {}, 'badTestFlag'],
      ['a payload that cannot be JSON', { payload: circular }, {}, 'notSerializable'],
      ['a destinations setting that is not JSON', { payload: newPatient() }, { destinations: '[not json' }, 'badSetting'],
      ['a destinations setting that is not a list of strings', { payload: newPatient() }, { destinations: '[1,2]' }, 'badSetting'],
    ];
    for (const [title, msg, settings, code] of cases) {
      it(`refuses ${title} (${code})`, async function () {
        const outputs = await load(settings);
        const out = await sendAndWait('send', msg, outputs);
        out.port.should.equal('err');
        out.msg.error.code.should.equal(code);
        out.msg.error.message.should.be.a.String().and.not.be.empty();
        should(out.msg.statusCode).be.undefined();
        if ('payload' in msg) should(out.msg.payload).equal(msg.payload); // nothing lost
        ctx.emulator.calls.authenticate.should.equal(0);
        ctx.emulator.received.should.have.length(0);
      });
    }

    it('reports a missing config node on output 2', async function () {
      const flow = buildFlow(ctx.url, [sendNode('send', { redox: '' })]);
      await helper.load(NODES, flow, {});
      const outputs = collect(['send']);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('noConfig');
    });

    it('reports missing credentials on output 2 without calling Redox', async function () {
      await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), { cfg: { apiKey: 'only-a-key' } });
      const outputs = collect(['send']);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('missingCredentials');
      ctx.emulator.calls.authenticate.should.equal(0);
    });

    it('reports a base URL that is not http(s) on output 2', async function () {
      await helper.load(NODES, buildFlow('ftp://example.org', [sendNode('send')]), credentials());
      const outputs = collect(['send']);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('badBaseUrl');
    });
  });

  describe('transport failures', function () {
    it('reports a refused connection on output 2', async function () {
      const closed = new RedoxEmulator();
      const url = await closed.start();
      await closed.stop();
      // a short back-off: with the default (1 s, doubling, jittered) the 4 attempts take up to 10.5 s
      await helper.load(NODES, buildFlow(url, [sendNode('send')], { config: { retryBackoff: 50 } }), credentials());
      const outputs = collect(['send']);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('network');
      out.msg.error.attempts.should.have.length(4); // a refused connection is retried: Redox certainly did not take it
      should(out.msg.statusCode).be.undefined();
      out.msg.payload.should.eql(newPatient()); // the message is intact, ready to be sent again
    });

    it('reports a dropped connection on output 2', async function () {
      const outputs = await load();
      await sendAndWait('send', { payload: newPatient() }, outputs); // authenticate first
      ctx.emulator.injectFaults({ drop: true });
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('network');
    });

    it('times out after msg.requestTimeout milliseconds', async function () {
      const outputs = await load();
      await sendAndWait('send', { payload: newPatient() }, outputs);
      ctx.emulator.injectFaults({ delayMs: 1500 });
      const started = Date.now();
      const out = await sendAndWait('send', { payload: newPatient(), requestTimeout: 200 }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('timeout');
      (Date.now() - started).should.be.below(1200);
    });
  });

  it('sends a payload a function node made (an object of the function sandbox, another realm)', async function () {
    const flow = buildFlow(ctx.url, [sendNode('send')]);
    flow.push({
      id: 'make',
      type: 'function',
      z: 'f1',
      x: 100,
      y: 300,
      func: `msg.payload = ${JSON.stringify(newPatient())}; return msg;`,
      outputs: 1,
      wires: [['send']],
    });
    await helper.load([...NODES, requireFromNodeRed('@node-red/nodes/core/function/10-function')], flow, credentials());
    const outputs = collect(['send']);
    helper.getNode('make').receive({ payload: 'go' });
    const [out] = (await outputs.waitFor(1)).all;
    out.port.should.equal('ok');
    ctx.emulator.received[0].body.Patient.Demographics.LastName.should.equal('Bixby');
  });

  describe('when output 2 is not wired', function () {
    it('hands the error to Catch nodes through done(err)', async function () {
      const flow = buildFlow(ctx.url, [sendNode('send')], { wireErrors: false });
      flow.push(
        { id: 'catcher', type: 'catch', z: 'f1', x: 100, y: 300, scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: 'f1', x: 300, y: 300 },
      );
      const catchNode = requireFromNodeRed('@node-red/nodes/core/common/25-catch');
      await helper.load([...NODES, catchNode], flow, credentials());
      const caught = new Promise((resolve) => helper.getNode('caught').on('input', resolve));
      helper.getNode('send').receive({ payload: 'not an object', _marker: 42 });
      const msg = await caught;
      msg._marker.should.equal(42);
      msg.error.message.should.be.a.String().and.not.be.empty();
      msg.error.source.id.should.equal('send');
    });
  });

  describe('status', function () {
    it('shows idle, authenticating, sent and a short error, coalesced, never a token', async function () {
      const statuses = [];
      const Node = requireFromNodeRed('@node-red/runtime/lib/nodes/Node');
      const original = Node.prototype.status;
      Node.prototype.status = function (status) {
        if (this.id === 'send') statuses.push(status);
        return original.apply(this, arguments);
      };
      try {
        const outputs = await load({ checkPayload: 'off' }); // the last message goes to Redox, which answers 400
        statuses[0].should.eql({ fill: 'grey', shape: 'dot', text: word('redox-config.status.idle') });
        await sendAndWait('send', { payload: newPatient() }, outputs);
        await delay(300);
        statuses.some((s) => s.fill === 'yellow' && s.text === word('redox-config.status.authenticating')).should.be.true();
        statuses[statuses.length - 1].should.eql({ fill: 'green', shape: 'dot', text: word('redox-send.status.sent') });
        for (let i = 0; i < 20; i++) await sendAndWait('send', { payload: newPatient() }, outputs);
        const afterBurst = statuses.length;
        await sendAndWait('send', { payload: { NotAPatient: true } }, outputs);
        await delay(300);
        statuses[statuses.length - 1].should.eql({ fill: 'red', shape: 'ring', text: word('redox-config.status.httpErrors') });
        afterBurst.should.be.below(20); // 21 messages, far fewer redraws
        const tokens = ctx.emulator.issuedTokens();
        for (const s of statuses) for (const t of tokens) JSON.stringify(s).should.not.containEql(t);
      } finally {
        Node.prototype.status = original;
      }
    });
  });
});
