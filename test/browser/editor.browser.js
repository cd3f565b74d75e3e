'use strict';
// The editor in headless Chromium (Debian's chromium, driven by playwright-core): the palette,
// the send dialog and its catalogue lists, the config dialog's "Test connection", and a deployed
// flow whose inject button reaches the emulator. Screenshots go to test-output/ (ignored by git).
const fs = require('node:fs');
const path = require('node:path');
require('should');
const { chromium } = require('playwright-core');
const crypto = require('node:crypto');
const { RedoxEmulator, DEMO_CREDENTIALS, EMR, newPatient } = require('../support');
const { startNodeRed, waitFor } = require('../node-red-process');

const OUTPUT = path.join(__dirname, '..', '..', 'test-output');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

describe('the editor, in a browser', function () {
  let emulator;
  let nodeRed;
  let browser;
  let page;

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    fs.mkdirSync(OUTPUT, { recursive: true });
    emulator = new RedoxEmulator();
    await emulator.start();
    nodeRed = await startNodeRed({
      settings: { editorTheme: { tours: false }, logging: { console: { level: 'warn' } } },
      // a connection written as the quick start writes it: ${NAME} values Node-RED resolves when deployed
      env: { REDOX_TEST_BASE_URL: emulator.url, REDOX_TEST_API_KEY: DEMO_CREDENTIALS.apiKey, REDOX_TEST_SECRET: DEMO_CREDENTIALS.secret },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(nodeRed.url);
    await page.waitForSelector('#red-ui-palette .red-ui-palette-node[data-palette-type="redox-send"]', { timeout: 30000 });
    await page.screenshot({ path: path.join(OUTPUT, 'editor-loaded.png') });
  });

  after(async function () {
    if (browser) await browser.close();
    if (nodeRed) await nodeRed.stop();
    if (emulator) await emulator.stop();
  });

  /** Opens the option list of the typedInput that wraps `#id`; resolves with the open menu. */
  async function openOptions(id) {
    const menu = page.locator('.red-ui-typedInput-options:visible');
    // a click that lands while the tray is still sliding in is not taken: click again until the menu opens
    await waitFor(
      async () => {
        await page.locator(`#${id}`).locator('xpath=..').locator('.red-ui-typedInput-option-trigger').click();
        return menu
          .waitFor({ timeout: 2000 })
          .then(() => true)
          .catch(() => false);
      },
      30000,
      `the option list of #${id}`,
    );
    return menu;
  }

  /** Picks `label` from the option list of the typedInput that wraps `#id`. */
  async function pickOption(id, label) {
    const item = (await openOptions(id)).locator('a', { hasText: label }).first();
    await item.scrollIntoViewIfNeeded();
    await item.click();
    await page
      .locator('.red-ui-typedInput-options:visible')
      .waitFor({ state: 'detached' })
      .catch(() => {});
  }

  async function optionsOf(id) {
    const labels = await (await openOptions(id)).locator('a').allTextContents();
    await page.keyboard.press('Escape');
    await page
      .locator('.red-ui-typedInput-options:visible')
      .waitFor({ state: 'detached' })
      .catch(() => {});
    return labels.map((l) => l.trim());
  }

  it('shows the flow nodes in the palette under Redox', async function () {
    const category = page.locator('.red-ui-palette-category', {
      has: page.locator('.red-ui-palette-node[data-palette-type="redox-send"]'),
    });
    (await category.locator('.red-ui-palette-header').textContent()).trim().toLowerCase().should.equal('redox');
    for (const type of ['redox-token', 'redox-upload', 'redox-receive', 'redox-response']) {
      (await category.locator(`.red-ui-palette-node[data-palette-type="${type}"]`).count()).should.equal(1);
    }
    // the config node is not in the palette, but its type is known to the editor
    (await page.evaluate(() => Boolean(window.RED.nodes.getType('redox-config')))).should.be.true();
  });

  it('adds a redox-send node, opens its dialog, and fills the Event Type list from the chosen Data Model', async function () {
    await page
      .locator('.red-ui-palette-node[data-palette-type="redox-send"]')
      .dragTo(page.locator('#red-ui-workspace-chart'), { targetPosition: { x: 400, y: 200 } });
    const node = page.locator('#red-ui-workspace-chart .red-ui-flow-node-group').last();
    await node.dblclick();
    await page.waitForSelector('#node-input-dataModel', { state: 'attached' });
    await waitFor(async () => (await optionsOf('node-input-dataModel')).includes('Scheduling'), 10000, 'the catalogue');

    await pickOption('node-input-dataModel', 'Scheduling');
    const scheduling = await optionsOf('node-input-eventType');
    scheduling.should.containEql('New');
    scheduling.should.containEql('AvailableSlots (query)');
    scheduling.should.not.containEql('NewPatient');

    await pickOption('node-input-dataModel', 'PatientAdmin');
    const patientAdmin = await optionsOf('node-input-eventType');
    patientAdmin.should.containEql('NewPatient');
    patientAdmin.should.containEql('CensusQuery (query)');
    await pickOption('node-input-eventType', 'NewPatient');
    // the fields NewPatient requires, and its example payload to copy
    await waitFor(async () => page.isVisible('#redox-send-required-row'), 5000, 'the required fields');
    (await page.textContent('#redox-send-required-fields')).should.equal(
      'Patient, Patient.Identifiers, Patient.Identifiers[].ID, Patient.Identifiers[].IDType',
    );
    const example = await page.evaluate(() => window.$.getJSON('redox-config/example?dataModel=PatientAdmin&eventType=NewPatient'));
    example.Patient.Demographics.LastName.should.equal('Bixby');
    await page.click('#redox-send-copy-example');

    await page.locator('#redox-send-destination-rows .red-ui-editableList-addButton').click();
    await page.locator('.redox-destination-id').last().fill('not-a-uuid');
    (await page.locator('.redox-destination-warning').last().isVisible()).should.be.true(); // a warning, not a refusal
    await page.locator('.redox-destination-id').last().fill(EMR);
    (await page.locator('.redox-destination-warning').last().isVisible()).should.be.false();
    await page.locator('.redox-destination-name').last().fill('Redox EMR');
    await page.screenshot({ path: path.join(OUTPUT, 'redox-send-dialog.png') });
  });

  it('creates a connection whose "Test connection" reports success, and a wrong secret', async function () {
    await page
      .locator('.form-row', { has: page.locator('#node-input-redox') })
      .locator('.fa-plus')
      .click();
    await page.waitForSelector('#node-config-input-apiKey');
    await page.selectOption('#redox-config-baseUrl-choice', 'custom');
    await page.fill('#node-config-input-baseUrl', emulator.url);
    await page.fill('#node-config-input-name', 'emulator');
    await page.fill('#node-config-input-apiKey', DEMO_CREDENTIALS.apiKey);
    await page.fill('#node-config-input-secret', 'a-wrong-secret');
    await page.click('#redox-config-test');
    await page.waitForSelector('#redox-config-test-result.redox-fail');
    (await page.textContent('#redox-config-test-result')).should.match(/refused the credentials \(401\)/);

    await page.fill('#node-config-input-secret', DEMO_CREDENTIALS.secret);
    await page.click('#redox-config-test');
    await page.waitForSelector('#redox-config-test-result.redox-ok');
    (await page.textContent('#redox-config-test-result')).should.equal('Authenticated: these settings work');
    await page.screenshot({ path: path.join(OUTPUT, 'redox-config-dialog.png') });
    emulator.calls.authenticate.should.equal(2);

    await page.click('#node-config-dialog-ok');
    await page.waitForSelector('#node-config-input-apiKey', { state: 'detached' });
    await page.click('#node-dialog-ok');
    await page.waitForSelector('#node-input-dataModel', { state: 'detached' });
  });

  it('deploys the flow, and an inject button makes the emulator receive the request', async function () {
    // an inject node wired to the new redox-send node (wiring by mouse is not what is under test)
    await page.evaluate((payload) => {
      const send = window.RED.nodes.filterNodes({ type: 'redox-send' })[0];
      window.RED.view.importNodes(
        [
          {
            id: 'browser-inject',
            type: 'inject',
            name: 'NewPatient',
            props: [{ p: 'payload' }],
            repeat: '',
            crontab: '',
            once: false,
            topic: '',
            payload,
            payloadType: 'json',
            x: 160,
            y: 200,
            z: send.z,
            wires: [[]],
          },
        ],
        { generateIds: false, addFlow: false, touchImport: true },
      );
      window.RED.nodes.addLink({ source: window.RED.nodes.node('browser-inject'), sourcePort: 0, target: send });
      window.RED.nodes.dirty(true);
      window.RED.view.redraw(true);
    }, JSON.stringify(newPatient()));
    await page.mouse.click(700, 600); // drop the imported node where it is
    const label = await page.evaluate(() => {
      const send = window.RED.nodes.filterNodes({ type: 'redox-send' })[0];
      return window.RED.utils.getNodeLabel(send);
    });
    label.should.equal('PatientAdmin NewPatient');

    await page.click('#red-ui-header-button-deploy');
    await waitFor(async () => (await nodeRed.client.flows()).some((n) => n.type === 'redox-send'), 10000, 'the deploy');
    const deployed = (await nodeRed.client.flows()).find((n) => n.type === 'redox-send');
    deployed.should.containEql({
      dataModel: 'PatientAdmin',
      dataModelType: 'redox',
      eventType: 'NewPatient',
      destinations: JSON.stringify([EMR]),
      destinationNames: JSON.stringify(['Redox EMR']),
    });
    JSON.stringify(await nodeRed.client.flows()).should.not.containEql(DEMO_CREDENTIALS.secret);

    await waitFor(
      async () => {
        await page.locator('#red-ui-workspace-chart .red-ui-flow-node-button').first().click();
        return emulator.received.length > 0;
      },
      10000,
      'the emulator to receive the NewPatient',
    ).catch(async (err) => {
      await page.screenshot({ path: path.join(OUTPUT, 'inject-failed.png') });
      console.log(nodeRed.output(), JSON.stringify(await nodeRed.client.flows()).slice(0, 1500));
      throw err;
    });
    const [request] = emulator.received;
    request.body.Meta.should.containDeep({
      DataModel: 'PatientAdmin',
      EventType: 'NewPatient',
      Destinations: [{ ID: EMR, Name: 'Redox EMR' }],
    });
    await page.screenshot({ path: path.join(OUTPUT, 'flow-deployed.png') });
  });

  it('adds a redox-receive node: its dialog shows the address Redox calls, the time limit only for answers from the flow, and keeps the filters as lists', async function () {
    await page
      .locator('.red-ui-palette-node[data-palette-type="redox-receive"]')
      .dragTo(page.locator('#red-ui-workspace-chart'), { targetPosition: { x: 400, y: 400 } });
    await page.locator('#red-ui-workspace-chart .red-ui-flow-node-group').last().dblclick();
    await page.waitForSelector('#node-input-url', { state: 'visible' });
    (await page.textContent('#redox-receive-called-at')).should.equal(`${nodeRed.url}/redox`);
    await page.fill('#node-input-url', '/redox/admissions');
    (await page.textContent('#redox-receive-called-at')).should.equal(`${nodeRed.url}/redox/admissions`);
    (await page.isVisible('.redox-receive-timeout-row')).should.be.false();
    await page.selectOption('#node-input-reply', 'flow');
    (await page.isVisible('.redox-receive-timeout-row')).should.be.true();
    (await page.textContent('.form-tips')).should.match(/Queries/);
    await page.fill('#node-input-verificationToken', 'browser-verification-token');
    await page.fill('#node-input-dataModels-text', 'PatientAdmin, Scheduling');
    await page.screenshot({ path: path.join(OUTPUT, 'redox-receive-dialog.png') });
    await waitFor(
      async () => {
        if (await page.isVisible('#node-dialog-ok')) await page.click('#node-dialog-ok', { timeout: 2000 }).catch(() => {});
        return (await page.locator('#node-input-url').count()) === 0;
      },
      15000,
      'the dialog to close',
    );
    const saved = await page.evaluate(() => {
      const node = window.RED.nodes.filterNodes({ type: 'redox-receive' })[0];
      return { url: node.url, reply: node.reply, dataModels: node.dataModels, eventTypes: node.eventTypes, valid: node.valid };
    });
    saved.should.eql({ url: '/redox/admissions', reply: 'flow', dataModels: ['PatientAdmin', 'Scheduling'], eventTypes: [], valid: true });
    // a second node on the same URL is marked invalid in the editor
    const duplicateValid = await page.evaluate(() => {
      const first = window.RED.nodes.filterNodes({ type: 'redox-receive' })[0];
      window.RED.view.importNodes(
        [{ id: 'browser-rx-2', type: 'redox-receive', url: '/Redox/Admissions/', x: 400, y: 480, z: first.z, wires: [[]] }],
        {
          generateIds: false,
          addFlow: false,
          touchImport: true,
        },
      );
      window.RED.editor.validateNode(window.RED.nodes.node('browser-rx-2'));
      return window.RED.nodes.node('browser-rx-2').valid;
    });
    await page.mouse.click(700, 600);
    duplicateValid.should.be.false();
    await page.screenshot({ path: path.join(OUTPUT, 'redox-receive-duplicate.png') });
  });

  describe('the connection dialog on flows as they are shipped', function () {
    const RSA = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const PRIVATE_KEY = RSA.privateKey.export({ type: 'pkcs8', format: 'pem' });

    before(async function () {
      emulator.registerOAuthKey('browser-client', 'browser-key', RSA.publicKey.export({ type: 'spki', format: 'pem' }));
      // deployed through the admin API as a flow file would be, then the editor reloaded to show it
      await nodeRed.client.deploy([
        { id: 'shipped-tab', type: 'tab', label: 'shipped' },
        // no authMethod and no timeout settings: as older flows, and the quick start before it wrote them
        {
          id: 'shipped-legacy',
          type: 'redox-config',
          name: 'written with ${NAME}',
          baseUrl: '${REDOX_TEST_BASE_URL}',
          credentials: { apiKey: '${REDOX_TEST_API_KEY}', secret: '${REDOX_TEST_SECRET}' },
        },
        {
          id: 'shipped-oauth',
          type: 'redox-config',
          name: 'OAuth with a stored key',
          baseUrl: emulator.url,
          authMethod: 'oauth',
          keyId: 'browser-key',
          credentials: { clientId: 'browser-client', privateKey: PRIVATE_KEY },
        },
        {
          id: 'shipped-unwired',
          type: 'redox-send',
          z: 'shipped-tab',
          x: 300,
          y: 100,
          redox: 'shipped-legacy',
          dataModel: 'PatientAdmin',
          eventType: 'NewPatient',
          destinations: JSON.stringify([EMR]),
          wires: [[], []],
        },
        { id: 'shipped-token', type: 'redox-token', z: 'shipped-tab', x: 300, y: 180, redox: 'shipped-oauth', wires: [[], []] },
        {
          id: 'shipped-inject',
          type: 'inject',
          z: 'shipped-tab',
          x: 100,
          y: 100,
          props: [{ p: 'payload' }],
          repeat: '',
          crontab: '',
          once: false,
          topic: '',
          payload: '"not an object"',
          payloadType: 'json',
          wires: [['shipped-unwired']],
        },
      ]);
      await page.reload();
      await page.waitForSelector('#red-ui-palette .red-ui-palette-node[data-palette-type="redox-send"]', { timeout: 30000 });
    });

    async function openConnection(id) {
      await page.evaluate((configId) => window.RED.editor.editConfig('', 'redox-config', configId), id);
      await page.waitForSelector('#node-config-input-authMethod', { state: 'visible' });
    }

    async function closeDialog(button) {
      // a click that lands while the tray is still settling is not taken: click again until it closes
      await waitFor(
        async () => {
          if (await page.isVisible(button)) await page.click(button, { timeout: 2000 }).catch(() => {});
          return (await page.locator('#node-config-input-authMethod').count()) === 0;
        },
        15000,
        `the dialog to close with ${button}`,
      );
    }

    /** Deploys what the editor holds, and waits until the runtime has it (nothing left to deploy). */
    async function deploy() {
      await page.click('#red-ui-header-button-deploy');
      await waitFor(async () => page.evaluate(() => !window.RED.nodes.dirty()), 10000, 'the deploy');
      await page.waitForTimeout(300); // the editor's own bookkeeping after a deploy
    }

    it('shows the legacy key and the defaults for a connection without authMethod or settings, and its untouched Test connection works', async function () {
      await openConnection('shipped-legacy');
      (await page.inputValue('#node-config-input-authMethod')).should.equal('apiKey');
      (await page.locator('#node-config-input-authMethod option:checked').textContent()).should.equal('API key and secret (legacy)');
      (await page.isVisible('#node-config-input-apiKey')).should.be.true();
      for (const [field, shown] of [
        ['requestTimeout', '120'],
        ['maxAttempts', '4'],
        ['rateLimit', '7000'],
        ['maxQueue', 'default'], // Node-RED's nodeMessageBufferMaxLength, else 100,000
      ]) {
        (await page.inputValue(`#node-config-input-${field}`)).should.equal('');
        (await page.getAttribute(`#node-config-input-${field}`, 'placeholder')).should.equal(shown, field);
      }
      (await page.inputValue('#node-config-input-baseUrl')).should.equal('${REDOX_TEST_BASE_URL}');
      const before = emulator.calls.authenticate;
      await page.click('#redox-config-test');
      await page.waitForSelector('#redox-config-test-result.redox-ok, #redox-config-test-result.redox-fail');
      await page.screenshot({ path: path.join(OUTPUT, 'redox-config-written-with-env.png') });
      (await page.textContent('#redox-config-test-result')).should.equal('Authenticated: these settings work');
      emulator.calls.authenticate.should.equal(before + 1);
      await closeDialog('#node-config-dialog-cancel');
    });

    it('shows the Redis fields only for Shared state: Redis, and the File upload URL with its automatic default', async function () {
      await openConnection('shipped-legacy');
      (await page.inputValue('#node-config-input-sharedState')).should.equal('none');
      (await page.isVisible('#node-config-input-redisUrl')).should.be.false();
      (await page.getAttribute('#node-config-input-uploadUrl', 'placeholder')).should.match(/automatic/);
      await page.selectOption('#node-config-input-sharedState', 'redis');
      (await page.isVisible('#node-config-input-redisUrl')).should.be.true();
      (await page.getAttribute('#node-config-input-redisUrl', 'type')).should.equal('password');
      (await page.getAttribute('#node-config-input-sharedKeyPrefix', 'placeholder')).should.match(/automatic/);
      await page.locator('#node-config-input-sharedKeyPrefix').scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(OUTPUT, 'redox-config-shared-state.png') });
      await closeDialog('#node-config-dialog-cancel');
    });

    it('shows a stored private key as stored, keeps it when saved untouched, and removes it on request', async function () {
      await openConnection('shipped-oauth');
      (await page.inputValue('#node-config-input-privateKey')).should.equal('');
      (await page.getAttribute('#node-config-input-privateKey', 'placeholder')).should.match(/private key is stored/);
      (await page.isVisible('#redox-config-remove-key')).should.be.true();
      const before = emulator.calls.oauthToken;
      await page.click('#redox-config-test');
      await page.waitForSelector('#redox-config-test-result.redox-ok, #redox-config-test-result.redox-fail');
      (await page.textContent('#redox-config-test-result')).should.equal('Authenticated: these settings work');
      emulator.calls.oauthToken.should.equal(before + 1);
      await page.screenshot({ path: path.join(OUTPUT, 'redox-config-stored-key.png') });
      await closeDialog('#node-config-dialog-ok');
      await deploy();
      const stored = async () => (await (await fetch(`${nodeRed.url}/credentials/redox-config/shipped-oauth`)).json()).has_privateKey;
      (await stored()).should.be.true(); // saved untouched: kept

      await openConnection('shipped-oauth');
      await page.click('#redox-config-remove-key');
      (await page.getAttribute('#node-config-input-privateKey', 'placeholder')).should.not.match(/stored/);
      await page.fill('#node-config-input-keyId', '');
      await page.fill('#node-config-input-clientSecret', 'a-client-secret');
      await closeDialog('#node-config-dialog-ok');
      await deploy();
      await waitFor(async () => (await stored()) === false, 10000, 'the key to be removed');
    });

    it('shows an error of a node whose error output is not wired as its whole text in the debug sidebar', async function () {
      await page.click('#red-ui-tab-debug-link-button, a[href="#debug"], #red-ui-sidebar-tab-debug').catch(() => {});
      await page.evaluate(() => window.RED.sidebar.show('debug'));
      await page.evaluate(() => window.RED.workspaces.show('shipped-tab'));
      await waitFor(
        async () => {
          await page.locator('#red-ui-workspace-chart .red-ui-flow-node-button').first().click();
          return (await page.locator('.red-ui-debug-msg-level-20').count()) > 0;
        },
        10000,
        'the error in the debug sidebar',
      );
      const shown = await page.locator('.red-ui-debug-msg-level-20 .red-ui-debug-msg-payload').first().textContent();
      await page.screenshot({ path: path.join(OUTPUT, 'debug-sidebar-error.png') });
      shown.trim().should.equal('"msg.payload must be an object holding the Data Model message (it is a string)"'); // the sidebar quotes text
    });
  });
});
