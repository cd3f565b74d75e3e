'use strict';
// The editor's admin endpoints: "Test connection" and the catalogue, in the runtime and behind
// Node-RED's own admin authentication.
require('should');
const {
  helper,
  NODES,
  RedoxEmulator,
  DEMO_CREDENTIALS,
  buildFlow,
  sendNode,
  credentials,
  useEmulator,
  word,
  startTlsEmulator,
  TLS_CONFIG_NODE,
} = require('./support');
const { startNodeRed } = require('./node-red-process');
const { requireFromNodeRed } = require('./node-red-path');

describe('admin endpoints', function () {
  const ctx = useEmulator();

  async function test(body) {
    const res = await helper.request().post('/redox-config/test').send(body).expect(200);
    return res;
  }

  it('authenticates with credentials typed in the dialog, and returns no token', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), {});
    const res = await test({
      baseUrl: ctx.url,
      authMethod: 'apiKey',
      credentials: { apiKey: DEMO_CREDENTIALS.apiKey, secret: DEMO_CREDENTIALS.secret },
    });
    res.body.should.eql({ ok: true, message: word('redox-config.test.ok') });
    ctx.emulator.calls.authenticate.should.equal(1);
    for (const token of ctx.emulator.issuedTokens()) res.text.should.not.containEql(token);
    res.text.should.not.containEql(DEMO_CREDENTIALS.secret);
  });

  it('writes every Test connection to the audit log, with the user and the base URL and never a credential', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), {});
    await test({ baseUrl: 'https://user:pass-word@redox.example.org', credentials: { apiKey: 'a-key', secret: 'the-secret-1' } });
    const audits = helper
      .log()
      .args.map((a) => a[0])
      .filter((e) => e.level === 98 && e.event === 'redox-config.test');
    audits.should.have.length(1);
    audits[0].baseUrl.should.equal('https://***@redox.example.org');
    audits[0].should.have.property('user'); // Node-RED's: undefined without admin authentication
    JSON.stringify(audits).should.not.match(/the-secret-1|a-key|pass-word/);
  });

  it('says why it failed: a wrong secret, an unreachable URL, an insecure URL', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), {});
    const wrong = await test({ baseUrl: ctx.url, credentials: { apiKey: DEMO_CREDENTIALS.apiKey, secret: 'nope-nope' } });
    wrong.body.should.eql({ ok: false, message: word('redox-config.errors.authRefused') });
    const closed = new RedoxEmulator();
    const closedUrl = await closed.start();
    await closed.stop();
    // refused on this machine: most likely the emulator is not running, and the message says so
    (await test({ baseUrl: closedUrl, credentials: { apiKey: 'a', secret: 'bbbb' } })).body.message.should.equal(
      word('redox-config.errors.networkEmulator'),
    );
    (await test({ baseUrl: 'http://redox.example.org', credentials: { apiKey: 'a', secret: 'bbbb' } })).body.message.should.equal(
      word('redox-config.errors.insecureBaseUrl'),
    );
  });

  describe('${NAME} values', function () {
    const ENV = { REDOX_TEST_BASE_URL: '', REDOX_TEST_API_KEY: DEMO_CREDENTIALS.apiKey, REDOX_TEST_SECRET: DEMO_CREDENTIALS.secret };
    beforeEach(function () {
      Object.assign(process.env, ENV, { REDOX_TEST_BASE_URL: ctx.url });
    });
    afterEach(function () {
      for (const name of Object.keys(ENV)) delete process.env[name];
    });
    const stored = { apiKey: '__PWRD__', secret: '__PWRD__' };

    it('tests an untouched connection written with ${NAME}: base URLs compared as written', async function () {
      await helper.load(NODES, buildFlow('${REDOX_TEST_BASE_URL}', [sendNode('send')], { config: { authMethod: 'apiKey' } }), {
        cfg: { apiKey: '${REDOX_TEST_API_KEY}', secret: '${REDOX_TEST_SECRET}' },
      });
      (await test({ id: 'cfg', baseUrl: '${REDOX_TEST_BASE_URL}', credentials: stored })).body.ok.should.be.true();
      ctx.emulator.calls.authenticate.should.equal(1);
      // the resolved URL typed in instead is another URL as written: the stored credentials stay home
      (await test({ id: 'cfg', baseUrl: ctx.url, credentials: stored })).body.message.should.equal(
        word('redox-config.errors.storedElsewhere'),
      );
    });

    it('tests an untouched OAuth connection whose Key ID is written with ${NAME}', async function () {
      const pair = require('node:crypto').generateKeyPairSync('rsa', { modulusLength: 2048 });
      ctx.emulator.registerOAuthKey('env-client', 'env-key', pair.publicKey.export({ type: 'spki', format: 'pem' }));
      process.env.REDOX_TEST_KEY_ID = 'env-key';
      try {
        const config = { authMethod: 'oauth', keyId: '${REDOX_TEST_KEY_ID}' };
        await helper.load(NODES, buildFlow('${REDOX_TEST_BASE_URL}', [sendNode('send')], { config }), {
          cfg: { clientId: 'env-client', privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) },
        });
        const dialog = {
          id: 'cfg',
          baseUrl: '${REDOX_TEST_BASE_URL}',
          ...config,
          credentials: { clientId: '__PWRD__', privateKey: '__PWRD__' },
        };
        (await test(dialog)).body.ok.should.be.true();
        ctx.emulator.calls.oauthToken.should.equal(1);
      } finally {
        delete process.env.REDOX_TEST_KEY_ID;
      }
    });

    it('takes ${NAME} typed in the dialog literally: never read from the environment', async function () {
      await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), {});
      const typed = await test({ baseUrl: ctx.url, credentials: { apiKey: '${REDOX_TEST_API_KEY}', secret: '${REDOX_TEST_SECRET}' } });
      typed.body.should.eql({ ok: false, message: word('redox-config.errors.authRefused') });
      const url = await test({ baseUrl: '${REDOX_TEST_BASE_URL}', credentials: { apiKey: 'a', secret: 'bbbb' } });
      url.body.should.eql({ ok: false, message: word('redox-config.errors.badBaseUrl') });
      ctx.emulator.calls.authenticate.should.equal(1); // the literal key was refused; the URL was never reached
    });
  });

  it('uses stored credentials ("unchanged" in the dialog) only with the base URL they were stored with', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), credentials());
    const unchanged = { apiKey: '__PWRD__', secret: '__PWRD__' };
    (await test({ id: 'cfg', baseUrl: ctx.url, credentials: unchanged })).body.ok.should.be.true();

    const elsewhere = new RedoxEmulator();
    const otherUrl = await elsewhere.start();
    try {
      const res = await test({ id: 'cfg', baseUrl: otherUrl, credentials: unchanged });
      res.body.should.eql({ ok: false, message: word('redox-config.errors.storedElsewhere') });
      elsewhere.arrivals.should.have.length(0); // the stored secret never left for the other URL
    } finally {
      await elsewhere.stop();
    }
  });

  it('tests an OAuth API key too', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), {});
    const res = await test({
      baseUrl: ctx.url,
      authMethod: 'oauth',
      credentials: { clientId: 'demo-oauth-client', clientSecret: 'demo-oauth-client-secret' },
    });
    res.body.ok.should.be.true();
    ctx.emulator.calls.oauthToken.should.equal(1);
  });

  it('tests with the tls-config node chosen in the dialog (a private CA)', async function () {
    const { emulator: secure, url, tlsNode, tlsCredentials } = await startTlsEmulator();
    try {
      const flow = buildFlow(ctx.url, [sendNode('send')]);
      flow.push(tlsNode('tls1'));
      await helper.load([...NODES, TLS_CONFIG_NODE], flow, { tls1: tlsCredentials });
      const creds = { apiKey: DEMO_CREDENTIALS.apiKey, secret: DEMO_CREDENTIALS.secret };
      (await test({ baseUrl: url, tls: 'tls1', credentials: creds })).body.ok.should.be.true();
      (await test({ baseUrl: url, credentials: creds })).body.message.should.equal(word('redox-config.errors.network'));
      (await test({ baseUrl: url, tls: '_ADD_', credentials: creds })).body.message.should.equal(word('redox-config.errors.network'));
      (await test({ baseUrl: url, tls: 'not-deployed', credentials: creds })).body.message.should.equal(
        word('redox-config.errors.tlsNotDeployed'),
      );
    } finally {
      await secure.stop();
    }
  });

  it('serves the catalogue of Data Models and event types', async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), {});
    const res = await helper.request().get('/redox-config/catalogue').expect(200);
    res.body.PatientAdmin.events.should.containEql('NewPatient');
    res.body.PatientSearch.queries.should.eql(['Query', 'LocationQuery']);
    res.body['Clinical Summary'].queries.should.containEql('PatientQuery');
  });

  it("serves the emulator's destinations for redox-send's dialog", async function () {
    await helper.load(NODES, buildFlow(ctx.url, [sendNode('send')]), {});
    const res = await helper.request().get('/redox-config/emulator-destinations').expect(200);
    res.body.should.containEql({ ID: 'af394f14-b34a-464f-8d24-895f370af4c9', Name: 'Redox EMR' });
    res.body.should.containEql({ ID: '0f4bd1d1-451d-4351-8cfd-b767d1b488d6', Name: 'Patient Search Endpoint' });
    for (const destination of res.body) Object.keys(destination).should.eql(['ID', 'Name']);
  });
});

describe('admin endpoints behind Node-RED admin authentication', function () {
  this.timeout(60000);
  let nodeRed;

  before(async function () {
    const bcrypt = requireFromNodeRed('bcryptjs');
    const password = bcrypt.hashSync('correct horse', 8);
    nodeRed = await startNodeRed({
      settings: {
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'admin', password, permissions: '*' },
            { username: 'viewer', password, permissions: 'read' },
          ],
        },
        logging: { console: { level: 'warn' } },
      },
    });
  });
  after(() => nodeRed && nodeRed.stop());

  async function login(username, scope) {
    const res = await fetch(`${nodeRed.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope, username, password: 'correct horse' }),
    });
    res.status.should.equal(200);
    return (await res.json()).access_token;
  }

  const post = (token) =>
    fetch(`${nodeRed.url}/redox-config/test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ baseUrl: 'http://127.0.0.1:9', credentials: { apiKey: 'a', secret: 'bbbb' } }),
    });

  it('refuses "Test connection" without redox-config.write permission', async function () {
    (await post()).status.should.equal(401);
    const viewer = await login('viewer', 'read');
    [401, 403].should.containEql((await post(viewer)).status);
    const admin = await login('admin', '*');
    const res = await post(admin);
    res.status.should.equal(200);
    const body = await res.json();
    body.ok.should.be.false(); // nothing listens on port 9: the point is that it was allowed to try
    (await fetch(`${nodeRed.url}/redox-config/catalogue`)).status.should.equal(401);
    (await fetch(`${nodeRed.url}/redox-config/catalogue`, { headers: { authorization: `Bearer ${viewer}` } })).status.should.equal(200);
  });
});
