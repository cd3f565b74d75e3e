'use strict';
// 2,000 messages through two redox-send nodes sharing one connection, while the emulator answers
// with 429s, 500s, 502s, slow 504s, dropped connections and revoked tokens at random (seeded).
const should = require('should');
const { helper, NODES, newPatient, buildFlow, sendNode, credentials, collect, useEmulator } = require('./support');

const MESSAGES = 2000;
const SEED = 20261127;

/** A small seeded generator (mulberry32), so that a failing run can be repeated. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What ended each message, by the emulator's record: a retry is allowed only after 429 or 401. */
const RETRY_ALLOWED_AFTER = new Set(['429', '401']);
const EXPECTED = {
  200: { port: 'ok' },
  500: { port: 'err', code: 'httpStatus', statusCode: 500 },
  502: { port: 'err', code: 'httpStatus', statusCode: 502 },
  504: { port: 'err', code: 'httpStatus', statusCode: 504 },
  429: { port: 'err', code: 'httpStatus', statusCode: 429 },
  401: { port: 'err', code: 'unauthorized', statusCode: 401 },
  drop: { port: 'err', code: 'network' },
};

describe('faults: 2,000 messages under random failures', function () {
  this.timeout(120000);
  const ctx = useEmulator();

  it('gives every message exactly one output with the right cause, and never sends twice what Redox may have accepted', async function () {
    const next = random(SEED);
    const faults = { 429: 0, 500: 0, 502: 0, '504 slow': 0, drop: 0, revoked: 0 };
    ctx.emulator.faultPicker = (kind) => {
      const r = next();
      if (kind === 'auth')
        return r < 0.05 ? (faults[429]++, { status: 429, body: 'Too Many Requests', contentType: 'text/plain' }) : undefined;
      if (r < 0.06)
        return (
          faults[429]++,
          { status: 429, body: '', contentType: 'text/plain', ...(r < 0.03 ? { headers: { 'Retry-After': '0' } } : {}) }
        );
      if (r < 0.09) return (faults[500]++, { status: 500, body: 'Internal Server Error', contentType: 'text/plain' });
      if (r < 0.12) return (faults[502]++, { status: 502, body: 'Bad Gateway', contentType: 'text/html' });
      if (r < 0.14)
        return (
          faults['504 slow']++,
          { status: 504, delayMs: 20 + Math.floor(next() * 40), body: 'Gateway Timeout', contentType: 'text/plain' }
        );
      if (r < 0.16) return (faults.drop++, { drop: true });
      if (r < 0.165) {
        faults.revoked++;
        ctx.emulator.revokeAccessTokens(); // this request, and every other in flight with the old token, gets 401
      }
      return undefined;
    };

    const flow = buildFlow(ctx.url, [sendNode('a'), sendNode('b')], { config: { retryBackoff: 5, maxQueue: 5000, rateLimit: 20000 } });
    ctx.emulator.rateLimit = { limit: 20000, windowMs: 300000 };
    await helper.load(NODES, flow, credentials());
    const outputs = collect(['a', 'b']);

    const started = Date.now();
    for (let n = 0; n < MESSAGES; n++) {
      const payload = newPatient();
      payload.Patient.Identifiers[0].ID = `msg-${n}`;
      helper.getNode(n % 2 ? 'b' : 'a').receive({ payload, n });
    }
    await outputs.waitFor(MESSAGES, 100000);
    const seconds = (Date.now() - started) / 1000;

    // exactly one output per input message
    const byMessage = new Map();
    for (const out of outputs.all) {
      byMessage.has(out.msg.n).should.be.false(`message ${out.msg.n} came out twice`);
      byMessage.set(out.msg.n, out);
    }
    byMessage.size.should.equal(MESSAGES);

    // what the emulator saw of each message
    const arrivals = new Map();
    for (const a of ctx.emulator.arrivals.filter((x) => x.kind === 'data')) {
      const id = a.body && a.body.Patient && a.body.Patient.Identifiers[0].ID;
      if (!arrivals.has(id)) arrivals.set(id, []);
      arrivals.get(id).push(a.outcome);
    }

    const tally = {};
    for (let n = 0; n < MESSAGES; n++) {
      const seen = arrivals.get(`msg-${n}`) || [];
      seen.length.should.be.above(0, `msg-${n} never reached the emulator`);
      // a second arrival only after an answer that says Redox did not accept it
      seen.slice(0, -1).forEach((outcome) => RETRY_ALLOWED_AFTER.has(outcome).should.be.true(`msg-${n} was sent again after ${outcome}`));
      const last = seen[seen.length - 1];
      const expected = EXPECTED[last];
      should.exist(expected, `msg-${n} ended with ${last}`);
      const out = byMessage.get(n);
      out.port.should.equal(expected.port, `msg-${n}: ${seen.join(' → ')}`);
      if (expected.code) out.msg.error.code.should.equal(expected.code, `msg-${n}: ${seen.join(' → ')}`);
      if (expected.statusCode) out.msg.statusCode.should.equal(expected.statusCode);
      if (last === '429') out.msg.error.attempts.should.have.length(4); // gave up after the cap
      const key = `${out.port === 'ok' ? 'output 1' : `output 2 (${out.msg.error.code}${out.msg.statusCode ? ' ' + out.msg.statusCode : ''})`}`;
      tally[key] = (tally[key] || 0) + 1;
    }

    const retried = [...arrivals.values()].filter((s) => s.length > 1).length;
    console.log(`      ${MESSAGES} messages in ${seconds.toFixed(1)} s; injected ${JSON.stringify(faults)}`);
    console.log(
      `      outputs: ${JSON.stringify(tally)}; ${retried} messages retried; authenticate ${ctx.emulator.calls.authenticate}, refresh ${ctx.emulator.calls.refreshToken}`,
    );
    tally['output 1'].should.be.above(MESSAGES * 0.7);
    Object.values(faults)
      .every((count) => count > 0)
      .should.be.true();

    // Node-RED is still running: a clean message goes through
    ctx.emulator.faultPicker = undefined;
    helper.getNode('a').receive({ payload: newPatient(), n: 'after' });
    await outputs.waitFor(MESSAGES + 1);
    outputs.all[MESSAGES].port.should.equal('ok');
  });
});
