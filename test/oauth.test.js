'use strict';
// OAuth API keys: signed-JWT assertions (RS384, ES384, HS384) against the emulator's /v2/auth/token.
const crypto = require('node:crypto');
const should = require('should');
const { helper, NODES, newPatient, buildFlow, sendNode, collect, sendAndWait, delay, useEmulator, word } = require('./support');

function keyPair(kind) {
  const pair =
    kind === 'rsa' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }) : crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
  return {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }),
  };
}

const RSA = keyPair('rsa');
const EC = keyPair('ec');
const OTHER_RSA = keyPair('rsa');
const HS_SECRET = 'a-shared-secret-of-some-length-0123456789';

describe('OAuth API keys', function () {
  const ctx = useEmulator({
    oauthClients: [
      { clientId: 'client-rs', keys: [{ kid: 'rs-key-1', publicKey: RSA.publicKey }] },
      { clientId: 'client-es', keys: [{ kid: 'es-key-1', publicKey: EC.publicKey }] },
      { clientId: 'client-hs', secret: HS_SECRET, source: { ID: 'hs-source', Name: 'HS source' } },
    ],
  });

  async function load(config, creds, nodes = [sendNode('send')]) {
    const flow = buildFlow(ctx.url, nodes, { config: { authMethod: 'oauth', ...config } });
    await helper.load(NODES, flow, { cfg: creds });
    return collect(nodes.map((n) => n.id));
  }

  const cases = [
    ['RS384', { keyId: 'rs-key-1' }, { clientId: 'client-rs', privateKey: RSA.privateKey }],
    ['ES384', { keyId: 'es-key-1' }, { clientId: 'client-es', privateKey: EC.privateKey }],
    ['HS384', {}, { clientId: 'client-hs', clientSecret: HS_SECRET }],
  ];
  for (const [alg, config, creds] of cases) {
    it(`sends with an ${alg} key: one token request, a bearer token, the same send as with legacy keys`, async function () {
      const outputs = await load(config, creds, [sendNode('send'), { id: 'tok', type: 'redox-token' }]);
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('ok');
      const token = await sendAndWait('tok', {}, outputs);
      token.port.should.equal('ok');
      (Date.parse(token.msg.payload.expires) - Date.now()).should.be.within(200e3, 300e3);
      ctx.emulator.calls.oauthToken.should.equal(1);
      ctx.emulator.calls.authenticate.should.equal(0);
      ctx.emulator.received[0].headers.authorization.should.equal(`Bearer ${token.msg.payload.accessToken}`);
      const [tokenRequest] = ctx.emulator.arrivals.filter((a) => a.path === '/v2/auth/token');
      tokenRequest.outcome.should.equal('200');
    });
  }

  it('sends the assertion Redox expects: form-encoded, iss = sub = client ID, aud = the token URL, 5 minutes, kid', async function () {
    const seen = [];
    const original = ctx.emulator.auth.oauthToken.bind(ctx.emulator.auth);
    ctx.emulator.auth.oauthToken = (req, res, raw, ...rest) => {
      seen.push({ type: req.headers['content-type'], raw });
      return original(req, res, raw, ...rest);
    };
    const outputs = await load({ keyId: 'rs-key-1', scope: 'patient/*.read' }, { clientId: 'client-rs', privateKey: RSA.privateKey });
    (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
    seen[0].type.should.equal('application/x-www-form-urlencoded');
    const form = new URLSearchParams(seen[0].raw);
    form.get('grant_type').should.equal('client_credentials');
    form.get('client_assertion_type').should.equal('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.get('scope').should.equal('patient/*.read');
    const [header, claims] = form
      .get('client_assertion')
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url')));
    header.should.eql({ alg: 'RS384', typ: 'JWT', kid: 'rs-key-1' });
    claims.iss.should.equal('client-rs');
    claims.sub.should.equal('client-rs');
    claims.aud.should.equal(`${ctx.url}/v2/auth/token`);
    (claims.exp - claims.iat).should.equal(300);
    claims.jti.should.match(/^[0-9a-f-]{36}$/);
  });

  it('reads a PEM key pasted on one line, its line breaks turned into spaces', async function () {
    const oneLine = RSA.privateKey.trim().split('\n').join(' ');
    const outputs = await load({ keyId: 'rs-key-1' }, { clientId: 'client-rs', privateKey: oneLine });
    (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
  });

  it('renews the short-lived token ahead of expiry with a new assertion', async function () {
    ctx.emulator.oauthTokenLifetimeMs = 1500;
    const outputs = await load({ keyId: 'es-key-1' }, { clientId: 'client-es', privateKey: EC.privateKey });
    (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
    await delay(1700);
    (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
    ctx.emulator.calls.oauthToken.should.be.aboveOrEqual(2);
    ctx.emulator.calls.rejected401.should.equal(0);
  });

  describe('refusals, reported clearly on output 2', function () {
    it('a wrong kid', async function () {
      const outputs = await load({ keyId: 'no-such-key' }, { clientId: 'client-rs', privateKey: RSA.privateKey });
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.statusCode.should.equal(401);
      out.msg.error.code.should.equal('authRefused');
      out.msg.payload.should.containDeep({
        error: 'invalid_client',
        error_description: 'unknown key ID (kid) for this client: no-such-key',
      });
      out.msg.payload.error_uri.should.startWith('https://'); // OAuth errors carry error, error_description and error_uri
    });

    it('a wrong key', async function () {
      const outputs = await load({ keyId: 'rs-key-1' }, { clientId: 'client-rs', privateKey: OTHER_RSA.privateKey });
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.statusCode.should.equal(401);
      out.msg.payload.error_description.should.match(/signature/);
    });

    it('an expired assertion (a client clock 10 minutes slow)', async function () {
      ctx.emulator.clockOffsetMs = 10 * 60 * 1000;
      const outputs = await load({}, { clientId: 'client-hs', clientSecret: HS_SECRET });
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.statusCode.should.equal(400);
      out.msg.payload.should.containDeep({ error: 'invalid_grant', error_description: 'the assertion has expired' });
    });

    it('sends the Key ID as kid with HS384 too, when one is set', async function () {
      const seen = [];
      const original = ctx.emulator.auth.oauthToken.bind(ctx.emulator.auth);
      ctx.emulator.auth.oauthToken = (req, res, raw, ...rest) => (seen.push(raw), original(req, res, raw, ...rest));
      const outputs = await load({ keyId: 'hs-key' }, { clientId: 'client-hs', clientSecret: HS_SECRET });
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
      const header = JSON.parse(Buffer.from(new URLSearchParams(seen[0]).get('client_assertion').split('.')[0], 'base64url'));
      header.should.eql({ alg: 'HS384', typ: 'JWT', kid: 'hs-key' });
    });

    it('a client clock 15 s fast (Redox allows 10 s of skew, and 8 s passes)', async function () {
      ctx.emulator.clockOffsetMs = -8000;
      const outputs = await load({}, { clientId: 'client-hs', clientSecret: HS_SECRET });
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
      ctx.emulator.clockOffsetMs = -15000;
      ctx.emulator.revokeAccessTokens(); // the next message needs a new assertion
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.statusCode.should.equal(400);
      out.msg.payload.error_description.should.equal('iat is in the future');
    });

    it('a replayed jti', async function () {
      const outputs = await load({}, { clientId: 'client-hs', clientSecret: HS_SECRET });
      (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
      const jti = crypto.randomUUID();
      const original = crypto.randomUUID;
      // the client's next two assertions carry the same jti (the emulator's own IDs stay random)
      crypto.randomUUID = (...args) => (new Error().stack.includes('oauth-source') ? jti : original(...args));
      try {
        ctx.emulator.revokeAccessTokens();
        (await sendAndWait('send', { payload: newPatient() }, outputs)).port.should.equal('ok');
        ctx.emulator.revokeAccessTokens();
        const out = await sendAndWait('send', { payload: newPatient() }, outputs);
        out.msg.statusCode.should.equal(400);
        out.msg.payload.should.containDeep({ error: 'invalid_grant', error_description: 'jti already used: sign a new assertion' });
      } finally {
        crypto.randomUUID = original;
      }
    });
  });

  describe('bad keys, said when the node starts and on output 2, never printed', function () {
    it('a key that is not PEM', async function () {
      const garbage = '-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----';
      const outputs = await load({ keyId: 'rs-key-1' }, { clientId: 'client-rs', privateKey: garbage });
      const startLog = helper
        .log()
        .args.map((a) => a[0])
        .find((e) => e.level === helper.log().ERROR);
      should.exist(startLog);
      startLog.msg.should.equal(word('redox-config.errors.badPrivateKey'));
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.error.code.should.equal('badPrivateKey');
      ctx.emulator.calls.oauthToken.should.equal(0);
      JSON.stringify(helper.log().args).should.not.containEql('Tm90IGEga2V5');
    });

    it('a private key without its Key ID: refused at start, per message and in Test connection, with no token call', async function () {
      const outputs = await load({ keyId: '' }, { clientId: 'client-rs', privateKey: RSA.privateKey });
      const startLog = helper
        .log()
        .args.map((a) => a[0])
        .find((e) => e.level === helper.log().ERROR);
      startLog.msg.should.equal(word('redox-config.errors.missingKeyId'));
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('missingKeyId');
      const test = await helper
        .request()
        .post('/redox-config/test')
        .send({ baseUrl: ctx.url, authMethod: 'oauth', keyId: ' ', credentials: { clientId: 'client-rs', privateKey: RSA.privateKey } });
      test.body.should.eql({ ok: false, message: word('redox-config.errors.missingKeyId') });
      ctx.emulator.calls.oauthToken.should.equal(0);
    });

    it('an algorithm that does not fit the key', async function () {
      const outputs = await load({ keyId: 'rs-key-1', algorithm: 'ES384' }, { clientId: 'client-rs', privateKey: RSA.privateKey });
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.error.code.should.equal('algorithmMismatch');
      ctx.emulator.calls.oauthToken.should.equal(0);
    });

    it('an EC key on another curve', async function () {
      const p256 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
      const outputs = await load({ keyId: 'es-key-1' }, { clientId: 'client-es', privateKey: p256 });
      const out = await sendAndWait('send', { payload: newPatient() }, outputs);
      out.msg.error.code.should.equal('badPrivateKey');
    });
  });

  it('keeps the private key and the client secret out of every output', async function () {
    const outputs = await load({ keyId: 'rs-key-1' }, { clientId: 'client-rs', privateKey: RSA.privateKey }, [
      sendNode('send'),
      { id: 'tok', type: 'redox-token' },
    ]);
    await sendAndWait('send', { payload: newPatient() }, outputs);
    await sendAndWait('tok', {}, outputs);
    await sendAndWait('send', { payload: 'bad' }, outputs);
    const everything = JSON.stringify([outputs.all.map((o) => o.msg), helper.log().args]);
    const keyBody = RSA.privateKey.split('\n')[1];
    everything.should.not.containEql(keyBody);
    everything.should.not.containEql(HS_SECRET);
  });
});
