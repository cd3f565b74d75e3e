'use strict';
// Retries, throttling, timeouts, redeploys and transport rules, through real nodes and the emulator.
const http = require('node:http');
const net = require('node:net');
const should = require('should');
const {
  helper,
  NODES,
  RedoxEmulator,
  newPatient,
  buildFlow,
  sendNode,
  credentials,
  collect,
  sendAndWait,
  trackMessages,
  delay,
  useEmulator,
  word,
  startTlsEmulator,
  TLS_CONFIG_NODE,
} = require('./support');
const { freePort } = require('./node-red-process');
const { Throttle } = require('../dist/nodes/lib/transport/throttle');

/** A flow whose config node has these reliability settings. */
function flowWith(url, configSettings, nodes = [sendNode('send')]) {
  return buildFlow(url, nodes, { config: configSettings });
}

describe('reliability', function () {
  const ctx = useEmulator();

  async function load(configSettings, nodes) {
    await helper.load(NODES, flowWith(ctx.url, configSettings, nodes), credentials());
    return collect((nodes || [sendNode('send')]).map((n) => n.id));
  }

  describe('retries', function () {
    it('retries a 429 after Retry-After and delivers the message once', async function () {
      const outputs = await load({ retryBackoff: 5000 }); // a long back-off, so that only Retry-After can explain a quick retry
      ctx.emulator.injectFaults({ status: 429, body: 'Too Many Requests', contentType: 'text/plain', headers: { 'Retry-After': '0.2' } });
      const started = Date.now();
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('ok');
      (Date.now() - started).should.be.within(190, 2000);
      ctx.emulator.arrivals
        .filter((a) => a.kind === 'data')
        .map((a) => a.outcome)
        .should.eql(['429', '200']);
      ctx.emulator.received.should.have.length(1);
    });

    it('backs off exponentially without Retry-After, and reports every attempt when it gives up', async function () {
      const outputs = await load({ maxAttempts: 3, retryBackoff: 20 });
      const tooMany = { status: 429, body: '', contentType: 'text/plain' };
      ctx.emulator.injectFaults(tooMany, tooMany, tooMany);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.statusCode.should.equal(429);
      out.msg.error.code.should.equal('rateLimited'); // 429s to the end of its retry rules
      out.msg.error.attempts.should.eql(['429', '429', '429']);
      out.msg.error.message.should.equal(word('redox-config.errors.afterAttempts'));
      ctx.emulator.calls.faults.should.equal(3);
    });

    it('pauses the whole connection on a burst of 429s and resumes by itself, with nothing lost', async function () {
      ctx.emulator.rateLimit = { limit: 5, windowMs: 1000 }; // Redox's budget, shrunk: 5 requests a second
      const statuses = [];
      const outputs = await load({ maxAttempts: 20, retryWindow: 60, retryBackoff: 200, rateLimit: 1000 });
      helper.getNode('send').on('call:status', (call) => statuses.push(call.args[0]));
      const started = Date.now();
      for (let n = 0; n < 20; n++) helper.getNode('send').receive({ payload: newPatient(), n });
      await outputs.waitFor(20, 30000);
      outputs.send.ok.length.should.equal(20); // nothing lost
      const tooMany = ctx.emulator.calls.rateLimited;
      tooMany.should.be.above(0);
      statuses.some((s) => s.text === word('redox-config.status.paused')).should.be.true();
      console.log(`      20 messages through a 5-per-second budget: ${tooMany} 429s, ${Date.now() - started} ms`);
    });

    it('retries a refused connection until Redox listens again', async function () {
      const port = await freePort();
      const outputs = await (async () => {
        await helper.load(NODES, flowWith(`http://127.0.0.1:${port}`, { maxAttempts: 6, retryBackoff: 100 }), credentials());
        return collect(['send']);
      })();
      const late = new RedoxEmulator();
      setTimeout(() => late.start(port), 250);
      try {
        const out = await sendAndWait('send', { payload: newPatient() }, outputs);
        out.port.should.equal('ok');
        late.received.should.have.length(1);
      } finally {
        await late.stop();
      }
    });

    it('does not retry 500, 502, 503, 504 or a dropped connection by default: Redox may have accepted them', async function () {
      const outputs = await load({ retryBackoff: 10 });
      for (const fault of [{ status: 500 }, { status: 502 }, { status: 503 }, { status: 504, delayMs: 50 }, { drop: true }]) {
        ctx.emulator.injectFaults(fault);
        const out = await sendAndWait('send', { payload: newPatient() }, outputs);
        out.port.should.equal('err');
        should(out.msg.error.attempts).be.undefined();
      }
      ctx.emulator.arrivals
        .filter((a) => a.kind === 'data')
        .map((a) => a.outcome)
        .should.eql(['500', '502', '503', '504', 'drop']);
    });

    it('retries 502, 503 and 504 when the connection allows it', async function () {
      const outputs = await load({ retryGateway: true, retryBackoff: 10 });
      ctx.emulator.injectFaults({ status: 502 }, { status: 503 }, { status: 504 });
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('ok');
      ctx.emulator.arrivals
        .filter((a) => a.kind === 'data')
        .map((a) => a.outcome)
        .should.eql(['502', '503', '504', '200']);
    });

    it("counts a message's retry window from its first attempt, not from its arrival in the queue", async function () {
      const outputs = await load({ maxConcurrent: 1, retryWindow: 0.5, retryBackoff: 10 });
      await sendAndWait('send', { payload: newPatient() }, outputs); // the token first
      ctx.emulator.injectFaults({ delayMs: 800 }, { status: 429, body: '', contentType: 'text/plain' });
      helper.getNode('send').receive({ payload: newPatient(), n: 'slow' });
      helper.getNode('send').receive({ payload: newPatient(), n: 'queued' }); // waits 0.8 s, longer than its retry window
      await outputs.waitFor(3);
      outputs.send.ok.map((m) => m.n).should.eql([undefined, 'slow', 'queued']); // its 429 was retried
    });

    it('stops retrying when the retry window is over', async function () {
      const outputs = await load({ maxAttempts: 10, retryWindow: 0.3, retryBackoff: 10 });
      const slow = { status: 429, headers: { 'Retry-After': '0.2' } };
      ctx.emulator.injectFaults(slow, slow, slow, slow);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.attempts.should.eql(['429', '429']); // a third try would start after 0.4 s
    });
  });

  describe('throttling', function () {
    it('refuses at once what cannot be queued, and sends the rest', async function () {
      const outputs = await load({ maxConcurrent: 2, maxQueue: 3 });
      await sendAndWait('send', { payload: newPatient() }, outputs); // authenticate first
      for (let i = 0; i < 5; i++) ctx.emulator.injectFaults({ delayMs: 300 });
      for (let i = 0; i < 10; i++) helper.getNode('send').receive({ payload: newPatient(), n: i });
      await delay(100);
      outputs.send.err.map((m) => m.error.code).should.eql(['queueFull', 'queueFull', 'queueFull', 'queueFull', 'queueFull']);
      outputs.send.err.map((m) => m.n).should.eql([5, 6, 7, 8, 9]);
      await outputs.waitFor(11);
      outputs.send.ok
        .map((m) => m.n)
        .slice(1)
        .should.eql([0, 1, 2, 3, 4]);
      ctx.emulator.received.should.have.length(6);
    });

    it('keeps to the request budget: what is over it waits, and a redeploy completes it on output 2', async function () {
      const outputs = await load({ rateLimit: 3 });
      const tracked = trackMessages();
      try {
        for (let i = 0; i < 5; i++) helper.getNode('send').receive({ payload: newPatient(), n: i });
        await delay(300);
        // three messages started; the first one's authentication is counted too, so the next ones wait
        ctx.emulator.arrivals.map((a) => a.path).should.eql(['/auth/authenticate', '/endpoint', '/endpoint', '/endpoint']);
        outputs.send.ok.should.have.length(3);
        outputs.send.err.should.have.length(0);
        const started = Date.now();
        await helper.setFlows(flowWith(ctx.url, { rateLimit: 3 }), 'full', credentials());
        (Date.now() - started).should.be.below(2000);
        const stopped = tracked.sent.filter((s) => s.id === 'send' && s.port === 1);
        stopped
          .map((s) => s.msg.n)
          .sort()
          .should.eql([3, 4]);
        stopped.every((s) => s.msg.error.code === 'stopped').should.be.true();
        tracked.completed
          .filter((c) => c.id === 'send')
          .map((c) => c.msg.n)
          .sort()
          .should.eql([0, 1, 2, 3, 4]);
      } finally {
        tracked.stop();
      }
    });

    it('counts starts in a rolling window, not fixed intervals (unit)', async function () {
      const throttle = new Throttle({ perWindow: 3, windowMs: 200, maxConcurrent: 10, maxQueue: 10 });
      const starts = [];
      const task = () => {
        starts.push(Date.now());
        return Promise.resolve();
      };
      const begun = Date.now();
      await Promise.all(Array.from({ length: 7 }, () => throttle.run(task)));
      const offsets = starts.map((t) => t - begun);
      offsets
        .slice(0, 3)
        .every((t) => t < 50)
        .should.be.true();
      offsets
        .slice(3, 6)
        .every((t) => t >= 199 && t < 300)
        .should.be.true();
      offsets[6].should.be.aboveOrEqual(399);
      // no rolling 200 ms window ever holds more than 3 starts
      for (const t of starts) starts.filter((u) => u >= t && u < t + 200).length.should.be.belowOrEqual(3);
      throttle.close();
    });
  });

  describe('a backlog larger than the budget', function () {
    afterEach(() => helper.settings({}));

    it("drains at the budget's pace with no 429, every message answered (a short window: redoxRateWindowSeconds)", async function () {
      this.timeout(30000);
      const WINDOW_S = 2;
      const BUDGET = 40;
      const MESSAGES = 4 * BUDGET - 1; // with the one authentication, four windows' worth of requests
      helper.settings({ redoxRateWindowSeconds: WINDOW_S });
      ctx.emulator.rateLimit = { limit: BUDGET, windowMs: WINDOW_S * 1000 }; // Redox's limit, shrunk
      const statuses = [];
      const outputs = await load({ rateLimit: BUDGET }); // the queue field left empty: the default holds the backlog
      helper.getNode('send').on('call:status', (call) => statuses.push(call.args[0]));
      const started = Date.now();
      for (let n = 0; n < MESSAGES; n++) helper.getNode('send').receive({ payload: newPatient(), n });
      await outputs.waitFor(MESSAGES, 25000);
      const seconds = (Date.now() - started) / 1000;
      outputs.send.err.map((m) => m.error.message).should.eql([]);
      outputs.send.ok.length.should.equal(MESSAGES);
      ctx.emulator.calls.rateLimited.should.equal(0);
      // the requests (and the one authentication) fill whole windows: the first at once, then one per window
      const requests = MESSAGES + 1;
      const windowsUsed = Math.ceil(seconds / WINDOW_S);
      const use = requests / (windowsUsed * BUDGET);
      use.should.be.aboveOrEqual(0.95);
      statuses.some((s) => /sendingQueued/.test(s.text)).should.be.true(); // the status said how many wait
      console.log(
        `      ${MESSAGES} messages, budget ${BUDGET} per ${WINDOW_S} s: ${seconds.toFixed(1)} s, budget use ${(use * 100).toFixed(0)}%, no 429`,
      );
    });
  });

  describe('timeouts', function () {
    it("uses the connection's request timeout", async function () {
      const outputs = await load({ requestTimeout: 0.3 });
      await sendAndWait('send', { payload: newPatient() }, outputs);
      ctx.emulator.injectFaults({ delayMs: 1000 });
      const started = Date.now();
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.error.code.should.equal('timeout');
      (Date.now() - started).should.be.within(250, 900);
    });

    it('gives up connecting after the connect timeout (a server that never finishes TLS)', async function () {
      const sockets = new Set();
      const silent = net.createServer((socket) => sockets.add(socket)); // accepts TCP, never answers the TLS handshake
      await new Promise((r) => silent.listen(0, '127.0.0.1', r));
      try {
        await helper.load(NODES, flowWith(`https://127.0.0.1:${silent.address().port}`, { connectTimeout: 0.3 }), credentials());
        const outputs = collect(['send']);
        const started = Date.now();
        const out = await sendAndWait('send', { payload: newPatient() }, outputs);
        out.msg.error.code.should.equal('network');
        (Date.now() - started).should.be.below(2000);
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    });
  });

  describe('redeploys', function () {
    it('keeps the token over a redeploy with the same settings, and discards it when a credential changes', async function () {
      let outputs = await load({});
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
      await helper.setFlows(flowWith(ctx.url, {}), 'full', credentials());
      outputs = collect(['send']);
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
      ctx.emulator.calls.authenticate.should.equal(1);

      await helper.setFlows(flowWith(ctx.url, {}), 'full', credentials(undefined, 'a-different-secret'));
      outputs = collect(['send']);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('authRefused');
      ctx.emulator.calls.authenticate.should.equal(2);
    });

    it('completes an in-flight message on output 2 when the flow is redeployed, quickly', async function () {
      const outputs = await load({});
      await sendAndWait('send', { payload: newPatient() }, outputs);
      const tracked = trackMessages();
      try {
        ctx.emulator.injectFaults({ delayMs: 10000 });
        helper.getNode('send').receive({ payload: newPatient(), n: 'slow' });
        await delay(100);
        const started = Date.now();
        await helper.setFlows(flowWith(ctx.url, {}), 'full', credentials());
        (Date.now() - started).should.be.below(2000);
        const [stopped] = tracked.sent.filter((s) => s.id === 'send' && s.port === 1);
        stopped.msg.n.should.equal('slow');
        stopped.msg.error.code.should.equal('stopped');
        tracked.completed
          .filter((c) => c.id === 'send')
          .map((c) => c.msg.n)
          .should.eql(['slow']);
      } finally {
        tracked.stop();
      }
    });
  });

  describe('transport', function () {
    it("stops reading an answer larger than the connection's Largest answer, and goes on", async function () {
      const outputs = await load({ maxResponseSize: 1 }); // MB
      ctx.emulator.injectFaults({ status: 200, body: JSON.stringify({ Meta: {}, Filler: 'x'.repeat(3 * 1024 * 1024) }) });
      const big = await sendAndWait('send', { payload: newPatient() }, outputs);
      big.port.should.equal('err');
      big.msg.error.code.should.equal('responseTooLarge');
      big.msg.error.message.should.equal(word('redox-config.errors.responseTooLarge'));
      JSON.stringify(big.msg).length.should.be.below(100000); // none of the answer was kept
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
    });

    it('refuses an http:// base URL that is not this machine, before sending anything', async function () {
      await helper.load(NODES, flowWith('http://redox.example.org', {}), credentials());
      const outputs = collect(['send']);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.error.code.should.equal('insecureBaseUrl');
    });

    it('talks https through a tls-config node that trusts a private CA, and refuses the certificate without it', async function () {
      const { emulator: secure, url, tlsNode, tlsCredentials } = await startTlsEmulator();
      url.should.startWith('https://');
      try {
        const flow = flowWith(url, { tls: 'tls1' });
        flow.push(tlsNode('tls1'));
        await helper.load([...NODES, TLS_CONFIG_NODE], flow, { ...credentials(), tls1: tlsCredentials });
        let outputs = collect(['send']);
        (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');

        await helper.setFlows(flowWith(url, {}), 'full', credentials());
        outputs = collect(['send']);
        const refused = await sendAndWait('send', { payload: newPatient() }, outputs);
        refused.port.should.equal('err');
        refused.msg.error.code.should.equal('network');
      } finally {
        await secure.stop();
      }
    });

    it('follows http_proxy and no_proxy, like the core http request node', async function () {
      // A tunnelling proxy, as hpagent (and so Node-RED's http request node) expects: CONNECT host:port.
      const proxied = [];
      const tunnels = new Set();
      const proxy = http.createServer((req, res) => res.writeHead(405).end());
      proxy.on('connect', (req, client, head) => {
        proxied.push(req.url);
        const [host, port] = req.url.split(':');
        const upstream = net.connect(Number(port), host, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        for (const socket of [client, upstream]) {
          tunnels.add(socket);
          socket.on('error', () => {});
        }
      });
      await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
      const saved = { http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
      try {
        process.env.http_proxy = `http://127.0.0.1:${proxy.address().port}`;
        delete process.env.no_proxy;
        let outputs = await load({});
        const first = await sendAndWait('send', { payload: newPatient() }, outputs);
        should(first.msg.error).be.undefined();
        proxied.should.eql([ctx.url.replace('http://', '')]); // one kept-alive tunnel for both requests

        process.env.no_proxy = '127.0.0.1';
        await helper.setFlows(flowWith(ctx.url, { rateLimit: 100 }), 'full', credentials());
        outputs = collect(['send']);
        (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
        proxied.should.have.length(1); // direct this time
      } finally {
        for (const [k, v] of Object.entries(saved))
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        for (const socket of tunnels) socket.destroy();
        proxy.close();
      }
    });
  });
});
