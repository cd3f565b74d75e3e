import 'should';
import { REDOX_US_UPLOAD_URL, uploadUrlFor } from '../../nodes/lib/redox-urls';
import type { RedoxError } from '../../nodes/lib/shared/errors';

describe('unit: where files are uploaded', function () {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return (err as RedoxError).code;
    }
    return 'none';
  };

  it("uses Redox US's upload host for Redox US, and <base URL>/upload off Redox", function () {
    uploadUrlFor('https://api.redoxengine.com', undefined).should.equal(REDOX_US_UPLOAD_URL);
    uploadUrlFor('https://api.redoxengine.com', '  ').should.equal(REDOX_US_UPLOAD_URL);
    uploadUrlFor('http://127.0.0.1:3333', '').should.equal('http://127.0.0.1:3333/upload');
    uploadUrlFor('https://redox-double.example.org/api', undefined).should.equal('https://redox-double.example.org/api/upload');
  });

  it('asks for the upload URL for another Redox region rather than guess its host', function () {
    codeOf(() => uploadUrlFor('https://api.ca.redoxengine.com', '')).should.equal('uploadUrlNeeded');
    uploadUrlFor('https://api.ca.redoxengine.com', 'https://blob.ca.example/upload/').should.equal('https://blob.ca.example/upload');
  });

  it('checks a given upload URL like a base URL', function () {
    codeOf(() => uploadUrlFor('https://api.redoxengine.com', 'http://files.example.com/upload')).should.equal('insecureBaseUrl');
    codeOf(() => uploadUrlFor('https://api.redoxengine.com', 'ftp://files.example.com')).should.equal('badBaseUrl');
    codeOf(() => uploadUrlFor('https://api.redoxengine.com', 'https://user:pw@files.example.com')).should.equal('badBaseUrl');
  });
});
