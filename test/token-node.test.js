'use strict';
// redox-token, and a scan of everything the nodes print or emit for secrets and tokens.
const should = require('should');
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
  useEmulator,
} = require('./support');

describe('redox-token', function () {
  const ctx = useEmulator();

  it('puts the access token in msg.payload and msg.headers.Authorization, and nothing else of it', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [{ id: 'tok', type: 'redox-token' }]), credentials());
    const outputs = collect(['tok']);
    const { port, msg } = await sendAndWait('tok', { payload: 'anything', headers: { 'X-Trace': 'abc' } }, outputs);
    port.should.equal('ok');
    Object.keys(msg.payload).sort().should.eql(['accessToken', 'expires']);
    const [accessToken, refreshToken] = ctx.emulator.issuedTokens();
    msg.payload.accessToken.should.equal(accessToken);
    (Date.parse(msg.payload.expires) - Date.now()).should.be.within(23 * 3600e3, 24 * 3600e3);
    msg.headers.should.eql({ 'X-Trace': 'abc', Authorization: `Bearer ${accessToken}` });
    JSON.stringify(msg).should.not.containEql(refreshToken);
    JSON.stringify(msg).should.not.containEql(DEMO_CREDENTIALS.secret);
  });

  it('shares the token of the config node with redox-send: one authenticate in all', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [{ id: 'tok', type: 'redox-token' }, sendNode('send')]), credentials());
    const outputs = collect(['tok', 'send']);
    helper.getNode('tok').receive({});
    helper.getNode('send').receive({ payload: newPatient() });
    helper.getNode('tok').receive({});
    await outputs.waitFor(3);
    outputs.all.every((o) => o.port === 'ok').should.be.true();
    ctx.emulator.calls.authenticate.should.equal(1);
    const token = outputs.tok.ok[0].payload.accessToken;
    ctx.emulator.received[0].headers.authorization.should.equal(`Bearer ${token}`);
  });

  it('gives a token that works with a plain HTTP call', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [{ id: 'tok', type: 'redox-token' }]), credentials());
    const outputs = collect(['tok']);
    const { msg } = await sendAndWait('tok', {}, outputs);
    const res = await fetch(`${ctx.url}/endpoint`, {
      method: 'POST',
      headers: { ...msg.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...newPatient(),
        Meta: { DataModel: 'PatientAdmin', EventType: 'NewPatient', Destinations: [{ ID: 'af394f14-b34a-464f-8d24-895f370af4c9' }] },
      }),
    });
    res.status.should.equal(200);
  });

  it('sends bad credentials to output 2 with statusCode 401', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [{ id: 'tok', type: 'redox-token' }]), credentials('nobody', 'nothing'));
    const outputs = collect(['tok']);
    const { port, msg } = await sendAndWait('tok', { payload: 1 }, outputs);
    port.should.equal('err');
    msg.statusCode.should.equal(401);
    msg.error.code.should.equal('authRefused');
    msg.payload.should.equal('Invalid request');
    should(msg.headers && msg.headers.Authorization).be.undefined();
  });
});

describe('secrets and tokens never leak', function () {
  const ctx = useEmulator();

  it('keeps the secret and the refresh tokens out of every log line, status, message and error', async function () {
    const flow = buildFlow(ctx.url, [sendNode('send'), { id: 'tok', type: 'redox-token' }]);
    await helper.load(NODES, flow, credentials());
    const statuses = [];
    for (const id of ['send', 'tok']) helper.getNode(id).on('call:status', (call) => statuses.push(call.args[0]));
    const outputs = collect(['send', 'tok']);

    // successes, refusals, renewals, Redox errors, bad input and a timeout
    await sendAndWait('send', { payload: newPatient() }, outputs);
    await sendAndWait('tok', {}, outputs);
    ctx.emulator.revokeAccessTokens();
    await sendAndWait('send', { payload: newPatient() }, outputs);
    ctx.emulator.revokeAccessTokens();
    ctx.emulator.revokeRefreshTokens();
    await sendAndWait('send', { payload: newPatient() }, outputs);
    await sendAndWait('send', { payload: { NotAPatient: 1 } }, outputs);
    await sendAndWait('send', { payload: 'bad' }, outputs);
    ctx.emulator.injectFaults({ status: 401 }, { status: 401 });
    await sendAndWait('send', { payload: newPatient() }, outputs);
    ctx.emulator.injectFaults({ delayMs: 500 });
    await sendAndWait('send', { payload: newPatient(), requestTimeout: 100 }, outputs);
    ctx.emulator.injectFaults({ drop: true });
    await sendAndWait('send', { payload: newPatient() }, outputs);

    // and a config whose credentials are refused
    await helper.setFlows(flow, 'full', credentials(DEMO_CREDENTIALS.apiKey, 'a-wrong-secret-value'));
    const refused = collect(['send', 'tok']);
    await sendAndWait('send', { payload: newPatient() }, refused);
    await sendAndWait('tok', {}, refused);

    const issued = ctx.emulator.issuedTokens();
    const refreshTokens = issued.filter((_, i) => i % 2 === 1);
    const accessTokens = issued.filter((_, i) => i % 2 === 0);
    refreshTokens.length.should.be.aboveOrEqual(3);
    const forbidden = [DEMO_CREDENTIALS.secret, 'a-wrong-secret-value', ...refreshTokens];
    const logs = helper.log().args.map((args) => JSON.stringify(args));
    const messages = [...outputs.all, ...refused.all].map((o) => ({ ...o, text: JSON.stringify(o.msg) }));
    const haystacks = [...logs, ...statuses.map((s) => JSON.stringify(s)), ...messages.map((m) => m.text)];
    haystacks.length.should.be.above(20);
    for (const text of haystacks) for (const secret of forbidden) text.should.not.containEql(secret);
    // access tokens appear only where redox-token was asked for one
    for (const m of messages) {
      if (m.id === 'tok' && m.port === 'ok') continue;
      for (const token of accessTokens) m.text.should.not.containEql(token);
    }
    for (const text of [...logs, ...statuses.map((s) => JSON.stringify(s))])
      for (const token of accessTokens) text.should.not.containEql(token);
  });
});

describe('a server that echoes what it was sent', function () {
  const ctx = useEmulator();

  it('never gets the secret or a token into msg.payload, msg.error.errors, headers or the Test connection answer', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), credentials());
    const outputs = collect(['send']);
    (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
    const [token] = ctx.emulator.issuedTokens();
    const echo = (status) => ({
      status,
      headers: { 'x-echo': `Bearer ${token}` },
      body: JSON.stringify({
        Meta: { Errors: status === 200 ? [] : [{ Text: `you sent Bearer ${token}` }] },
        echo: { authorization: `Bearer ${token}` },
      }),
    });
    ctx.emulator.injectFaults(echo(200), echo(400));
    const ok = await sendAndWait('send', { payload: newPatient() }, outputs);
    ok.port.should.equal('ok');
    ok.msg.payload.echo.authorization.should.equal('Bearer ***');
    const failed = await sendAndWait('send', { payload: newPatient() }, outputs);
    failed.port.should.equal('err');
    failed.msg.error.errors[0].Text.should.equal('you sent Bearer ***');
    failed.msg.headers['x-echo'].should.equal('Bearer ***');
    for (const out of outputs.all) JSON.stringify(out.msg).should.not.containEql(token);

    // authentication: an answer that quotes the secret back
    ctx.emulator.injectFaults({
      on: 'auth',
      status: 401,
      body: `Invalid source secret ${DEMO_CREDENTIALS.secret}`,
      contentType: 'text/html',
    });
    ctx.emulator.revokeAccessTokens();
    ctx.emulator.revokeRefreshTokens();
    const refused = await sendAndWait('send', { payload: newPatient() }, outputs);
    JSON.stringify(refused.msg).should.not.containEql(DEMO_CREDENTIALS.secret);
    ctx.emulator.injectFaults({
      on: 'auth',
      status: 401,
      body: `Invalid source secret ${DEMO_CREDENTIALS.secret}`,
      contentType: 'text/html',
    });
    const test = await helper
      .request()
      .post('/redox-config/test')
      .send({ baseUrl: ctx.url, credentials: { apiKey: DEMO_CREDENTIALS.apiKey, secret: DEMO_CREDENTIALS.secret } });
    test.text.should.not.containEql(DEMO_CREDENTIALS.secret);
  });
});
