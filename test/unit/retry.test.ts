import 'should';
import { RedoxError } from '../../nodes/lib/shared/errors';
import { DEFAULT_RETRY, isRetryable, retryAfterMs, retryDelay, withRetries } from '../../nodes/lib/transport/retry';

const status = (statusCode: number, headers: Record<string, string> = {}) =>
  new RedoxError('httpStatus', { status: statusCode, count: 0, text: '-' }, { statusCode, headers });
const network = (reason: string) => new RedoxError('network', { host: 'redox', reason });

describe('unit: retry rules', function () {
  it('retries only what Redox certainly did not accept: 429 and a refused connection', function () {
    isRetryable(status(429), DEFAULT_RETRY).should.be.true();
    isRetryable(network('ECONNREFUSED'), DEFAULT_RETRY).should.be.true();
    for (const code of [400, 401, 404, 500, 502, 503, 504]) isRetryable(status(code), DEFAULT_RETRY).should.be.false(`status ${code}`);
    isRetryable(network('ECONNRESET'), DEFAULT_RETRY).should.be.false();
    isRetryable(new Error('not ours'), DEFAULT_RETRY).should.be.false();
  });

  it('retries 502, 503 and 504 only when asked to', function () {
    const options = { ...DEFAULT_RETRY, retryGateway: true };
    for (const code of [502, 503, 504]) isRetryable(status(code), options).should.be.true(`status ${code}`);
    isRetryable(status(500), options).should.be.false();
  });

  it('reads Retry-After as seconds or as an HTTP date', function () {
    const now = Date.parse('2026-11-30T12:00:00Z');
    retryAfterMs(status(429, { 'retry-after': '7' }), now)!.should.equal(7000);
    retryAfterMs(status(429, { 'retry-after': 'Mon, 30 Nov 2026 12:00:30 GMT' }), now)!.should.equal(30_000);
    (retryAfterMs(status(429, { 'retry-after': 'soon' }), now) === undefined).should.be.true();
    (retryAfterMs(status(429), now) === undefined).should.be.true();
  });

  it('backs off exponentially with jitter, and never waits more than a minute', function () {
    const half = () => 0.5; // jitter factor 0.5 + 0.5 = 1
    retryDelay(1, status(429), DEFAULT_RETRY, half).should.equal(1000);
    retryDelay(3, status(429), DEFAULT_RETRY, half).should.equal(4000);
    retryDelay(1, status(429), DEFAULT_RETRY, () => 0).should.equal(500);
    retryDelay(20, status(429), DEFAULT_RETRY, half).should.equal(60_000);
    retryDelay(1, status(429, { 'retry-after': '3600' }), DEFAULT_RETRY, half).should.equal(60_000);
  });

  it('stops after maxAttempts and lists what each attempt ended with', async function () {
    let attempts = 0;
    const failing = () => {
      attempts++;
      return Promise.reject(attempts < 3 ? status(429) : network('ECONNREFUSED'));
    };
    const err = await withRetries(failing, { ...DEFAULT_RETRY, maxAttempts: 3, backoffMs: 1 }).should.be.rejected();
    attempts.should.equal(3);
    (err as unknown as RedoxError).details.attempts!.should.eql(['429', '429', 'ECONNREFUSED']);
  });

  it('returns the first success, and does not retry what is not retryable', async function () {
    let calls = 0;
    (
      await withRetries(() => (++calls < 2 ? Promise.reject(status(429)) : Promise.resolve('ok')), { ...DEFAULT_RETRY, backoffMs: 1 })
    ).should.equal('ok');
    calls.should.equal(2);
    calls = 0;
    await withRetries(() => (calls++, Promise.reject(status(400))), DEFAULT_RETRY).should.be.rejectedWith({ code: 'httpStatus' });
    calls.should.equal(1);
  });
});
