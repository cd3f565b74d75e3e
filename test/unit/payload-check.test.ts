import fs from 'node:fs';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import fc from 'fast-check';
import 'should';
import { examplePayload } from '../../nodes/lib/datamodel/catalogue';
import { checkRequest } from '../../nodes/lib/datamodel/payload-check';

/** The original, uncompacted draft-04 schemas (copied by the generator), checked by Ajv's own draft-04 support: the oracle. */
const ORACLE_DIR = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'redox-schemas');
const SAMPLE = [
  ['PatientAdmin', 'NewPatient', 'patientadmin-newpatient.json'],
  ['Scheduling', 'New', 'scheduling-new.json'],
  ['Results', 'New', 'results-new.json'],
  ['Media', 'New', 'media-new.json'],
  ['Device', 'New', 'device-new.json'],
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into a value (object keys and list indexes), the value itself included as []. */
function pathsOf(value: Json, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

/** A copy of `value` with the thing at `at` replaced (or removed, for undefined). */
function changed(value: Json, at: Array<string | number>, replacement: Json | undefined): Json {
  if (at.length === 0) return replacement === undefined ? {} : replacement;
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  let node = copy as Record<string | number, Json>;
  for (const part of at.slice(0, -1)) node = node[part] as Record<string | number, Json>;
  const last = at[at.length - 1];
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 8 }),
  fc.constant([] as Json[]),
  fc.constant({} as Json),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
  fc.dictionary(fc.constantFrom('ID', 'IDType', 'Code', 'x'), fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxKeys: 2 }),
);

describe('unit: the payload check', function () {
  this.timeout(60000);
  const oracle = new Ajv04({ allErrors: true, strict: false });

  for (const [dataModel, eventType, file] of SAMPLE) {
    it(`agrees with the original draft-04 schema of ${dataModel} ${eventType} in strict mode, and never throws`, function () {
      const validate = oracle.compile(JSON.parse(fs.readFileSync(path.join(ORACLE_DIR, file), 'utf8')));
      const base = {
        ...(examplePayload(dataModel, eventType) as Record<string, Json>),
        Meta: { DataModel: dataModel, EventType: eventType },
      } as Json;
      const mutation = fc
        .tuple(fc.nat(), fc.option(anyValue, { nil: undefined }), fc.nat(), fc.option(anyValue, { nil: undefined }))
        .map(([i, first, j, second]) => {
          const paths = pathsOf(base);
          const once = changed(base, paths[i % paths.length], first);
          const again = pathsOf(once);
          return changed(once, again[j % again.length], second);
        });
      let invalid = 0;
      fc.assert(
        fc.property(mutation, (message) => {
          const strict = checkRequest(message as object, dataModel, eventType, 'strict')!;
          checkRequest(message as object, dataModel, eventType, 'required')!.should.be.an.Array();
          const valid = validate(message) as boolean;
          if (!valid) invalid++;
          (strict.length === 0).should.equal(valid, JSON.stringify(message));
        }),
        { numRuns: 300, seed: 42 },
      );
      invalid.should.be.above(30); // the mutations reach invalid payloads, not only valid ones
    });
  }

  it('reads a payload that is not an object at all without throwing: a type problem for strict, none for required', function () {
    for (const value of [null, 'text', 42, [], [{}]]) {
      checkRequest(value as unknown as object, 'PatientAdmin', 'NewPatient', 'required')!.should.be.an.Array();
      checkRequest(value as unknown as object, 'PatientAdmin', 'NewPatient', 'strict')!.should.not.be.empty();
    }
  });

  it('names missing fields in dotted form, list items by index', function () {
    const problems = checkRequest(
      { Meta: { DataModel: 'PatientAdmin', EventType: 'NewPatient' }, Patient: { Identifiers: [{ ID: '1' }, {}] } },
      'PatientAdmin',
      'NewPatient',
      'required',
    )!;
    problems.should.eql([
      { path: 'Patient.Identifiers[0].IDType', message: 'required field missing' },
      { path: 'Patient.Identifiers[1].ID', message: 'required field missing' },
      { path: 'Patient.Identifiers[1].IDType', message: 'required field missing' },
    ]);
  });
});
