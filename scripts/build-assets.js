// Writes what Node-RED reads beside each compiled node into dist/nodes: the editor HTML, locales,
// icons and the generated data models. redox-config.html gets its settings and credentials from the compiled
// connection-shape module, so that the dialog and the runtime share one definition.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'nodes');
const shape = require(path.join(out, 'lib', 'node-red', 'connection-shape.js'));

/** The text that stands for each `/* connection-shape: NAME *\/` marker in an editor file. */
const GENERATED = {
  settings: [
    ...Object.entries(shape.NUMBER_SETTINGS).map(
      ([name, s]) => `${name}: { value: '${s.runtimeDefault ? '' : s.default}', validate: RED.validators.number(true) },`,
    ),
    ...Object.entries(shape.FLAG_SETTINGS).map(([name, s]) => `${name}: { value: ${s.default} },`),
  ],
  credentials: shape.CREDENTIAL_FIELDS.map((field) => `${field}: { type: 'password' },`),
  // a default the runtime sets shows as the word "default" (the dialog fills it in)
  placeholders: Object.entries(shape.NUMBER_SETTINGS).map(([name, s]) => `${name}: '${s.runtimeDefault ? '' : s.default}',`),
};

function generate(file, text) {
  return text.replace(/\/\* connection-shape: (\w+) \*\//g, (_all, name) => {
    if (!GENERATED[name]) throw new Error(`${file}: unknown connection-shape marker "${name}"`);
    return GENERATED[name].join(' ');
  });
}

fs.mkdirSync(out, { recursive: true });
for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
  if (!file.endsWith('.html')) continue;
  const text = fs.readFileSync(path.join(root, 'nodes', file), 'utf8');
  fs.writeFileSync(path.join(out, file), generate(file, text));
}
fs.cpSync(path.join(root, 'nodes', 'locales'), path.join(out, 'locales'), { recursive: true });
// the data models generated from Redox's schemas, read at run time beside the compiled catalogue
fs.cpSync(path.join(root, 'nodes', 'lib', 'datamodel', 'generated'), path.join(out, 'lib', 'datamodel', 'generated'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(out, 'icons'), { recursive: true });
