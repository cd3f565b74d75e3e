import 'should';
import vm from 'node:vm';
import { isPlainObject } from '../../nodes/lib/shared/values';

describe('unit: what counts as a plain object', function () {
  it('takes object literals, also ones made in a function node (another realm), and null-prototype objects', function () {
    isPlainObject({ a: 1 }).should.be.true();
    isPlainObject(vm.runInNewContext('({ Patient: {} })')).should.be.true();
    isPlainObject(Object.create(null)).should.be.true();
  });

  it('refuses arrays, Buffers, Dates, class instances and non-objects, from any realm', function () {
    class Thing {}
    for (const value of [
      [],
      Buffer.alloc(1),
      new Date(),
      new Thing(),
      null,
      'x',
      1,
      vm.runInNewContext('[1]'),
      vm.runInNewContext('new Date()'),
    ]) {
      isPlainObject(value).should.be.false();
    }
  });
});
