import 'should';
import { DeliveryFilter, INVALID, listOf, readBody, readVerificationQuery } from '../../nodes/lib/receive/delivery';
import { TokenCheck } from '../../nodes/lib/receive/token-check';

describe('unit: reading what Redox sends to a destination', function () {
  it('matches the token exactly, from either header, and never an empty one', function () {
    const check = new TokenCheck('s3cret-token');
    check.matches('s3cret-token').should.be.true();
    for (const wrong of ['s3cret-toke', 's3cret-token ', 'S3CRET-TOKEN', '', undefined, 42, ['s3cret-token']])
      check.matches(wrong).should.be.false();
    check.matchesHeaders({ 'verification-token': 's3cret-token' }).should.be.true();
    check.matchesHeaders({ authorization: 'Bearer s3cret-token' }).should.be.true();
    check.matchesHeaders({ authorization: 'bearer  s3cret-token' }).should.be.true();
    check.matchesHeaders({ authorization: 's3cret-token' }).should.be.false();
    check.matchesHeaders({}).should.be.false();
    const unset = new TokenCheck('');
    unset.configured.should.be.false();
    unset.matches('').should.be.false();
    unset.matchesHeaders({ 'verification-token': '' }).should.be.false();
  });

  it('tells a verification from a delivery, and says why a body is refused', function () {
    readBody('{"verification-token":"t","challenge":"c"}').should.eql({ kind: 'verification', token: 't', challenge: 'c' });
    readBody('not json').should.eql({ kind: 'invalid', reason: INVALID.notJson });
    readBody('[]').should.eql({ kind: 'invalid', reason: INVALID.noMeta });
    readBody('{"Meta":{"DataModel":"Results","EventType":""}}').should.eql({ kind: 'invalid', reason: INVALID.noMeta });
    // a delivery that happens to carry a challenge field is still a delivery
    const read = readBody(
      Buffer.from('{"challenge":"c","Meta":{"DataModel":"Results","EventType":"New","Test":true,"Logs":[{"ID":"L1"}]}}'),
    );
    read.should.match({ kind: 'delivery', meta: { dataModel: 'Results', eventType: 'New', test: true, logId: 'L1' } });
    readVerificationQuery({ challenge: 'c', 'verification-token': 't' })!.should.eql({ token: 't', challenge: 'c' });
    (readVerificationQuery({ 'verification-token': 't' }) === undefined).should.be.true();
  });

  it('filters by data model, event type and test flag; empty lists let all through', function () {
    const meta = (dataModel: string, eventType: string, test?: boolean) => ({
      dataModel,
      eventType,
      test,
      source: undefined,
      destinations: undefined,
      logId: undefined,
    });
    new DeliveryFilter({}).passes(meta('Results', 'New', true)).should.be.true();
    const filter = new DeliveryFilter({ dataModels: ['PatientAdmin'], eventTypes: 'Arrival, Discharge', allowTest: false });
    filter.passes(meta('PatientAdmin', 'Arrival', false)).should.be.true();
    filter.passes(meta('PatientAdmin', 'Arrival')).should.be.true();
    filter.passes(meta('PatientAdmin', 'Arrival', true)).should.be.false();
    filter.passes(meta('PatientAdmin', 'Transfer', false)).should.be.false();
    filter.passes(meta('Results', 'Arrival', false)).should.be.false();
    listOf([' A ', '', 3, 'B']).should.eql(['A', 'B']);
    listOf(undefined).should.eql([]);
  });
});
