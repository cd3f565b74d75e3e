import fs from 'node:fs';
import path from 'node:path';
import should from 'should';
import { CREDENTIAL_FIELDS, FLAG_SETTINGS, NUMBER_SETTINGS } from '../../nodes/lib/node-red/connection-shape';

interface Definition {
  defaults: Record<string, { value: unknown }>;
  credentials: Record<string, { type: string }>;
}

/** Runs the built redox-config.html's registration script with a stand-in RED, as the editor would. */
function editorDefinition(): Definition {
  const html = fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', 'redox-config.html'), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1];
  let definition: Definition | undefined;
  const RED = {
    nodes: { registerType: (_type: string, def: Definition) => (definition = def) },
    validators: { number: () => () => true },
  };
  new Function('RED', '$', script)(RED, () => undefined);
  return definition!;
}

describe("unit: the editor and the runtime share the connection's shape", function () {
  it('the dialog stores the same credentials, all as passwords', function () {
    const { credentials } = editorDefinition();
    Object.keys(credentials).should.eql([...CREDENTIAL_FIELDS]);
    for (const field of CREDENTIAL_FIELDS) credentials[field].type.should.equal('password');
  });

  it('the dialog starts from the same defaults the runtime uses', function () {
    const { defaults } = editorDefinition();
    for (const [name, setting] of Object.entries(NUMBER_SETTINGS)) {
      // a default the runtime sets (settings.js) leaves the field empty
      if ('runtimeDefault' in setting) defaults[name].value!.should.equal('', name);
      else Number(defaults[name].value).should.equal(setting.default, name);
    }
    for (const [name, setting] of Object.entries(FLAG_SETTINGS)) should(defaults[name].value).equal(setting.default, name);
  });
});
