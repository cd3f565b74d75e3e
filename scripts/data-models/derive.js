// What the package derives from the committed, compacted Redox schemas: the catalogue the editor,
// the runtime and the emulator share, and an example payload per event. The generator writes it;
// a test derives it again from the committed schemas and compares (CI never reads ../shared).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const GENERATED = path.join(__dirname, '..', '..', 'nodes', 'lib', 'datamodel', 'generated');

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The dotted paths of the fields a schema requires, at every level (`Patient.Identifiers[].ID`). */
function requiredPaths(schema, prefix = '') {
  const out = [];
  const node = schema.type === 'array' || schema.items ? schema.items : schema;
  if (!node) return out;
  for (const name of node.required ?? []) {
    const child = node.properties?.[name] ?? {};
    const here = `${prefix}${name}`;
    out.push(here);
    const nested = child.type === 'array' || child.items ? `${here}[].` : `${here}.`;
    out.push(...requiredPaths(child, nested));
  }
  return out;
}

// Sample values by field name: Redox's test patient Timothy Bixby, a visit, a provider, a
// document. A field not named here gets a value made from its name and type.
const PATIENT_IDS = [{ ID: '0000000001', IDType: 'MR' }];
const BY_NAME = {
  ID: '0000000001',
  IDType: 'MR',
  FirstName: 'Timothy',
  MiddleName: 'Paul',
  LastName: 'Bixby',
  DOB: '2008-01-06',
  Sex: 'Male',
  SSN: '101-01-0001',
  StreetAddress: '4762 Hickory Street',
  City: 'Monroe',
  State: 'WI',
  ZIP: '53566',
  Country: 'US',
  VisitNumber: '1234',
  VisitDateTime: '2026-12-01T09:30:00.000Z',
  DateTime: '2026-12-01T09:30:00.000Z',
  StartDateTime: '2026-12-01T09:00:00.000Z',
  EndDateTime: '2026-12-01T17:00:00.000Z',
  DateTimeOfService: '2026-12-01T09:30:00.000Z',
  Expiration: '2026-12-01T10:30:00.000Z',
  IssuedAt: '2026-12-01T09:30:00.000Z',
  Duration: 30,
  Department: 'Cardiology',
  Facility: 'Community Hospital',
  Code: '2951-2',
  CodeSystem: '2.16.840.1.113883.6.1',
  CodeSystemName: 'LOINC',
  Description: 'Sodium',
  Value: '140',
  ValueType: 'Numeric',
  Units: 'mmol/L',
  Status: 'Final',
  DocumentType: 'Discharge Summary',
  DocumentID: 'b169267c-10c9-4fe3-91ae-9c2f5703e90a',
  OriginalDocumentID: 'b169267c-10c9-4fe3-91ae-9c2f5703e90a',
  FileType: 'PDF',
  FileName: 'discharge-summary',
  FileContents: 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK',
  ContentType: 'application/pdf',
  Availability: 'Available',
  Directory: 'Community Hospital Directory',
  Action: 'Update',
  Active: true,
  IsActive: true,
  Type: 'Inpatient',
  Session: '3d5b5b2f-39ac-4c4e-9c8a-0d5e1e2a9b7c',
  Subject: '0000000001',
  ApplicationOrderID: '157968300',
  Data: 'Timothy Bixby',
  Name: 'Timothy Bixby',
};

/** Values that depend on what they describe (a provider's ID is an NPI, an organization's name is not a person's). */
function idFor(parent) {
  if (/Provider|Physician|Author|Orderer|Producer|Attending|Referring|Consulting|Admitting/.test(parent)) {
    return { ID: '4356789876', IDType: 'NPI', FirstName: 'Pat', LastName: 'Granite' };
  }
  if (/Order/.test(parent)) return { ID: '157968300' };
  if (/Organization|Facility/.test(parent)) return { ID: 'ORG-1', Name: 'Community Hospital' };
  if (/Device/.test(parent)) return { ID: 'D-4711' };
  if (/Visit/.test(parent)) return { ID: '1234' };
  return undefined;
}

/** A value for a field the sample table does not name: its name in words, or a number, or true. */
function byType(name, schema) {
  const types = [].concat(schema.type ?? 'string');
  if (types.includes('number')) return 1;
  if (types.includes('boolean')) return true;
  return name.replace(/([a-z])([A-Z])/g, '$1 $2');
}

/** An example for a schema: every required field at every level, and the patient's identity where the schema has room for it. */
function exampleOf(schema, name = '', parent = '') {
  if (schema.type === 'array' || schema.items) return [exampleOf(schema.items ?? {}, name, parent)];
  if (schema.type === 'object' || schema.properties) {
    const out = {};
    const props = schema.properties ?? {};
    const wanted = new Set(schema.required ?? []);
    // A message that can name a patient names Timothy Bixby, with his identifiers and name, required or not.
    if (name === '' && props.Patient) wanted.add('Patient');
    if (name === 'Patient' || name === 'Demographics') {
      for (const extra of ['Identifiers', 'Demographics', 'FirstName', 'LastName', 'DOB', 'Sex']) if (props[extra]) wanted.add(extra);
    }
    for (const key of Object.keys(props)) {
      if (!wanted.has(key) || key === 'Meta') continue;
      out[key] = key === 'Identifiers' && name === 'Patient' ? PATIENT_IDS : exampleOf(props[key], key, name);
    }
    return out;
  }
  const contextual = idFor(parent);
  const sample = contextual && Object.prototype.hasOwnProperty.call(contextual, name) ? contextual[name] : BY_NAME[name];
  // a sample value only where the schema's type takes it (one schema types an IDType as a number)
  const types = [].concat(schema.type ?? ['string', 'number', 'boolean']);
  return Object.prototype.hasOwnProperty.call(BY_NAME, name) || sample !== undefined
    ? types.includes(typeof sample)
      ? sample
      : byType(name, schema)
    : byType(name, schema);
}

/**
 * The catalogue and the examples, from models.json (names from Redox's event-type table, which
 * the schemas don't carry) and the compacted schemas.
 */
function derive(dir = GENERATED) {
  const models = readJson(path.join(dir, 'models.json'));
  const catalogue = {};
  const examples = {};
  for (const entry of models.events) {
    const schema = readJson(path.join(dir, 'schemas', entry.schema));
    const model = (catalogue[entry.dataModel] ??= { events: [], queries: [], required: {} });
    (entry.query ? model.queries : model.events).push(entry.eventType);
    model.required[entry.eventType] = requiredPaths(schema).filter((p) => !p.startsWith('Meta'));
    examples[`${entry.dataModel}/${entry.eventType}`] = exampleOf(schema);
  }
  return { catalogue, examples };
}

module.exports = { derive, requiredPaths, GENERATED };
