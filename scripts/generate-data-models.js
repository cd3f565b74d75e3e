#!/usr/bin/env node
// `npm run generate:data-models`: reads Redox's JSON schemas (../shared/redox-schemas) and the
// event-type table of the API reference (../shared/redox-api.md section 4), and writes the
// package's data-model files (nodes/lib/datamodel/generated): the compacted schemas, the list of
// events with their names and query flags, the catalogue and an example payload per event, and the
// schemas' licence. A developer's command: it needs ../shared, which CI and the runtime never read.
//   --check   fails (exit 1) when the committed files differ from what it would write
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { derive, GENERATED } = require('./data-models/derive');

const root = path.join(__dirname, '..');
const SHARED = path.join(root, '..', 'shared');
const SCHEMAS = path.join(SHARED, 'redox-schemas');
/** Files whose EventType spelling is unconfirmed (../shared/redox-schemas/README.md): left out. */
const UNCONFIRMED = new Set(['claim/paymentbatch.json', 'claim/submissionbatch.json']);
/** The original, uncompacted schemas the fuzz test's oracle reads (a sample: copied, not shipped). */
const ORACLE_SAMPLE = ['patientadmin/newpatient.json', 'scheduling/new.json', 'results/new.json', 'media/new.json', 'device/new.json'];
const ORACLE_DIR = path.join(root, 'test', 'fixtures', 'redox-schemas');

function fail(message) {
  console.error(`generate:data-models: ${message}`);
  process.exit(2);
}

const squash = (name) => name.toLowerCase().replace(/\s+/g, '');

/** The rows of the event-type table: data model, event types, which are queries (bold). */
function readTable() {
  const text = fs.readFileSync(path.join(SHARED, 'redox-api.md'), 'utf8');
  const start = text.indexOf('| `Meta.DataModel` |');
  if (start === -1) fail('the event-type table is not in redox-api.md');
  const rows = [];
  for (const line of text.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [model, events] = line
      .split('|')
      .slice(1, 3)
      .map((cell) => cell.trim());
    for (const raw of events.split(',').map((e) => e.trim())) {
      const query = /^\*\*.+\*\*$/.test(raw);
      rows.push({ dataModel: model, eventType: raw.replace(/\*/g, ''), query });
    }
  }
  return rows;
}

/** A schema without what only validators of other drafts need: no $schema, no repeated types. */
function compact(schema) {
  if (Array.isArray(schema)) return schema.map(compact);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    out[key] = key === 'type' && Array.isArray(value) ? [...new Set(value)] : compact(value);
  }
  return out;
}

function generate(out) {
  const files = new Set();
  for (const dir of fs.readdirSync(SCHEMAS, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(SCHEMAS, dir.name))) if (file.endsWith('.json')) files.add(`${dir.name}/${file}`);
  }
  const used = new Set();
  const take = (file, what) => {
    if (!files.has(file)) fail(`no schema ${file} for ${what}`);
    used.add(file);
    return file;
  };
  const events = readTable().map((row) => {
    const dir = squash(row.dataModel);
    const base = squash(row.eventType);
    const what = `${row.dataModel} ${row.eventType}`;
    const entry = { ...row, schema: take(`${dir}/${base}.json`, what) };
    if (row.query) {
      // PatientSearch Query's answer is patientsearch/response.json; every other query's is <event>response.json.
      const answer = files.has(`${dir}/${base}response.json`) ? `${dir}/${base}response.json` : `${dir}/response.json`;
      if (files.has(answer) && !(dir === 'patientsearch' && base !== 'query' && answer === `${dir}/response.json`))
        entry.answer = take(answer, `${what}'s answer`);
    }
    return entry;
  });
  const unmatched = [...files].filter((f) => !used.has(f) && !UNCONFIRMED.has(f));
  if (unmatched.length) fail(`schema files that no row of the event-type table names: ${unmatched.join(', ')}`);

  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'schemas'), { recursive: true });
  for (const file of used) {
    const target = path.join(out, 'schemas', file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `${JSON.stringify(compact(JSON.parse(fs.readFileSync(path.join(SCHEMAS, file), 'utf8'))))}\n`);
  }
  const models = {
    source: "Redox JSON schemas (redox-contrib/models 0.2.0, MIT: see LICENSE) and the event-type table of Redox's documentation",
    leftOut: [...UNCONFIRMED].sort().map((file) => `${file}: EventType spelling unconfirmed`),
    events,
  };
  fs.writeFileSync(path.join(out, 'models.json'), `${JSON.stringify(models, null, 2)}\n`);
  const { catalogue, examples } = derive(out);
  fs.writeFileSync(path.join(out, 'catalogue.json'), `${JSON.stringify(catalogue, null, 2)}\n`);
  fs.writeFileSync(path.join(out, 'examples.json'), `${JSON.stringify(examples, null, 2)}\n`);
  fs.copyFileSync(path.join(SCHEMAS, 'LICENSE'), path.join(out, 'LICENSE'));
  return events.length;
}

function copyOracleSample(out) {
  fs.mkdirSync(out, { recursive: true });
  for (const file of ORACLE_SAMPLE) fs.copyFileSync(path.join(SCHEMAS, file), path.join(out, file.replace('/', '-')));
}

/** Every file under a directory, with its text. */
function snapshot(dir) {
  const out = {};
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      out[path.relative(dir, file)] = fs.readFileSync(file, 'utf8');
    }
  }
  return out;
}

if (!fs.existsSync(SCHEMAS)) fail(`no schemas at ${SCHEMAS}: this command needs ../shared beside the checkout`);
if (process.argv.includes('--check')) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'redox-data-models-'));
  try {
    generate(path.join(temp, 'generated'));
    copyOracleSample(path.join(temp, 'oracle'));
    const stale = [];
    for (const [fresh, committed] of [
      [path.join(temp, 'generated'), GENERATED],
      [path.join(temp, 'oracle'), ORACLE_DIR],
    ]) {
      const a = snapshot(fresh);
      const b = snapshot(committed);
      for (const file of new Set([...Object.keys(a), ...Object.keys(b)]))
        if (a[file] !== b[file]) stale.push(path.join(path.relative(root, committed), file));
    }
    if (stale.length) {
      console.error(`generate:data-models: the committed files are stale; run npm run generate:data-models\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log('generate:data-models: the committed files are up to date');
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
} else {
  const count = generate(GENERATED);
  copyOracleSample(ORACLE_DIR);
  console.log(`generate:data-models: ${count} events written to ${path.relative(root, GENERATED)}`);
}
