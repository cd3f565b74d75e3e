'use strict';
// The emulator's POST /upload, spoken to directly as Redox's documentation describes it.
require('should');
const { RedoxEmulator, DEMO_CREDENTIALS } = require('./support');

const MB = 1024 * 1024;

describe("the emulator's file upload (POST /upload)", function () {
  let emulator;
  let token;
  beforeEach(async function () {
    emulator = new RedoxEmulator();
    await emulator.start();
    const res = await fetch(`${emulator.url}/auth/authenticate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_CREDENTIALS),
    });
    token = (await res.json()).accessToken;
  });
  afterEach(async function () {
    await emulator.stop();
  });

  function form(bytes, field = 'file') {
    const body = new FormData();
    body.append(field, new Blob([bytes], { type: 'application/pdf' }), 'report.pdf');
    return body;
  }

  const upload = (body, headers = { authorization: `Bearer ${token}` }) =>
    fetch(`${emulator.url}/upload`, { method: 'POST', headers, body });

  it('answers 201 with a URI under its base URL, and remembers the upload without its bytes', async function () {
    const res = await upload(form(Buffer.from('%PDF-1.4 hello')));
    res.status.should.equal(201);
    const { URI } = await res.json();
    URI.should.match(new RegExp(`^${emulator.url}/upload/[0-9a-f-]{36}$`));
    emulator.uploads.list.should.have.length(1);
    emulator.uploads.list[0].should.match({ uri: URI, filename: 'report.pdf', contentType: 'application/pdf', bytes: 14 });
    JSON.stringify(emulator.uploads.list).should.not.containEql('hello');
    const state = await (await fetch(`${emulator.url}/_emulator/state`)).json();
    state.uploads[0].uri.should.equal(URI);
  });

  it('refuses a missing or unknown token with 401, and keeps nothing', async function () {
    (await upload(form(Buffer.from('x')), {})).status.should.equal(401);
    (await upload(form(Buffer.from('x')), { authorization: 'Bearer not-issued' })).status.should.equal(401);
    emulator.uploads.list.should.have.length(0);
    emulator.calls.rejected401.should.equal(2);
  });

  it('refuses a body that is not multipart/form-data, or has no "file" part, with 400', async function () {
    const json = await fetch(`${emulator.url}/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    json.status.should.equal(400);
    (await upload(form(Buffer.from('x'), 'document'))).status.should.equal(400);
    emulator.uploads.list.should.have.length(0);
  });

  it('refuses a file over 30 MB with 413', async function () {
    this.timeout(30000);
    const res = await upload(form(Buffer.alloc(30 * MB + 1)));
    res.status.should.equal(413);
    emulator.uploads.list.should.have.length(0);
    (await upload(form(Buffer.alloc(30 * MB)))).status.should.equal(201);
  });

  it('does not refuse a Media message naming an unknown upload URI (what Redox does there is not documented)', async function () {
    const body = {
      Meta: { DataModel: 'Media', EventType: 'New', Test: true, Destinations: [{ ID: 'af394f14-b34a-464f-8d24-895f370af4c9' }] },
      Patient: { Identifiers: [{ ID: '0000000001', IDType: 'MR' }] },
      Media: {
        FileType: 'PDF',
        FileName: 'x',
        FileContents: `${emulator.url}/upload/unknown`,
        DocumentType: 'Lab',
        DocumentID: 'd1',
        Provider: { ID: '1' },
        Availability: 'Available',
      },
    };
    const res = await fetch(`${emulator.url}/endpoint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    res.status.should.equal(200);
  });
});
