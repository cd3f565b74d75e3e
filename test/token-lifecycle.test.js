'use strict';
// The token lifecycle owned by redox-config, seen through real nodes and the emulator's counters.
require('should');
const {
  helper,
  NODES,
  DEMO_CREDENTIALS,
  newPatient,
  buildFlow,
  sendNode,
  credentials,
  collect,
  sendAndWait,
  delay,
  useEmulator,
  word,
} = require('./support');

const OTHER = {
  apiKey: 'second-api-key',
  secret: 'second-secret',
  source: { ID: '11111111-2222-3333-4444-555555555555', Name: 'Second source' },
};

describe('token lifecycle (redox-config)', function () {
  const ctx = useEmulator({ credentials: [DEMO_CREDENTIALS, OTHER] });

  async function loadTwo(creds = credentials()) {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('a'), sendNode('b')]), creds);
    return collect(['a', 'b']);
  }

  it('authenticates lazily: loading the flow calls nothing', async function () {
    await loadTwo();
    await delay(50);
    ctx.emulator.calls.authenticate.should.equal(0);
  });

  it('makes one authenticate call for 100 concurrent messages across two redox-send nodes', async function () {
    const outputs = await loadTwo();
    for (let i = 0; i < 50; i++) {
      helper.getNode('a').receive({ payload: newPatient(), i });
      helper.getNode('b').receive({ payload: newPatient(), i });
    }
    await outputs.waitFor(100);
    outputs.a.ok.should.have.length(50);
    outputs.b.ok.should.have.length(50);
    ctx.emulator.calls.authenticate.should.equal(1);
    ctx.emulator.calls.refreshToken.should.equal(0);
    ctx.emulator.calls.endpoint.should.equal(100);
    new Set(ctx.emulator.received.map((r) => r.headers.authorization)).size.should.equal(1);
  });

  it('refreshes ahead of expiry, off the request path, so that no request sees a 401', async function () {
    ctx.emulator.tokenLifetimeMs = 1500;
    const outputs = await loadTwo();
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    await delay(1700); // past the first token's expiry: the renewal happened at about 1.35 s
    ctx.emulator.calls.refreshToken.should.be.aboveOrEqual(1);
    (await sendAndWait('b', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.calls.authenticate.should.equal(1);
    ctx.emulator.calls.rejected401.should.equal(0);
    const tokens = ctx.emulator.received.map((r) => r.headers.authorization);
    tokens[0].should.not.equal(tokens[1]);
  });

  it('does not refresh on every request when tokens live only seconds', async function () {
    ctx.emulator.tokenLifetimeMs = 3000;
    const outputs = await loadTwo();
    for (let i = 0; i < 20; i++) (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.calls.authenticate.should.equal(1);
    ctx.emulator.calls.refreshToken.should.equal(0);
  });

  it('renews a revoked access token with the refresh token and retries the request once', async function () {
    const outputs = await loadTwo();
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.revokeAccessTokens();
    const out = await sendAndWait('a', { payload: newPatient() }, outputs);
    out.port.should.equal('ok');
    ctx.emulator.calls.rejected401.should.equal(1);
    ctx.emulator.calls.refreshToken.should.equal(1);
    ctx.emulator.calls.authenticate.should.equal(1);
    ctx.emulator.received.should.have.length(2); // the refused attempt is never validated, so never accepted
  });

  it('authenticates again when the refresh token is refused too', async function () {
    const outputs = await loadTwo();
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.revokeAccessTokens();
    ctx.emulator.revokeRefreshTokens();
    const out = await sendAndWait('b', { payload: newPatient() }, outputs);
    out.port.should.equal('ok');
    ctx.emulator.calls.refreshToken.should.equal(1);
    ctx.emulator.calls.authenticate.should.equal(2);
  });

  for (const [what, fault] of [
    ['400', { status: 400, body: '{"Meta":{"Errors":[{"Text":"Invalid refresh token"}]}}' }],
    ['404', { status: 404, body: 'Not Found', contentType: 'text/html' }],
    ['500', { status: 500, body: 'Internal Server Error', contentType: 'text/html' }],
    ['a 200 without a token', { status: 200, body: '{}' }],
  ]) {
    it(`authenticates again at once when a refresh is answered with ${what}, and never sends that refresh token again`, async function () {
      const outputs = await loadTwo();
      (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
      ctx.emulator.injectFaults({ path: '/auth/refreshToken', ...fault });
      ctx.emulator.revokeAccessTokens();
      (await sendAndWait('b', { payload: newPatient() }, outputs)).port.should.equal('ok');
      ctx.emulator.calls.faults.should.equal(1);
      ctx.emulator.calls.authenticate.should.equal(2);
      // the new authentication's refresh token works as usual
      ctx.emulator.revokeAccessTokens();
      (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
      ctx.emulator.calls.refreshToken.should.equal(1); // the refused one counts as a fault
      ctx.emulator.calls.faults.should.equal(1);
      ctx.emulator.calls.authenticate.should.equal(2);
    });
  }

  it('keeps working after the first token expired while every refresh is refused (400)', async function () {
    ctx.emulator.tokenLifetimeMs = 1000;
    const outputs = await loadTwo();
    ctx.emulator.injectFaults(...Array.from({ length: 20 }, () => ({ path: '/auth/refreshToken', status: 400, body: '{}' })));
    for (let i = 0; i < 6; i++) {
      (await sendAndWait(i % 2 ? 'a' : 'b', { payload: newPatient() }, outputs)).port.should.equal('ok', `message ${i + 1}`);
      await delay(400);
    }
    ctx.emulator.calls.authenticate.should.be.aboveOrEqual(2);
    ctx.emulator.calls.refreshToken.should.be.belowOrEqual(ctx.emulator.calls.authenticate); // one refused refresh per authentication, at most
    outputs.all.filter((o) => o.port === 'err').should.be.empty();
  });

  it('keeps a still-valid token when its refresh fails on the network, and renews it later', async function () {
    ctx.emulator.tokenLifetimeMs = 2000; // renewed 0.5 s before expiry
    const outputs = await loadTwo();
    ctx.emulator.injectFaults({ path: '/auth/refreshToken', drop: true });
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    await delay(1650); // the background refresh at 1.5 s was dropped
    ctx.emulator.calls.faults.should.equal(1);
    (await sendAndWait('b', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.calls.authenticate.should.equal(1);
    ctx.emulator.calls.rejected401.should.equal(0);
  });

  it('spaces out the renewals of tokens that arrive already expired, and says so once', async function () {
    this.timeout(20000);
    ctx.emulator.tokenLifetimeMs = -60_000; // every token expired a minute ago
    const outputs = await loadTwo();
    await sendAndWait('a', { payload: newPatient() }, outputs); // refused by the emulator, whichever way it ends
    const renewals = () => ctx.emulator.calls.authenticate + ctx.emulator.calls.refreshToken;
    const before = renewals();
    await delay(5000);
    const during = renewals() - before;
    during.should.be.belowOrEqual(3); // before: one every ¾ s, about 7
    helper
      .log()
      .args.filter((a) => a[0].level === helper.log().WARN && a[0].msg === word('redox-config.errors.backgroundRefresh'))
      .should.have.length(1);
  });

  it('keeps the latest refresh token: several renewals in a row all succeed', async function () {
    const outputs = await loadTwo();
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    for (let i = 0; i < 3; i++) {
      ctx.emulator.revokeAccessTokens();
      (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    }
    ctx.emulator.calls.refreshToken.should.equal(3);
    ctx.emulator.calls.authenticate.should.equal(1); // every refresh used the newest, single-use refresh token
  });

  it('shares one renewal among many messages refused at once', async function () {
    const outputs = await loadTwo();
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.revokeAccessTokens();
    for (let i = 0; i < 20; i++) helper.getNode(i % 2 ? 'a' : 'b').receive({ payload: newPatient() });
    await outputs.waitFor(21);
    outputs.all
      .slice(1)
      .every((o) => o.port === 'ok')
      .should.be.true();
    ctx.emulator.calls.refreshToken.should.equal(1);
    ctx.emulator.calls.authenticate.should.equal(1);
  });

  it('sends a second 401 to output 2 with statusCode 401, and does not loop', async function () {
    const outputs = await loadTwo();
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.injectFaults(
      { status: 401, body: 'Invalid request', contentType: 'text/html; charset=utf-8' },
      { status: 401, body: 'Invalid request', contentType: 'text/html; charset=utf-8' },
    );
    const out = await sendAndWait('a', { payload: newPatient() }, outputs);
    out.port.should.equal('err');
    out.msg.statusCode.should.equal(401);
    out.msg.error.code.should.equal('unauthorized');
    out.msg.payload.should.equal('Invalid request');
    await delay(100);
    ctx.emulator.calls.faults.should.equal(2); // the request and its one retry, nothing more
    ctx.emulator.calls.refreshToken.should.equal(1);
    ctx.emulator.received.should.have.length(1);
  });

  it('reports bad credentials on output 2 with 401 and the reason Redox gave', async function () {
    const outputs = await loadTwo(credentials(DEMO_CREDENTIALS.apiKey, 'wrong-secret'));
    const out = await sendAndWait('a', { payload: newPatient() }, outputs);
    out.port.should.equal('err');
    out.msg.statusCode.should.equal(401);
    out.msg.error.code.should.equal('authRefused');
    out.msg.error.statusCode.should.equal(401);
    out.msg.payload.should.equal('Invalid source secret');
    ctx.emulator.calls.endpoint.should.equal(0);
  });

  it('uses new credentials at once after a redeploy', async function () {
    let outputs = await loadTwo();
    const first = await sendAndWait('a', { payload: newPatient() }, outputs);
    first.msg.payload.Meta.Source.Name.should.equal('Redox Dev Tools');

    const flow = buildFlow(ctx.url, [sendNode('a'), sendNode('b')]);
    await helper.setFlows(flow, 'full', { cfg: { apiKey: OTHER.apiKey, secret: OTHER.secret } });
    outputs = collect(['a', 'b']);
    const second = await sendAndWait('a', { payload: newPatient() }, outputs);
    second.port.should.equal('ok');
    second.msg.payload.Meta.Source.Name.should.equal('Second source');
    ctx.emulator.calls.authenticate.should.equal(2);

    await helper.setFlows(flow, 'full', { cfg: { apiKey: OTHER.apiKey, secret: 'changed-and-wrong' } });
    outputs = collect(['a', 'b']);
    const third = await sendAndWait('b', { payload: newPatient() }, outputs);
    third.port.should.equal('err');
    third.msg.statusCode.should.equal(401);
  });

  it('stops renewing once the config node is removed', async function () {
    ctx.emulator.tokenLifetimeMs = 1000;
    const outputs = await loadTwo();
    (await sendAndWait('a', { payload: newPatient() }, outputs)).port.should.equal('ok');
    await helper.setFlows([{ id: 'f1', type: 'tab', label: 'empty' }], 'full');
    await delay(1300); // a renewal would have happened at 0.9 s
    ctx.emulator.calls.refreshToken.should.equal(0);
    ctx.emulator.calls.authenticate.should.equal(1);
  });
});
