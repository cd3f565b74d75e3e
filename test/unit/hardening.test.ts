import 'should';
import { RedoxConnection } from '../../nodes/lib/connection';
import { requestTimeoutOf } from '../../nodes/lib/node-red/send-settings';
import type { RedoxError } from '../../nodes/lib/shared/errors';
import { redactDeep } from '../../nodes/lib/shared/redact';

describe('unit: what the package never lets through', function () {
  it('never quotes a user name or password written into a base URL that does not parse', function () {
    for (const url of ['https://user:hunter22@exa mple.com', 'http://admin:hunter22@[bad', 'https://user:hunter22@host/path?x']) {
      let err: RedoxError | undefined;
      try {
        new RedoxConnection({
          baseUrl: url,
          userAgent: 'test',
          tokenSource: () => ({ obtain: () => Promise.reject(new Error('no')), secrets: [] }),
        });
      } catch (e) {
        err = e as RedoxError;
      }
      err!.code.should.equal('badBaseUrl');
      JSON.stringify(err!.params).should.not.containEql('hunter22');
    }
  });

  it('clamps msg.requestTimeout to the largest Request timeout, Infinity included, and ignores what is not a positive number', function () {
    requestTimeoutOf({ requestTimeout: Infinity })!.should.equal(600_000);
    requestTimeoutOf({ requestTimeout: 1e12 })!.should.equal(600_000);
    requestTimeoutOf({ requestTimeout: 1500 })!.should.equal(1500);
    for (const ignored of [0, -1, NaN, '1000', null, undefined])
      (requestTimeoutOf({ requestTimeout: ignored }) === undefined).should.be.true();
  });

  it('masks a secret in every string of a value, keys included, at any depth', function () {
    const masked = redactDeep({ a: ['x sekret y', { 'sekret-key': 'sekret' }], n: 1, t: true }, ['sekret']);
    masked.should.eql({ a: ['x *** y', { '***-key': '***' }], n: 1, t: true });
  });
});
