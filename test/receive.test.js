'use strict';
// redox-receive and redox-response in a real Node-RED runtime, called by the emulator's sender
// (Redox's side of a destination) over loopback HTTP.
const should = require('should');
const { helper, delay } = require('./support');
const { deliverFeed, deliverInOrder, sampleDelivery, sendQuery, verifyDestination } = require('../dist/emulator/emulator');
const { TOKEN, serveFlow, receiveFlow, postTo, word } = require('./receive-support');

const HEADERS = { 'verification-token': TOKEN };

describe('redox-receive: Redox calling the flow', function () {
  let served;
  afterEach(async function () {
    await helper.unload();
    if (served) await served.stop();
    served = undefined;
  });

  async function start(settings, more) {
    const { flow, credentials } = receiveFlow(settings, more);
    served = await serveFlow(flow, credentials);
    return `${served.base}/redox`;
  }

  /** Collects what reaches helper node `id`. */
  function outputsOf(id) {
    const got = [];
    helper.getNode(id).on('input', (msg) => got.push(msg));
    return got;
  }

  describe('verification handshake', function () {
    it('answers a POST and a GET verification with the challenge when the token matches', async function () {
      const url = await start();
      (await verifyDestination(url, TOKEN, 'POST')).should.match({ ok: true, status: 200 });
      (await verifyDestination(url, TOKEN, 'GET')).should.match({ ok: true, status: 200 });
      const res = await postTo(url, { 'verification-token': TOKEN, challenge: 'c-123' });
      res.should.eql({ status: 200, text: 'c-123' });
    });

    it('refuses a wrong, missing or wrong-length token with 403 and no detail, both ways', async function () {
      const url = await start();
      for (const token of ['wrong-token-of-any-size', TOKEN.slice(0, -1), `${TOKEN}x`, '', undefined]) {
        const body = { challenge: 'c-1', ...(token === undefined ? {} : { 'verification-token': token }) };
        const posted = await postTo(url, body);
        posted.status.should.equal(403);
        posted.text.should.not.containEql('c-1');
        const query = new URLSearchParams({ challenge: 'c-1', ...(token === undefined ? {} : { 'verification-token': token }) });
        const got = await fetch(`${url}?${query}`);
        got.status.should.equal(403);
        (await got.text()).should.equal('Forbidden');
      }
      (await verifyDestination(url, 'not-the-token')).ok.should.be.false();
    });
  });

  describe('deliveries', function () {
    it('emits a delivery with msg.redox, msg.topic and msg.payload, and no token anywhere in the message', async function () {
      const url = await start();
      const out = outputsOf('out');
      const message = sampleDelivery('PatientAdmin', 'Arrival');
      const result = await deliverFeed(url, [message], { token: TOKEN, backoffMs: 10 });
      result.should.eql({ verified: true, delivered: 1 });
      await waitUntil(() => out.length === 1);
      const msg = out[0];
      msg.payload.should.eql(message);
      msg.topic.should.equal('PatientAdmin/Arrival');
      msg.redox.should.eql({
        dataModel: 'PatientAdmin',
        eventType: 'Arrival',
        test: true,
        source: message.Meta.Source,
        destinations: message.Meta.Destinations,
        logId: message.Meta.Logs[0].ID,
      });
      msg.req.method.should.equal('POST');
      msg.req.headers.should.have.property('content-type', 'application/json');
      msg.req.headers.should.not.have.property('verification-token');
      msg.req.headers.should.not.have.property('authorization');
      should(msg.res).be.undefined(); // answered already ("auto")
      JSON.stringify(msg).should.not.containEql(TOKEN);
    });

    it('leaves absent Meta fields undefined', async function () {
      const url = await start();
      const out = outputsOf('out');
      (await postTo(url, { Meta: { DataModel: 'Results', EventType: 'New' } }, HEADERS)).status.should.equal(200);
      await waitUntil(() => out.length === 1);
      out[0].redox.should.eql({
        dataModel: 'Results',
        eventType: 'New',
        test: undefined,
        source: undefined,
        destinations: undefined,
        logId: undefined,
      });
    });

    it('takes the token from Authorization: Bearer as well as from verification-token', async function () {
      const url = await start();
      const out = outputsOf('out');
      (await postTo(url, sampleDelivery('Results', 'New'), { authorization: `Bearer ${TOKEN}` })).status.should.equal(200);
      (await postTo(url, sampleDelivery('Results', 'New'), HEADERS)).status.should.equal(200);
      await waitUntil(() => out.length === 2);
    });

    it('refuses a delivery with a wrong, missing or wrong-length token (403): nothing reaches the flow', async function () {
      const url = await start();
      const out = outputsOf('out');
      const message = sampleDelivery('PatientAdmin', 'Arrival');
      for (const headers of [
        {},
        { 'verification-token': 'nope' },
        { 'verification-token': `${TOKEN}0` },
        { authorization: `Bearer ${TOKEN.slice(1)}` },
        { authorization: TOKEN },
      ]) {
        const res = await postTo(url, message, headers);
        res.should.eql({ status: 403, text: 'Forbidden' });
      }
      await delay(100);
      out.should.have.length(0);
    });

    it('answers 400 with a short reason to a body that is not JSON or has no Meta.DataModel/EventType', async function () {
      const url = await start();
      const out = outputsOf('out');
      (await postTo(url, '{"Meta":', HEADERS)).should.eql({ status: 400, text: 'The body is not JSON.' });
      (await postTo(url, { Meta: { DataModel: 'PatientAdmin' } }, HEADERS)).should.eql({
        status: 400,
        text: 'Meta.DataModel and Meta.EventType are required.',
      });
      (await postTo(url, [1, 2], HEADERS)).status.should.equal(400);
      await delay(100);
      out.should.have.length(0);
    });

    it('answers "auto" deliveries at once, however long the flow takes', async function () {
      const url = await start({ wires: [['slow']] }, [{ id: 'slow', z: 'f1', type: 'helper' }]);
      const arrived = [];
      helper.getNode('slow').on('input', (msg) => arrived.push(msg));
      const started = Date.now();
      // a flow that never finishes: the answer does not wait for it
      const res = await postTo(url, sampleDelivery('PatientAdmin', 'Arrival'), HEADERS);
      res.status.should.equal(200);
      (Date.now() - started).should.be.below(1000);
      await waitUntil(() => arrived.length === 1);
    });

    it('emits 2,000 deliveries of a burst in order, none lost, and coalesces the status', async function () {
      this.timeout(60000);
      const url = await start();
      const out = outputsOf('out');
      const statuses = [];
      const node = helper.getNode('rx');
      const status = node.status.bind(node);
      node.status = (s) => {
        statuses.push(s);
        return status(s);
      };
      const messages = Array.from({ length: 2000 }, (_, i) => ({ ...sampleDelivery('PatientAdmin', 'Arrival'), Sequence: i }));
      const result = await deliverInOrder(url, messages, { token: TOKEN, backoffMs: 10 });
      result.should.eql({ delivered: 2000 });
      await waitUntil(() => out.length === 2000, 20000);
      out.map((m) => m.payload.Sequence).should.eql(messages.map((m) => m.Sequence));
      await delay(300);
      statuses.length.should.be.below(200); // a few a second, not one per delivery
      statuses[statuses.length - 1].should.match({ fill: 'green', text: word('redox-receive.status.counts') }); // the words: receive-limit.test.js
    });

    it('loses none of a burst sent all at once (200 in parallel)', async function () {
      const url = await start();
      const out = outputsOf('out');
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => postTo(url, { Meta: { DataModel: 'Results', EventType: 'New' }, N: i }, HEADERS)),
      );
      answers.every((a) => a.status === 200).should.be.true();
      await waitUntil(() => out.length === 200);
      out
        .map((m) => m.payload.N)
        .sort((a, b) => a - b)
        .should.eql([...Array(200).keys()]);
    });
  });

  describe('filters', function () {
    it('emits only the chosen data models and event types, and holds back test messages when asked; held-back ones are answered 200 and counted', async function () {
      const url = await start({ dataModels: ['PatientAdmin', 'Scheduling'], eventTypes: ['Arrival', 'New'], allowTest: false });
      const out = outputsOf('out');
      const real = (model, event) => {
        const m = sampleDelivery(model, event);
        m.Meta.Test = false;
        return m;
      };
      const messages = [
        real('PatientAdmin', 'Arrival'), // passes
        real('PatientAdmin', 'Discharge'), // wrong event type
        real('Results', 'New'), // wrong data model
        sampleDelivery('Scheduling', 'New'), // a test message
        real('Scheduling', 'New'), // passes
      ];
      const attempts = [];
      const result = await deliverInOrder(url, messages, { token: TOKEN, backoffMs: 10, onAttempt: (a) => attempts.push(a.status) });
      result.should.eql({ delivered: 5 });
      attempts.should.eql([200, 200, 200, 200, 200]);
      await waitUntil(() => out.length === 2);
      await delay(300);
      out.map((m) => m.topic).should.eql(['PatientAdmin/Arrival', 'Scheduling/New']);
    });

    it('takes the lists as comma-separated text too (a hand-written flow)', async function () {
      const url = await start({ dataModels: 'Results, Media', eventTypes: '' });
      const out = outputsOf('out');
      await deliverInOrder(url, [sampleDelivery('PatientAdmin', 'Arrival'), sampleDelivery('Media', 'New')], { token: TOKEN });
      await waitUntil(() => out.length === 1);
      await delay(100);
      out.map((m) => m.topic).should.eql(['Media/New']);
    });
  });

  describe('queries answered by the flow', function () {
    const table = [{ mrn: '0000000001', first: 'Timothy', last: 'Bixby' }];
    const answerer = {
      id: 'answer',
      z: 'f1',
      type: 'function',
      func: `const id = msg.payload.Patient.Identifiers[0].ID;
const row = ${JSON.stringify(table)}.find((r) => r.mrn === id);
msg.payload = { Meta: msg.payload.Meta, Patient: row ? { Identifiers: [{ ID: row.mrn, IDType: 'MR' }], Demographics: { FirstName: row.first, LastName: row.last } } : {} };
return msg;`,
      wires: [['respond']],
    };
    const respond = { id: 'respond', z: 'f1', type: 'redox-response', name: '' };
    const FUNCTION_NODE = () => require('./node-red-path').requireFromNodeRed('@node-red/nodes/core/function/10-function');

    async function startQuery(settings, more) {
      const { flow, credentials } = receiveFlow({ reply: 'flow', wires: [['answer', 'out']], ...settings }, more);
      served = await serveFlow(flow, credentials, [FUNCTION_NODE()]);
      return `${served.base}/redox`;
    }

    it('answers a PatientSearch Query through redox-response, with a copy of the message on a second wire', async function () {
      const url = await startQuery({}, [answerer, respond]);
      const out = outputsOf('out');
      const query = sampleDelivery('PatientSearch', 'Query');
      query.Patient = { Identifiers: [{ ID: '0000000001', IDType: 'MR' }] };
      const answer = await sendQuery(url, query, { token: TOKEN });
      answer.status.should.equal(200);
      answer.body.Patient.Demographics.should.eql({ FirstName: 'Timothy', LastName: 'Bixby' });
      answer.body.Meta.EventType.should.equal('Query');
      await waitUntil(() => out.length === 1);
      out[0].res.should.be.an.Object(); // the handle, kept by the clone for the second wire
      JSON.stringify(out[0].res).should.equal('{}'); // and nothing of the request shows through it
    });

    it('sends msg.statusCode and msg.headers', async function () {
      const setStatus = {
        ...answerer,
        func: `msg.statusCode = 202; msg.headers = { 'x-answered-by': 'flow' }; msg.payload = { ok: true }; return msg;`,
      };
      const url = await startQuery({}, [setStatus, respond]);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...HEADERS },
        body: JSON.stringify(sampleDelivery('PatientSearch', 'Query')),
      });
      res.status.should.equal(202);
      res.headers.get('x-answered-by').should.equal('flow');
      (await res.json()).should.eql({ ok: true });
    });

    it('answers 504 when no redox-response answers within the time limit, and warns', async function () {
      const url = await startQuery({ timeout: 0.5, wires: [['out']] });
      const started = Date.now();
      const answer = await sendQuery(url, sampleDelivery('PatientSearch', 'Query'), { token: TOKEN });
      answer.status.should.equal(504);
      (Date.now() - started).should.be.within(400, 3000);
      const warned = helper
        .log()
        .args.filter((a) => a[0].level === helper.log().WARN && a[0].msg === word('redox-receive.warnings.noReply'));
      warned.should.have.length(1);
    });

    it('lets the core http response node answer too', async function () {
      const httpResponse = { id: 'respond', z: 'f1', type: 'http response', name: '', statusCode: '', headers: {} };
      const { flow, credentials } = receiveFlow({ reply: 'flow', wires: [['answer']] }, [answerer, httpResponse]);
      const { requireFromNodeRed } = require('./node-red-path');
      served = await serveFlow(flow, credentials, [FUNCTION_NODE(), requireFromNodeRed('@node-red/nodes/core/network/21-httpin')]);
      const query = sampleDelivery('PatientSearch', 'Query');
      query.Patient = { Identifiers: [{ ID: 'unknown', IDType: 'MR' }] };
      const answer = await sendQuery(`${served.base}/redox`, query, { token: TOKEN });
      answer.status.should.equal(200);
      answer.body.Patient.should.eql({});
    });

    it('redox-response reports a message it cannot answer to Catch nodes, and sends nothing', async function () {
      const { flow, credentials } = receiveFlow({}, [
        { id: 'lone', z: 'f1', type: 'redox-response', name: '' },
        { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', z: 'f1', type: 'helper' },
      ]);
      const { requireFromNodeRed } = require('./node-red-path');
      served = await serveFlow(flow, credentials, [requireFromNodeRed('@node-red/nodes/core/common/25-catch')]);
      const caught = outputsOf('caught');
      helper.getNode('lone').receive({ payload: { a: 1 } });
      helper.getNode('lone').receive({ payload: { a: 1 }, res: {} });
      await waitUntil(() => caught.length === 2);
      caught.map((m) => m.error.message).should.eql([word('redox-response.errors.noRequest'), word('redox-response.errors.noRequest')]);
    });
  });

  describe("the emulator's sender, as Redox", function () {
    it('sends a refused delivery again after a back-off, and holds the next one back until it is accepted', async function () {
      const refuseFirst = {
        id: 'answer',
        z: 'f1',
        type: 'function',
        // the first attempt at the second message is refused, as a flow whose database is briefly down would
        func: `const tries = context.get('tries') || 0;
if (msg.payload.N === 1 && tries === 0) { context.set('tries', 1); msg.statusCode = 503; }
msg.payload = 'ok';
return msg;`,
        wires: [['respond']],
      };
      const { flow, credentials } = receiveFlow({ reply: 'flow', wires: [['answer', 'out']] }, [
        refuseFirst,
        { id: 'respond', z: 'f1', type: 'redox-response', name: '' },
      ]);
      const { requireFromNodeRed } = require('./node-red-path');
      served = await serveFlow(flow, credentials, [requireFromNodeRed('@node-red/nodes/core/function/10-function')]);
      const out = outputsOf('out');
      const attempts = [];
      const messages = [0, 1, 2].map((N) => ({ ...sampleDelivery('Results', 'New'), N }));
      const result = await deliverFeed(`${served.base}/redox`, messages, {
        token: TOKEN,
        backoffMs: 50,
        onAttempt: (a) => attempts.push(a),
      });
      result.should.eql({ verified: true, delivered: 3 });
      attempts
        .map((a) => [a.index, a.attempt, a.status])
        .should.eql([
          [0, 1, 200],
          [1, 1, 503],
          [1, 2, 200],
          [2, 1, 200],
        ]);
      out.map((m) => m.payload.N).should.eql([0, 1, 1, 2]); // at least once, in order
    });

    it('stops the feed after the last attempt and says where', async function () {
      const url = await start();
      const attempts = [];
      const result = await deliverInOrder(url, [sampleDelivery('Results', 'New'), sampleDelivery('Results', 'New')], {
        token: 'not-the-token',
        attempts: 3,
        backoffMs: 10,
        onAttempt: (a) => attempts.push(a.status),
      });
      result.should.eql({ delivered: 0, stoppedAt: { index: 0, status: 403, error: undefined, attempts: 3 } });
      attempts.should.eql([403, 403, 403]);
    });
  });

  describe('configuration', function () {
    it('reports two redox-receive nodes on one URL at deploy; the first keeps it', async function () {
      const { flow, credentials } = receiveFlow({}, [
        { id: 'rx2', z: 'f1', type: 'redox-receive', name: 'second', url: '/Redox/', reply: 'auto', wires: [['out2']] },
        { id: 'out2', z: 'f1', type: 'helper' },
      ]);
      served = await serveFlow(flow, { ...credentials, rx2: { verificationToken: 'another-token' } });
      const errors = helper
        .log()
        .args.filter((a) => a[0].level === helper.log().ERROR && a[0].msg === word('redox-receive.errors.duplicateUrl'));
      errors.should.have.length(1);
      const out = outputsOf('out');
      (await postTo(`${served.base}/redox`, sampleDelivery('Results', 'New'), HEADERS)).status.should.equal(200);
      (
        await postTo(`${served.base}/redox`, sampleDelivery('Results', 'New'), { 'verification-token': 'another-token' })
      ).status.should.equal(403);
      await waitUntil(() => out.length === 1);
    });

    it('refuses every request (403) when no verification token is set, and says so at deploy', async function () {
      const { flow } = receiveFlow();
      served = await serveFlow(flow, {});
      helper
        .log()
        .args.some((a) => a[0].level === helper.log().ERROR && a[0].msg === word('redox-receive.errors.noToken'))
        .should.be.true();
      (await postTo(`${served.base}/redox`, { challenge: 'x', 'verification-token': '' })).status.should.equal(403);
      (await postTo(`${served.base}/redox`, sampleDelivery('Results', 'New'), { 'verification-token': '' })).status.should.equal(403);
    });

    it('takes its route down on redeploy: the URL answers 404 once the node is gone, and again when it is back', async function () {
      const url = await start();
      (await postTo(url, sampleDelivery('Results', 'New'), HEADERS)).status.should.equal(200);
      await helper.setFlows([{ id: 'f1', type: 'tab', label: 'receive' }], 'full');
      (await postTo(url, sampleDelivery('Results', 'New'), HEADERS)).status.should.equal(404);
      const { flow, credentials } = receiveFlow();
      await helper.setFlows(flow, 'full', credentials);
      (await postTo(url, sampleDelivery('Results', 'New'), HEADERS)).status.should.equal(200);
    });

    it('applies RED.settings.httpNodeMiddleware to its routes, as core http in does', async function () {
      const seen = [];
      helper.settings({
        httpNodeMiddleware: (req, res, next) => {
          seen.push(req.method);
          if (req.headers['x-block']) res.sendStatus(418);
          else next();
        },
      });
      try {
        const url = await start();
        (await postTo(url, sampleDelivery('Results', 'New'), HEADERS)).status.should.equal(200);
        (await postTo(url, sampleDelivery('Results', 'New'), { ...HEADERS, 'x-block': '1' })).status.should.equal(418);
        seen.should.eql(['POST', 'POST']);
      } finally {
        helper.settings({});
      }
    });
  });
});

async function waitUntil(check, ms = 5000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await delay(10);
  }
}
