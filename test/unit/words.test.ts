import fs from 'node:fs';
import path from 'node:path';
import 'should';
import { ERROR_WORDS, STATE_WORDS, type WordOwner } from '../../nodes/lib/node-red/words';

type Catalogue = Record<string, { errors?: Record<string, string>; status?: Record<string, string> }>;

const LOCALES = path.join(__dirname, '..', '..', 'nodes', 'locales', 'en-US');
const catalogue = (owner: WordOwner) => (JSON.parse(fs.readFileSync(path.join(LOCALES, `${owner}.json`), 'utf8')) as Catalogue)[owner];

describe("unit: every error and state has its words in its owner's locale file", function () {
  it('an error text for every code', function () {
    for (const [code, { owner }] of Object.entries(ERROR_WORDS)) {
      (catalogue(owner).errors ?? {}).should.have.property(code);
    }
  });

  it('a status word for every error and every state', function () {
    for (const { owner, status } of Object.values(ERROR_WORDS)) {
      for (const word of status === 'http' ? ['httpStatus', 'httpErrors'] : [status]) {
        Object.keys(catalogue(owner).status ?? {}).should.containEql(word);
      }
    }
    for (const [state, { owner }] of Object.entries(STATE_WORDS)) (catalogue(owner).status ?? {}).should.have.property(state);
  });

  it('one "no connection" text, in the config node\'s file only', function () {
    catalogue('redox-config').errors!.should.have.property('noConfig');
    for (const owner of ['redox-send', 'redox-token'] as const) (catalogue(owner).errors ?? {}).should.not.have.property('noConfig');
  });
});
