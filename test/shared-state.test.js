'use strict';
// Shared state in Redis across Node-RED instances: three whole Node-RED processes (red.js) with
// the same connection, one emulator with its rate limit on and a short window, a real Redis. The
// instances are driven through an http in route of their own flow (a burst, or a steady stream,
// of NewPatients through redox-send) and report their tally through another.
const crypto = require('node:crypto');
require('should');
const { RedoxEmulator, DEMO_CREDENTIALS, EMR, newPatient } = require('./support');
const { startNodeRed, waitFor } = require('./node-red-process');
const { haveRedis, startRedis } = require('./redis-support');
const leakScan = require('./leak-scan');

const WINDOW_S = 2;
/** Redis asks for a password, as a production one would: the URL is a credential, and must never show. */
const REDIS_PASSWORD = `redis-pw-${crypto.randomBytes(6).toString('hex')}`;
const BUDGET = 50;

/** The flow of one instance: POST /burst {count, intervalMs} sends NewPatients; GET /tally answers the counts. */
function instanceFlow(redisUrl, { budget = BUDGET } = {}) {
  const tally = (port) => `const t = global.get('tally') || { ok: 0, err: 0, codes: {} };
t.${port}++;
${port === 'err' ? 't.codes[msg.error.code] = (t.codes[msg.error.code] || 0) + 1;' : ''}
global.set('tally', t);
return null;`;
  return [
    { id: 't1', type: 'tab', label: 'shared' },
    {
      id: 'cfg',
      type: 'redox-config',
      name: 'emulator',
      baseUrl: 'EMULATOR',
      authMethod: 'apiKey',
      rateLimit: String(budget),
      maxConcurrent: '10',
      retryBackoff: '200',
      sharedState: 'redis',
      sharedKeyPrefix: '',
      credentials: { apiKey: DEMO_CREDENTIALS.apiKey, secret: DEMO_CREDENTIALS.secret, redisUrl },
    },
    { id: 'in', z: 't1', type: 'http in', url: '/burst', method: 'post', upload: false, swaggerDoc: '', wires: [['split']] },
    {
      id: 'split',
      z: 't1',
      type: 'function',
      outputs: 2,
      func: `const { count, intervalMs = 0 } = msg.payload;
for (let i = 0; i < count; i++) {
  const one = { payload: ${JSON.stringify(newPatient())} };
  if (intervalMs) setTimeout(() => node.send([one, null]), i * intervalMs);
  else node.send([one, null]);
}
msg.payload = 'started';
return [null, msg];`,
      wires: [['send'], ['answer']],
    },
    { id: 'answer', z: 't1', type: 'http response', statusCode: '', headers: {}, wires: [] },
    {
      id: 'send',
      z: 't1',
      type: 'redox-send',
      redox: 'cfg',
      dataModel: 'PatientAdmin',
      eventType: 'NewPatient',
      destinations: JSON.stringify([EMR]),
      test: true,
      wires: [['ok'], ['err']],
    },
    { id: 'ok', z: 't1', type: 'function', func: tally('ok'), wires: [] },
    { id: 'err', z: 't1', type: 'function', func: tally('err'), wires: [] },
    { id: 'tin', z: 't1', type: 'http in', url: '/tally', method: 'get', upload: false, swaggerDoc: '', wires: [['tout']] },
    {
      id: 'tout',
      z: 't1',
      type: 'function',
      func: "msg.payload = global.get('tally') || { ok: 0, err: 0, codes: {} }; return msg;",
      wires: [['tres']],
    },
    { id: 'tres', z: 't1', type: 'http response', statusCode: '', headers: {}, wires: [] },
  ];
}

describe('shared state in Redis, across Node-RED instances', function () {
  this.timeout(120000);
  let redis;
  let emulator;
  let instances = [];

  before(function () {
    if (haveRedis()) return;
    // CI installs redis-server and insists on it; a machine without it skips these, and says so
    if (process.env.REQUIRE_REDIS === '1') throw new Error('no redis-server: apt-get install redis-server');
    console.log('    (skipped: no redis-server on this machine; apt-get install redis-server to run them)');
    this.skip();
  });

  afterEach(async function () {
    await Promise.all(instances.map((i) => i.stop()));
    instances = [];
    if (emulator) await emulator.stop();
    if (redis) await redis.stop();
  });

  async function startAll(count, options = {}) {
    redis = await startRedis({ password: REDIS_PASSWORD });
    emulator = new RedoxEmulator({ rateLimit: { limit: BUDGET, windowMs: WINDOW_S * 1000 }, tokenLifetimeMs: options.tokenLifetimeMs });
    await emulator.start();
    leakScan.registerCredentials({ cfg: { secret: DEMO_CREDENTIALS.secret, password: REDIS_PASSWORD } });
    instances = await Promise.all(
      Array.from({ length: count }, () => startNodeRed({ settings: { redoxRateWindowSeconds: WINDOW_S }, logLevel: 'info' })),
    );
    for (const [i, instance] of instances.entries()) {
      const flow = JSON.parse(
        JSON.stringify(instanceFlow(redis.url, { budget: (options.budgets ?? [])[i] }))
          .split('EMULATOR')
          .join(emulator.url),
      );
      await instance.client.deploy(flow);
      await waitFor(async () => (await fetch(`${instance.url}/tally`)).status === 200, 10000, 'the flow started');
    }
  }

  const post = (instance, body) =>
    fetch(`${instance.url}/burst`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const tallyOf = async (instance) => (await fetch(`${instance.url}/tally`)).json();

  async function allDone(expected, ms) {
    return waitFor(
      async () => {
        const tallies = await Promise.all(instances.map(tallyOf));
        return tallies.every((t, i) => t.ok + t.err === expected[i]) && tallies;
      },
      ms,
      'every message on output 1 or 2',
    );
  }

  /** Nothing of the credentials or of a token in any key or value Redis holds. */
  async function checkRedisHoldsNoSecret() {
    const dump = JSON.stringify(await redis.dump());
    dump.length.should.be.above(2);
    for (const secret of [DEMO_CREDENTIALS.apiKey, DEMO_CREDENTIALS.secret, REDIS_PASSWORD, ...emulator.issuedTokens().filter(Boolean)]) {
      dump.should.not.containEql(secret);
    }
    return dump;
  }

  it('three instances, a burst larger than the budget: no 429, one authenticate, the budget used, nothing lost', async function () {
    await startAll(3);
    const perInstance = 60;
    const started = Date.now();
    await Promise.all(instances.map((i) => post(i, { count: perInstance })));
    const tallies = await allDone([perInstance, perInstance, perInstance], 60000);
    tallies.forEach((t) => t.should.eql({ ok: perInstance, err: 0, codes: {} }));
    emulator.calls.rateLimited.should.equal(0);
    emulator.calls.authenticate.should.equal(1);
    emulator.calls.refreshToken.should.equal(0);

    // Redox's rolling window never held more than the budget, and while a backlog waited every
    // window of the test was used to at least 95% of it
    const times = emulator.arrivals.map((a) => a.at).sort((a, b) => a - b);
    times.should.have.length(3 * perInstance + 1);
    const windowMs = WINDOW_S * 1000;
    for (let i = 0; i < times.length; i++) {
      times.filter((t) => t >= times[i] && t < times[i] + windowMs).length.should.be.belowOrEqual(BUDGET);
    }
    if (process.env.DEBUG_WINDOWS) console.log(times.map((t) => t - times[0]).join(' '));
    const fullWindows = Math.floor((times[times.length - 1] - times[0]) / windowMs);
    fullWindows.should.be.aboveOrEqual(2);
    for (let k = 0; k < fullWindows; k++) {
      const from = times[0] + k * windowMs;
      times.filter((t) => t >= from && t < from + windowMs).length.should.be.aboveOrEqual(Math.ceil(0.95 * BUDGET));
    }
    (Date.now() - started).should.be.below(((3 * perInstance) / BUDGET + 2) * windowMs);

    const dump = await checkRedisHoldsNoSecret();
    dump.should.match(/"\{redox:[0-9a-f]{32}\}:token":"v1\./); // the token, sealed
  });

  it('renews a short-lived token once per lifetime for all instances, with no 401', async function () {
    await startAll(3, { tokenLifetimeMs: 3000 });
    // about 5 messages a second from each instance for 8 s: well inside the budget
    await Promise.all(instances.map((i) => post(i, { count: 40, intervalMs: 200 })));
    const tallies = await allDone([40, 40, 40], 30000);
    tallies.forEach((t) => t.should.eql({ ok: 40, err: 0, codes: {} }));
    emulator.calls.rejected401.should.equal(0);
    const renewals = emulator.calls.authenticate + emulator.calls.refreshToken;
    // 8 s of sending with tokens renewed 2.25 s into their 3 s life: 3 or 4 in all (each instance alone would make as many)
    renewals.should.be.within(2, 5);
    emulator.calls.authenticate.should.equal(1);
    await checkRedisHoldsNoSecret();
  });

  it('keeps sending while Redis is down, says so once, and shares again once Redis is back', async function () {
    await startAll(3, { tokenLifetimeMs: 3000 });
    const port = redis.port;
    await Promise.all(instances.map((i) => post(i, { count: 45, intervalMs: 200 })));
    await new Promise((r) => setTimeout(r, 2000));
    await redis.stop();
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    redis = await startRedis({ port, password: REDIS_PASSWORD });
    const restartedAt = Date.now();
    const tallies = await allDone([45, 45, 45], 60000);
    tallies.forEach((t) => t.should.eql({ ok: 45, err: 0, codes: {} }));
    emulator.calls.rejected401.should.equal(0);
    // sending went on while Redis was down
    emulator.arrivals.filter((a) => a.kind === 'data' && a.at > stoppedAt + 500 && a.at < restartedAt).length.should.be.above(20);
    for (const instance of instances) {
      const said = instance
        .output()
        .split('\n')
        .filter((line) => line.includes('Redis is unreachable'));
      said.should.have.length(1, instance.output());
      await waitFor(() => instance.output().includes('Redis answers again'), 10000, 'the rejoin');
    }
    // shared again: the window and (after the next renewal) the token are back in Redis
    await waitFor(async () => Object.keys(await redis.dump()).some((k) => k.endsWith(':token')), 10000, 'the token back in Redis');
    const dump = await redis.dump();
    Object.keys(dump)
      .some((k) => k.endsWith(':window'))
      .should.be.true();
    await checkRedisHoldsNoSecret();
  });

  it('pauses every instance when one of them gets a 429', async function () {
    await startAll(2);
    // warm up: both have the shared token before the 429
    await Promise.all(instances.map((i) => post(i, { count: 1 })));
    await allDone([1, 1], 10000);
    emulator.injectFaults({ status: 429, body: 'Too Many Requests', contentType: 'text/plain', headers: { 'Retry-After': '2' } });
    await post(instances[0], { count: 1 }); // this one meets the 429
    await waitFor(() => emulator.arrivals.some((a) => a.outcome === '429'), 5000, 'the 429');
    const rateLimitedAt = emulator.arrivals.find((a) => a.outcome === '429').at;
    await new Promise((r) => setTimeout(r, 300));
    await post(instances[1], { count: 5 }); // the other sends during the pause
    await allDone([2, 6], 20000);
    const during = emulator.arrivals.filter((a) => a.at > rateLimitedAt + 100 && a.at < rateLimitedAt + 1900);
    during.should.have.length(0);
    (await Promise.all(instances.map(tallyOf))).forEach((t) => t.err.should.equal(0));
  });

  it('uses the smallest budget of the instances, and says so', async function () {
    await startAll(2, { budgets: [BUDGET, 30] });
    await Promise.all(instances.map((i) => post(i, { count: 40 })));
    await allDone([40, 40], 60000);
    emulator.calls.rateLimited.should.equal(0);
    const times = emulator.arrivals.map((a) => a.at).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++)
      times.filter((t) => t >= times[i] && t < times[i] + WINDOW_S * 1000).length.should.be.belowOrEqual(30 + 1);
    await waitFor(() => instances[0].output().includes('smaller Request budget (30'), 5000, 'the warning');
  });
});
