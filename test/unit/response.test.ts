import 'should';
import { interpret, metaErrors, type RedoxAnswer } from '../../nodes/lib/datamodel/response';
import type { RedoxError } from '../../nodes/lib/shared/errors';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
const answer = (statusCode: number, body: unknown, json = true): RedoxAnswer => ({ statusCode, headers: JSON_HEADERS, body, json });
const ERROR = { ID: 531829, Text: 'Required field missing - Device.ID in Device:New', Type: 'message', Module: 'DataModels' };

function failure(res: RedoxAnswer): RedoxError {
  try {
    interpret(res);
  } catch (err) {
    return err as RedoxError;
  }
  throw new Error('expected a failure');
}

describe('unit: reading a Redox answer', function () {
  it('passes a 200 with JSON and no Meta.Errors through', function () {
    const body = { Meta: { DataModel: 'Device', Logs: [{ ID: 'l1' }] } };
    interpret(answer(200, body)).should.eql({ statusCode: 200, headers: JSON_HEADERS, body });
  });

  it('treats a 200 with Meta.Errors as a failure', function () {
    const err = failure(answer(200, { Meta: { Errors: [ERROR] } }));
    err.code.should.equal('metaErrors');
    err.params.should.eql({ status: 200, count: 1, text: ERROR.Text });
    err.details.errors!.should.eql([ERROR]);
  });

  it('names an error status with the first Meta.Errors text, or the body', function () {
    failure(answer(400, { Meta: { Errors: [ERROR] } })).params.should.eql({ status: 400, count: 1, text: ERROR.Text });
    const plain = failure(answer(502, 'Bad Gateway', false));
    plain.code.should.equal('httpStatus');
    plain.params.should.eql({ status: 502, count: 0, text: 'Bad Gateway' });
    plain.details.body!.should.equal('Bad Gateway');
  });

  it('reports a 200 that is not JSON as a bad response', function () {
    const err = failure({ statusCode: 200, headers: { 'content-type': 'text/html' }, body: '<html>', json: false });
    err.code.should.equal('badResponse');
    err.params.should.eql({ status: 200, type: 'text/html' });
  });

  it('reads only object entries of Meta.Errors', function () {
    metaErrors({ Meta: { Errors: [ERROR, 'text', null] } }).should.eql([ERROR]);
    metaErrors({ Meta: { Errors: 'none' } }).should.eql([]);
    metaErrors('not an object').should.eql([]);
  });
});
