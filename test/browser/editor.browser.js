'use strict';
// The editor in headless Chromium (Debian's chromium, driven by playwright-core): the palette,
// the send dialog and its catalogue lists, the config dialog's "Test connection", and a deployed
// flow whose inject button reaches the emulator. Screenshots go to test-output/ (ignored by git).
const fs = require('node:fs');
const path = require('node:path');
require('should');
const { chromium } = require('playwright-core');
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
    nodeRed = await startNodeRed({ settings: { editorTheme: { tours: false }, logging: { console: { level: 'warn' } } } });
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
    await page.locator(`#${id}`).locator('xpath=..').locator('.red-ui-typedInput-option-trigger').click();
    const menu = page.locator('.red-ui-typedInput-options:visible');
    await menu.waitFor();
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

  it('shows the three nodes in the palette under Redox', async function () {
    const category = page.locator('.red-ui-palette-category', {
      has: page.locator('.red-ui-palette-node[data-palette-type="redox-send"]'),
    });
    (await category.locator('.red-ui-palette-header').textContent()).trim().toLowerCase().should.equal('redox');
    (await category.locator('.red-ui-palette-node[data-palette-type="redox-token"]').count()).should.equal(1);
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
});
