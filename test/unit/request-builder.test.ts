import should from 'should';
import { buildRequest, parseDestinations, type SendSettings } from '../../nodes/lib/datamodel/request-builder';

const EMR = 'af394f14-b34a-464f-8d24-895f370af4c9';
const SETTINGS: SendSettings = {
  dataModel: 'PatientAdmin',
  eventType: 'NewPatient',
  destinations: [{ ID: EMR, Name: 'Redox EMR' }],
  test: true,
};
const NOW = new Date('2026-11-30T12:00:00.000Z');
const patient = () => ({ Patient: { Identifiers: [{ ID: '0000000001', IDType: 'MR' }] } });

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error('expected a RedoxError');
}

describe('unit: request builder', function () {
  it("fills Meta from the node's settings and keeps the model's keys beside it", function () {
    const request = buildRequest(patient(), SETTINGS, { now: NOW });
    request.path.should.equal('/endpoint');
    JSON.parse(request.body).should.eql({
      ...patient(),
      Meta: {
        DataModel: 'PatientAdmin',
        EventType: 'NewPatient',
        EventDateTime: NOW.toISOString(),
        Test: true,
        Destinations: [{ ID: EMR, Name: 'Redox EMR' }],
      },
    });
  });

  it("lets msg.payload.Meta override the node's settings, and never changes the payload", function () {
    const payload = {
      ...patient(),
      Meta: { EventType: 'PatientUpdate', Test: false, Destinations: [{ ID: 'other' }], FacilityCode: 'RES' },
    };
    const before = JSON.stringify(payload);
    const meta = JSON.parse(buildRequest(payload, SETTINGS, { now: NOW }).body).Meta;
    meta.should.containDeep({
      DataModel: 'PatientAdmin',
      EventType: 'PatientUpdate',
      Test: false,
      Destinations: [{ ID: 'other' }],
      FacilityCode: 'RES',
    });
    JSON.stringify(payload).should.equal(before);
  });

  it('posts a query to /endpoint, as every data model, and insists on exactly one destination', function () {
    const query = { dataModel: 'PatientSearch', eventType: 'Query', test: false };
    buildRequest(patient(), { ...query, destinations: [{ ID: EMR }] }, { now: NOW }).path.should.equal('/endpoint');
    codeOf(() => buildRequest(patient(), { ...query, destinations: [{ ID: EMR }, { ID: 'x' }] }, { now: NOW })).should.equal(
      'queryOneDestination',
    );
  });

  it('says what is wrong, with a code a flow can switch on', function () {
    codeOf(() => buildRequest('text', SETTINGS)).should.equal('payloadNotObject');
    codeOf(() => buildRequest({ Meta: [] }, SETTINGS)).should.equal('metaNotObject');
    codeOf(() => buildRequest({}, { ...SETTINGS, dataModel: ' ' })).should.equal('missingDataModel');
    codeOf(() => buildRequest({}, { ...SETTINGS, eventType: '' })).should.equal('missingEventType');
    codeOf(() => buildRequest({}, { ...SETTINGS, destinations: [] })).should.equal('missingDestination');
    codeOf(() => buildRequest({ Meta: { Destinations: [{ Name: 'no ID' }] } }, SETTINGS)).should.equal('badDestination');
    codeOf(() => buildRequest({ Meta: { Test: 'yes' } }, SETTINGS)).should.equal('badTestFlag');
    codeOf(() => buildRequest({ n: BigInt(1) }, SETTINGS)).should.equal('notSerializable');
  });

  it('takes Meta.Test and Meta.EventDateTime given as null as not set', function () {
    const meta = JSON.parse(buildRequest({ ...patient(), Meta: { Test: null, EventDateTime: null } }, SETTINGS, { now: NOW }).body).Meta;
    meta.Test.should.be.true(); // the node's setting
    meta.EventDateTime.should.equal(NOW.toISOString());
  });

  it("names the connection's source in Meta.Source.ID, unless the payload names one", function () {
    JSON.parse(buildRequest(patient(), SETTINGS, { sourceId: 'src-1' }).body).Meta.Source.should.eql({ ID: 'src-1' });
    const own = { ...patient(), Meta: { Source: { ID: 'mine', Name: 'Mine' } } };
    JSON.parse(buildRequest(own, SETTINGS, { sourceId: 'src-1' }).body).Meta.Source.should.eql({ ID: 'mine', Name: 'Mine' });
    (JSON.parse(buildRequest(patient(), SETTINGS).body).Meta.Source === undefined).should.be.true();
  });

  it('keeps a "__proto__" key as a plain key', function () {
    const payload = JSON.parse('{"__proto__": {"polluted": true}, "Patient": {}}');
    const body = buildRequest(payload, SETTINGS, { now: NOW }).body;
    body.should.containEql('"__proto__":{"polluted":true}');
    should(({} as Record<string, unknown>).polluted).be.undefined();
  });

  it('reads destinations as the node stores them and as flows give them', function () {
    parseDestinations(JSON.stringify([EMR]), ['Redox EMR']).should.eql([{ ID: EMR, Name: 'Redox EMR' }]);
    parseDestinations(` ${EMR} `).should.eql([{ ID: EMR }]);
    parseDestinations([{ ID: EMR, Name: 'EMR' }, '']).should.eql([{ ID: EMR, Name: 'EMR' }]);
    parseDestinations(undefined).should.eql([]);
    codeOf(() => parseDestinations('[not json')).should.equal('badSetting');
    codeOf(() => parseDestinations([42])).should.equal('badSetting');
  });
});
