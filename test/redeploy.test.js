'use strict';
// 100 full redeploys while messages are in flight: no close timeout, no leaked timer or socket,
// every message completed once, one authenticate in all (the credentials never change).
require('should');
const { helper, NODES, newPatient, buildFlow, sendNode, credentials, trackMessages, delay, useEmulator } = require('./support');

const REDEPLOYS = 100;

/** Handles that stay open: sockets, servers and timers, by kind. */
function activeHandles() {
  const counts = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] || 0) + 1;
  return counts;
}

describe('redeploys under load', function () {
  this.timeout(120000);
  const ctx = useEmulator();

  it(`survives ${REDEPLOYS} redeploys with messages in flight`, async function () {
    let slow = 0;
    ctx.emulator.faultPicker = (kind) => (kind === 'data' && slow++ % 3 === 0 ? { delayMs: 5 + (slow % 40) } : undefined);
    const flow = buildFlow(ctx.url, [sendNode('a'), sendNode('b')]);
    await helper.load(NODES, flow, credentials());
    // the first token, before the storm: the test is about keeping it, not about an authentication cut short
    const first = new Promise((resolve) => helper.getNode('a-ok').once('input', resolve));
    helper.getNode('a').receive({ payload: newPatient(), n: 'warm-up' });
    await first;
    const tracked = trackMessages();
    const baseline = activeHandles();
    const injected = new Set();
    let longestDeploy = 0;
    try {
      let n = 0;
      for (let round = 0; round < REDEPLOYS; round++) {
        for (let i = 0; i < 10; i++, n++) {
          injected.add(n);
          helper.getNode(n % 2 ? 'b' : 'a').receive({ payload: newPatient(), n });
        }
        await delay(2 + (round % 4) * 8); // some finish, some are still in flight or queued
        const started = Date.now();
        await helper.setFlows(flow, 'full', credentials());
        longestDeploy = Math.max(longestDeploy, Date.now() - started);
      }
      await delay(200);
      const completed = tracked.completed.filter((c) => c.id === 'a' || c.id === 'b');
      const count = new Map();
      for (const c of completed) count.set(c.msg.n, (count.get(c.msg.n) || 0) + 1);
      const lost = [...injected].filter((k) => !count.has(k));
      const twice = [...count.entries()].filter(([, v]) => v > 1);
      lost.should.eql([], 'messages never completed');
      twice.should.eql([], 'messages completed twice');
      const sent = tracked.sent.filter((s) => s.id === 'a' || s.id === 'b');
      const stopped = sent.filter((s) => s.port === 1 && s.msg.error.code === 'stopped').length;
      const delivered = sent.filter((s) => s.port === 0).length;
      (stopped + delivered).should.equal(injected.size);
      sent.filter((s) => s.port === 1 && s.msg.error.code !== 'stopped').should.eql([]);
      console.log(
        `      ${injected.size} messages over ${REDEPLOYS} redeploys: ${delivered} answered, ${stopped} stopped by redeploy; longest redeploy ${longestDeploy} ms`,
      );
      longestDeploy.should.be.below(5000); // Node-RED gives up on a node after 15 s
      ctx.emulator.calls.authenticate.should.equal(1);
      ctx.emulator.calls.refreshToken.should.equal(0);
      stopped.should.be.above(0); // the test did catch messages in flight
    } finally {
      tracked.stop();
    }

    // after the last flow stops, nothing of ours is left open
    await helper.unload();
    await delay(100);
    const after = activeHandles();
    for (const kind of ['TCPSocketWrap', 'Timeout'])
      (after[kind] || 0).should.be.belowOrEqual(baseline[kind] || 0, `${kind}: ${JSON.stringify({ baseline, after })}`);
  });
});

describe('a redeploy while the connection authenticates', function () {
  const ctx = useEmulator();

  it('does not wait for the token: the messages end on output 2 (stopped) before the nodes report closed', async function () {
    ctx.emulator.injectFaults({ on: 'auth', delayMs: 3000 }); // a slow authentication
    // a changed send node (its name) is replaced by the deploy; the connection stays
    const flow = buildFlow(ctx.url, [sendNode('a')]);
    await helper.load(NODES, flow, credentials());
    const tracked = trackMessages();
    try {
      for (let n = 0; n < 3; n++) helper.getNode('a').receive({ payload: newPatient(), n });
      await delay(200); // they wait for the token
      const started = Date.now();
      await helper.setFlows(buildFlow(ctx.url, [sendNode('a', { name: 'renamed' })]), 'nodes', credentials());
      const took = Date.now() - started;
      took.should.be.below(1000); // before: the wait for the token held the deploy for the whole authentication
      const ended = tracked.sent.filter((s) => s.id === 'a');
      ended.map((s) => s.msg.error.code).should.eql(['stopped', 'stopped', 'stopped']);
    } finally {
      tracked.stop();
    }
  });
});
