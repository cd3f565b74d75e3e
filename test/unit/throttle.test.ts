import should from 'should';
import { Throttle } from '../../nodes/lib/transport/throttle';
import { ManualClock, settle } from './clock';

/** A task that finishes when told. */
function pending(): { task: () => Promise<string>; finish: () => void; started: () => boolean } {
  let started = false;
  let finish: () => void = () => undefined;
  const done = new Promise<string>((resolve) => (finish = () => resolve('done')));
  return {
    task: () => {
      started = true;
      return done;
    },
    finish: () => finish(),
    started: () => started,
  };
}

describe('unit: Throttle', function () {
  let clock: ManualClock;

  beforeEach(function () {
    clock = new ManualClock();
  });

  it('runs at most maxConcurrent tasks at once, the next when one finishes', async function () {
    const throttle = new Throttle({ perWindow: 100, windowMs: 60_000, maxConcurrent: 2, maxQueue: 10 }, clock.now);
    const tasks = [pending(), pending(), pending()];
    const results = tasks.map((t) => throttle.run(t.task));
    tasks.map((t) => t.started()).should.eql([true, true, false]);
    throttle.queued.should.equal(1);
    tasks[0].finish();
    await settle();
    tasks[2].started().should.be.true();
    tasks[1].finish();
    tasks[2].finish();
    (await Promise.all(results)).should.eql(['done', 'done', 'done']);
    throttle.close();
  });

  it('starts nothing more once the window holds perWindow requests, counting record() too', async function () {
    const throttle = new Throttle({ perWindow: 3, windowMs: 60_000, maxConcurrent: 10, maxQueue: 10 }, clock.now);
    await throttle.run(async () => 'a');
    throttle.record(); // an authentication made on the way
    await throttle.run(async () => 'b');
    const third = pending();
    const waiting = throttle.run(third.task);
    third.started().should.be.false();
    throttle.queued.should.equal(1);
    throttle.close();
    await waiting.should.be.rejectedWith({ code: 'stopped' });
  });

  it('starts a waiting task when the oldest request leaves the rolling window', async function () {
    const throttle = new Throttle({ perWindow: 1, windowMs: 40, maxConcurrent: 10, maxQueue: 10 }); // the real clock: the window ends by timer
    await throttle.run(async () => 'first');
    const began = Date.now();
    (await throttle.run(async () => 'second')).should.equal('second');
    (Date.now() - began).should.be.aboveOrEqual(30);
    throttle.close();
  });

  it('refuses a task at once when the queue is full', async function () {
    const throttle = new Throttle({ perWindow: 100, windowMs: 60_000, maxConcurrent: 1, maxQueue: 1 }, clock.now);
    const running = pending();
    const first = throttle.run(running.task);
    const queued = throttle.run(async () => 'queued');
    await throttle.run(async () => 'refused').should.be.rejectedWith({ code: 'queueFull', params: { limit: 1 } });
    running.finish();
    (await Promise.all([first, queued])).should.eql(['done', 'queued']);
    throttle.close();
  });

  it('takes a waiting task out of the queue when its signal aborts', async function () {
    const throttle = new Throttle({ perWindow: 100, windowMs: 60_000, maxConcurrent: 1, maxQueue: 10 }, clock.now);
    const running = pending();
    void throttle.run(running.task);
    const controller = new AbortController();
    const waiting = throttle.run(async () => 'never', controller.signal);
    controller.abort();
    await waiting.should.be.rejectedWith({ code: 'stopped' });
    throttle.queued.should.equal(0);
    running.finish();
    throttle.close();
  });

  it('refuses everything once closed', async function () {
    const throttle = new Throttle({ perWindow: 100, windowMs: 60_000, maxConcurrent: 1, maxQueue: 10 }, clock.now);
    throttle.close();
    await throttle.run(async () => 'late').should.be.rejectedWith({ code: 'stopped' });
    should(throttle.queued).equal(0);
  });
});
