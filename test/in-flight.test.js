'use strict';
// The in-flight register behind the HTTP client's request timeout and redeploy cancellation: one
// timer for all deadlines and one listener per node signal. Real timers, short deadlines.
require('should');
const { InFlightRequests } = require('../dist/nodes/lib/transport/in-flight');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stand-in for got's stream request that records when it was stopped. */
function request() {
  return {
    cancelled: 0,
    destroy() {
      this.cancelled++;
    },
  };
}

describe('in-flight requests', function () {
  let register;
  afterEach(() => register?.cancelAll());

  it('cancels each request at its own deadline, the earlier first, and says it timed out', async function () {
    register = new InFlightRequests();
    const slow = request();
    const fast = request();
    const slowTrack = register.add(slow, 120);
    const fastTrack = register.add(fast, 30);
    await sleep(70);
    fast.cancelled.should.equal(1);
    fastTrack.timedOut.should.be.true();
    slow.cancelled.should.equal(0);
    slowTrack.timedOut.should.be.false();
    await sleep(90);
    slow.cancelled.should.equal(1);
    slowTrack.timedOut.should.be.true();
  });

  it('leaves a request that finished before its deadline alone', async function () {
    register = new InFlightRequests();
    const done = request();
    const track = register.add(done, 20);
    register.delete(done);
    await sleep(50);
    done.cancelled.should.equal(0);
    track.timedOut.should.be.false();
  });

  it('cancels only the requests of the signal that fired, with one listener per signal', async function () {
    register = new InFlightRequests();
    const nodeA = new AbortController();
    const nodeB = new AbortController();
    let listeners = 0;
    const add = nodeA.signal.addEventListener.bind(nodeA.signal);
    nodeA.signal.addEventListener = (...args) => {
      listeners++;
      return add(...args);
    };
    const a1 = request();
    const a2 = request();
    const b1 = request();
    register.add(a1, 10_000, nodeA.signal);
    register.add(a2, 10_000, nodeA.signal);
    register.add(b1, 10_000, nodeB.signal);
    listeners.should.equal(1);
    nodeA.abort();
    a1.cancelled.should.equal(1);
    a2.cancelled.should.equal(1);
    b1.cancelled.should.equal(0);
  });

  it('cancels everything and stops its timer on cancelAll', async function () {
    register = new InFlightRequests();
    const r1 = request();
    const r2 = request();
    const t1 = register.add(r1, 30);
    register.add(r2, 10_000);
    register.cancelAll();
    r1.cancelled.should.equal(1);
    r2.cancelled.should.equal(1);
    await sleep(60);
    r1.cancelled.should.equal(1); // the deadline timer was stopped: not cancelled a second time
    t1.timedOut.should.be.false();
  });

  it('waits in steps for a deadline longer than a timer can hold', function () {
    let now = 0;
    register = new InFlightRequests(() => now);
    const r = request();
    register.add(r, 2 ** 40);
    // The first wake-up finds nothing due and sleeps again; nothing is cancelled early.
    now = 2 ** 31;
    register.expire();
    r.cancelled.should.equal(0);
    now = 2 ** 40;
    register.expire();
    r.cancelled.should.equal(1);
  });
});
