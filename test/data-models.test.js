'use strict';
// The data models generated from Redox's schemas: regenerated without a diff from the committed
// schemas, every example accepted by the node's check and by the emulator, missing fields caught
// by the node (with their paths) and by the emulator, and every query answered in the shape of its
// answer schema.
const fs = require('node:fs');
const path = require('node:path');
require('should');
const { helper, NODES, EMR, buildFlow, sendNode, credentials, collect, sendAndWait, useEmulator } = require('./support');
const { derive, GENERATED } = require('../scripts/data-models/derive');
const { DATA_MODELS, generatedEvent, readSchema, examplePayload } = require('../dist/nodes/lib/datamodel/catalogue');
const { validatorFor } = require('../dist/nodes/lib/datamodel/payload-check');

const EVENTS = Object.entries(DATA_MODELS).flatMap(([dataModel, e]) =>
  [...e.events, ...e.queries].map((eventType) => ({ dataModel, eventType })),
);
const clone = (value) => JSON.parse(JSON.stringify(value));

/** Removes a required field, given as Redox's dotted path with [] for lists (the first item is used). */
function without(payload, requiredPath) {
  const copy = clone(payload);
  const parts = requiredPath.split('.');
  let node = copy;
  for (const part of parts.slice(0, -1)) node = part.endsWith('[]') ? node[part.slice(0, -2)][0] : node[part];
  delete node[parts[parts.length - 1]];
  return copy;
}

/** The same path as the node names it: the first list item, [0]. */
const named = (requiredPath) => requiredPath.replace(/\[\]/g, '[0]');

describe('data models from Redox schemas', function () {
  this.timeout(60000);

  it('derives the catalogue and the examples from the committed schemas without a diff, and compiles every validator', function () {
    const { catalogue, examples } = derive(GENERATED);
    JSON.parse(fs.readFileSync(path.join(GENERATED, 'catalogue.json'), 'utf8')).should.eql(catalogue);
    JSON.parse(fs.readFileSync(path.join(GENERATED, 'examples.json'), 'utf8')).should.eql(examples);
    EVENTS.length.should.equal(86);
    for (const { dataModel, eventType } of EVENTS) {
      for (const mode of ['required', 'strict'])
        (typeof validatorFor(dataModel, eventType, mode)).should.equal('function', `${dataModel} ${eventType}`);
    }
    fs.readFileSync(path.join(GENERATED, 'LICENSE'), 'utf8').should.match(/MIT/);
  });

  it('has a realistic example for every event: every required field filled, no placeholder values', function () {
    for (const { dataModel, eventType } of EVENTS) {
      const example = examplePayload(dataModel, eventType);
      example.should.be.an.Object();
      JSON.stringify(example).should.not.match(/"(string|null|undefined|TODO|example)"/i);
      for (const mode of ['required', 'strict']) {
        const validate = validatorFor(dataModel, eventType, mode);
        validate({ ...example, Meta: { DataModel: dataModel, EventType: eventType } }).should.be.true(
          `${dataModel} ${eventType} (${mode})`,
        );
      }
    }
  });

  describe('through a real Node-RED and the emulator', function () {
    const ctx = useEmulator();

    async function load(settings) {
      const node = sendNode('send', {
        dataModel: 'dataModel',
        dataModelType: 'msg',
        eventType: 'eventType',
        eventTypeType: 'msg',
        ...settings,
      });
      await helper.load(NODES, buildFlow(ctx.url, [node]), credentials());
      return collect(['send']);
    }

    it('sends every example as it is: the check passes it and the emulator accepts it', async function () {
      const outputs = await load({ destinations: JSON.stringify([EMR]) });
      for (const { dataModel, eventType } of EVENTS) {
        const out = await sendAndWait('send', { dataModel, eventType, payload: examplePayload(dataModel, eventType) }, outputs);
        out.port.should.equal('ok', `${dataModel} ${eventType}: ${out.msg.error?.message}`);
        out.msg.statusCode.should.equal(200);
      }
      ctx.emulator.received.should.have.length(EVENTS.length);
    });

    for (const [dataModel, eventType] of [
      ['PatientAdmin', 'NewPatient'],
      ['Results', 'New'],
      ['Media', 'New'],
      ['Scheduling', 'New'],
      ['Device', 'New'],
    ]) {
      it(`catches each missing required field of ${dataModel} ${eventType} with its path, and the emulator refuses it too`, async function () {
        const outputs = await load({ destinations: JSON.stringify([EMR]) });
        const example = examplePayload(dataModel, eventType);
        const required = DATA_MODELS[dataModel].required[eventType];
        required.length.should.be.above(1);
        for (const field of required) {
          const out = await sendAndWait('send', { dataModel, eventType, payload: without(example, field) }, outputs);
          out.port.should.equal('err', field);
          out.msg.error.code.should.equal('invalidPayload');
          out.msg.error.errors.map((e) => e.path).should.containEql(named(field));
        }
        ctx.emulator.received.should.have.length(0); // none was sent

        await helper.unload();
        const unchecked = await load({ destinations: JSON.stringify([EMR]), checkPayload: 'off' });
        for (const field of required) {
          const out = await sendAndWait('send', { dataModel, eventType, payload: without(example, field) }, unchecked);
          out.msg.error.statusCode.should.equal(400, field);
          // Redox's path notation inside the text is unconfirmed: only that it names a missing field
          out.msg.error.errors[0].Text.should.startWith('Required field missing - ');
        }
      });
    }

    it('checks types too in strict mode, and not in required mode', async function () {
      const payload = clone(examplePayload('PatientAdmin', 'NewPatient'));
      payload.Patient.Identifiers[0].ID = 1; // a number where the schema says string
      let outputs = await load({ destinations: JSON.stringify([EMR]), checkPayload: 'strict' });
      const strict = await sendAndWait('send', { dataModel: 'PatientAdmin', eventType: 'NewPatient', payload }, outputs);
      strict.msg.error.code.should.equal('invalidPayload');
      strict.msg.error.errors.should.eql([{ path: 'Patient.Identifiers[0].ID', message: 'must be string' }]);
      await helper.unload();
      outputs = await load({ destinations: JSON.stringify([EMR]) });
      (await sendAndWait('send', { dataModel: 'PatientAdmin', eventType: 'NewPatient', payload }, outputs)).port.should.equal('ok');
    });

    it('sends an event the schemas do not know unchecked, and warns once', async function () {
      const outputs = await load({ destinations: JSON.stringify([EMR]) });
      for (let i = 0; i < 2; i++) await sendAndWait('send', { dataModel: 'PatientAdmin', eventType: 'Teleport', payload: {} }, outputs);
      ctx.emulator.received.should.have.length(2); // sent: the emulator answers 404 for the unknown event
      const warnings = helper.log().args.filter((a) => a[0].level === helper.log().WARN && /unchecked/.test(a[0].msg));
      warnings.should.have.length(1);
    });

    it("answers every query in the shape of its answer schema's top-level keys", async function () {
      const outputs = await load({ destinations: JSON.stringify([EMR]) });
      for (const { dataModel, eventType } of EVENTS) {
        const event = generatedEvent(dataModel, eventType);
        if (!event.query) continue;
        const out = await sendAndWait('send', { dataModel, eventType, payload: examplePayload(dataModel, eventType) }, outputs);
        const expected = event.answer ? Object.keys(readSchema(event.answer).properties) : ['Meta'];
        Object.keys(out.msg.payload)
          .sort()
          .should.eql([...expected].sort(), `${dataModel} ${eventType}`);
        out.msg.payload.Meta.EventType.should.equal(eventType);
      }
    });
  });
});
