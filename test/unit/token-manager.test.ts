import should from 'should';
import { TokenManager } from '../../nodes/lib/auth/token-manager';
import type { IssuedToken, TokenSource } from '../../nodes/lib/auth/token-source';
import { RedoxError } from '../../nodes/lib/shared/errors';
import { ManualClock, settle } from './clock';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A token source that counts its calls and answers as told. */
class FakeSource implements TokenSource {
  readonly secrets = ['the-secret'];
  obtained = 0;
  renewed: IssuedToken[] = [];
  renewal: 'ok' | 'refused' | 'fails' = 'ok';
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  constructor(
    private readonly clock: ManualClock,
    private readonly lifetimeMs = DAY_MS,
  ) {}

  /** Holds every answer until release(), so that callers pile up. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  async obtain(): Promise<IssuedToken> {
    this.obtained++;
    await this.gate;
    return this.token(`access-${this.obtained}`);
  }

  async renew(previous: IssuedToken): Promise<IssuedToken> {
    this.renewed.push(previous);
    await this.gate;
    if (this.renewal === 'refused') throw new RedoxError('authRefused', { status: 401, reason: 'Invalid request' });
    if (this.renewal === 'fails') throw new RedoxError('authFailed', { status: 500, reason: '-' });
    return this.token(`renewed-${this.renewed.length}`);
  }

  private token(accessToken: string): IssuedToken {
    const now = this.clock.now();
    return { accessToken, refreshToken: `refresh-of-${accessToken}`, obtainedAt: now, expiresAt: now + this.lifetimeMs };
  }
}

describe('unit: TokenManager', function () {
  let clock: ManualClock;
  let source: FakeSource;
  let manager: TokenManager;

  beforeEach(function () {
    clock = new ManualClock();
    source = new FakeSource(clock);
    manager = new TokenManager(source, { now: clock.now });
  });
  afterEach(function () {
    manager.close();
  });

  it('makes one authentication for every caller that waits at once', async function () {
    source.hold();
    const waiting = Array.from({ length: 50 }, () => manager.getToken());
    source.release();
    const tokens = await Promise.all(waiting);
    source.obtained.should.equal(1);
    new Set(tokens.map((t) => t.accessToken)).should.eql(new Set(['access-1']));
  });

  it('hands out the held token without waiting while it is valid', async function () {
    const first = await manager.getToken();
    clock.advance(DAY_MS / 2);
    should(manager.ready()).equal(first);
    source.obtained.should.equal(1);
  });

  it('renews with the refresh token once a token is due (5 minutes before a day-long token expires)', async function () {
    const first = await manager.getToken();
    clock.advance(DAY_MS - 6 * 60 * 1000);
    should(manager.ready()).equal(first); // not due yet
    source.renewed.should.have.length(0);
    clock.advance(2 * 60 * 1000); // 4 minutes left: due
    should(manager.ready()).equal(first); // still valid, renewed in the background
    await settle();
    source.renewed.should.eql([first]);
    manager.ready()!.accessToken.should.equal('renewed-1');
  });

  it('authenticates again when the renewal is refused', async function () {
    const first = await manager.getToken();
    manager.invalidate(first.accessToken);
    source.renewal = 'refused';
    const next = await manager.getToken();
    source.renewed.should.eql([first]);
    next.accessToken.should.equal('access-2');
  });

  it('reports a renewal that failed for another reason to its caller', async function () {
    const first = await manager.getToken();
    manager.invalidate(first.accessToken);
    source.renewal = 'fails';
    await manager.getToken().should.be.rejectedWith({ code: 'authFailed' });
    source.obtained.should.equal(1);
  });

  it('waits for a new token once the held one has expired', async function () {
    await manager.getToken();
    clock.advance(DAY_MS + 1);
    should(manager.ready()).be.undefined();
    (await manager.getToken()).accessToken.should.equal('renewed-1');
  });

  it('adopts a token kept over a redeploy, but not an expired one', function () {
    const kept = { accessToken: 'kept', obtainedAt: clock.now(), expiresAt: clock.now() + 1000 };
    manager.adopt(kept);
    should(manager.current()).equal(kept);
    const other = new TokenManager(source, { now: clock.now });
    other.adopt({ ...kept, expiresAt: clock.now() - 1 });
    should(other.current()).be.undefined();
    other.close();
  });

  it('gives a token that seems to expire at once (clock skew) a second of life', async function () {
    const skewed = new FakeSource(clock, 10);
    const short = new TokenManager(skewed, { now: clock.now });
    const token = await short.getToken();
    (token.expiresAt - token.obtainedAt).should.equal(1000);
    short.close();
  });

  it('refuses callers once closed', async function () {
    manager.close();
    await manager.getToken().should.be.rejectedWith({ code: 'stopped' });
  });
});
