import 'should';
import { defaultPrefix } from '../../nodes/lib/cluster/shared-state';
import { TokenCipher } from '../../nodes/lib/cluster/token-cipher';

describe('unit: the shared token, sealed for Redis', function () {
  const token = { accessToken: 'access-1234567890', refreshToken: 'refresh-0987654321', expiresAt: 2_000_000, obtainedAt: 1_000_000 };

  it('opens what it sealed, and the sealed text shows nothing of the token', function () {
    const cipher = new TokenCipher(['the-secret'], 'redox:abc');
    const sealed = cipher.seal(token);
    sealed.should.not.containEql('access-1234567890');
    sealed.should.not.containEql('refresh-0987654321');
    cipher.open(sealed)!.should.eql(token);
    cipher.seal(token).should.not.equal(sealed); // a new IV each time
  });

  it('opens nothing sealed with other credentials or for other keys, nor anything altered', function () {
    const sealed = new TokenCipher(['the-secret'], 'redox:abc').seal(token);
    (new TokenCipher(['another-secret'], 'redox:abc').open(sealed) === undefined).should.be.true();
    (new TokenCipher(['the-secret'], 'redox:other').open(sealed) === undefined).should.be.true();
    const [v, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data, 'base64');
    flipped[0] ^= 1;
    const cipher = new TokenCipher(['the-secret'], 'redox:abc');
    (cipher.open([v, iv, tag, flipped.toString('base64')].join('.')) === undefined).should.be.true();
    for (const junk of ['', null, undefined, 'v1.x', 'plain-token']) (cipher.open(junk) === undefined).should.be.true();
  });

  it('names the keys by a hash: no API key or URL in clear', function () {
    const prefix = defaultPrefix('https://api.redoxengine.com', 'my-api-key');
    prefix.should.match(/^redox:[0-9a-f]{32}$/);
    prefix.should.not.containEql('my-api-key');
    defaultPrefix('https://api.redoxengine.com', 'other-key').should.not.equal(prefix);
  });
});
