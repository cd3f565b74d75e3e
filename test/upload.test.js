'use strict';
// redox-upload in a real Node-RED runtime against the emulator's POST /upload: multipart through
// got, the URI used in a Media New, the token's renewal, a 429, the limits and bad input.
const crypto = require('node:crypto');
require('should');
const { helper, NODES, buildFlow, credentials, collect, sendAndWait, useEmulator, word, EMR } = require('./support');
const { requireFromNodeRed } = require('./node-red-path');

const UPLOAD = require('../dist/nodes/redox-upload');
const MB = 1024 * 1024;
/** A small PDF, as a flow would read it with a file-in node. */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

describe('redox-upload', function () {
  const ctx = useEmulator();

  async function load(config = {}, extra = [], extraNodes = []) {
    const flow = buildFlow(ctx.url, [{ id: 'up', type: 'redox-upload' }], { config });
    flow.push(...extra);
    await helper.load([...NODES, UPLOAD, ...extraNodes], flow, credentials());
    return collect(['up']);
  }

  it("uploads a Buffer as multipart/form-data and outputs Redox's {URI}, keeping the message", async function () {
    const outputs = await load();
    const out = await sendAndWait(
      'up',
      { payload: PDF, filename: '/data/reports/lab-report.pdf', contentType: 'application/pdf', _keep: 7 },
      outputs,
    );
    out.port.should.equal('ok');
    out.msg.statusCode.should.equal(201);
    out.msg._keep.should.equal(7);
    const [upload] = ctx.emulator.uploads.list;
    out.msg.payload.should.eql({ URI: `${ctx.url}/upload/${upload.id}` });
    upload.should.match({ filename: 'lab-report.pdf', contentType: 'application/pdf', bytes: PDF.length, sha256: sha256(PDF) });
    ctx.emulator.calls.upload.should.equal(1);
  });

  it('takes a strict base64 string too, and names an unnamed file "file"', async function () {
    const outputs = await load();
    const out = await sendAndWait('up', { payload: PDF.toString('base64') }, outputs);
    out.port.should.equal('ok');
    ctx.emulator.uploads.list[0].should.match({ filename: 'file', contentType: 'application/octet-stream', sha256: sha256(PDF) });
  });

  it('refuses what is not a file on output 2, and sends nothing', async function () {
    const outputs = await load();
    for (const payload of [{ a: 1 }, 'not base64: a path/to/file.pdf', 'data:application/pdf;base64,JVBERi0=', Buffer.alloc(0), 42]) {
      const out = await sendAndWait('up', { payload }, outputs);
      out.port.should.equal('err');
      out.msg.error.code.should.equal('fileNotBuffer');
    }
    ctx.emulator.arrivals.should.have.length(0);
  });

  it('refuses a file over 30 MB without a request, and never puts its bytes in the error', async function () {
    const outputs = await load();
    const big = Buffer.alloc(30 * MB + 1, 0x41);
    const out = await sendAndWait('up', { payload: big }, outputs);
    out.port.should.equal('err');
    out.msg.error.code.should.equal('fileTooLarge');
    out.msg.error.message.should.equal(word('redox-upload.errors.fileTooLarge'));
    JSON.stringify(out.msg.error).should.not.containEql('AAAA');
    ctx.emulator.arrivals.should.have.length(0);
  });

  it('uploads 25 MB intact', async function () {
    this.timeout(30000);
    const outputs = await load();
    const file = crypto.randomBytes(25 * MB);
    const out = await sendAndWait('up', { payload: file, filename: 'scan.tiff', contentType: 'image/tiff' }, outputs);
    out.port.should.equal('ok');
    ctx.emulator.uploads.list[0].should.match({ bytes: file.length, sha256: sha256(file) });
  });

  it('renews a refused token once and uploads again (401), with the source ID', async function () {
    const outputs = await load({ sourceId: 'source-7' });
    (await sendAndWait('up', { payload: PDF }, outputs)).port.should.equal('ok');
    ctx.emulator.revokeAccessTokens();
    const out = await sendAndWait('up', { payload: PDF }, outputs);
    out.port.should.equal('ok');
    ctx.emulator.calls.rejected401.should.equal(1);
    (ctx.emulator.calls.authenticate + ctx.emulator.calls.refreshToken).should.equal(2); // one renewal
    ctx.emulator.uploads.list.map((u) => u.sourceId).should.eql(['source-7', 'source-7']);
  });

  it('waits out a 429 and sends the file again (an upload counts against the budget like any request)', async function () {
    const outputs = await load({ retryBackoff: 50 });
    ctx.emulator.injectFaults({ path: '/upload', status: 429 });
    const out = await sendAndWait('up', { payload: PDF }, outputs);
    out.port.should.equal('ok');
    ctx.emulator.arrivals
      .filter((a) => a.path === '/upload')
      .map((a) => a.outcome)
      .should.eql(['429', '201']);
    ctx.emulator.uploads.list.should.have.length(1);
  });

  it('wants the file upload URL set for a Redox region other than the US, and sends nothing', async function () {
    const flow = buildFlow('https://api.ca.redoxengine.com', [{ id: 'up', type: 'redox-upload' }]);
    await helper.load([...NODES, UPLOAD], flow, credentials());
    const outputs = collect(['up']);
    const out = await sendAndWait('up', { payload: PDF }, outputs);
    out.port.should.equal('err');
    out.msg.error.code.should.equal('uploadUrlNeeded');
  });

  it('posts to the file upload URL when one is set', async function () {
    const outputs = await load({ uploadUrl: `${ctx.url}/upload` });
    (await sendAndWait('up', { payload: PDF }, outputs)).port.should.equal('ok');
    ctx.emulator.uploads.list.should.have.length(1);
  });

  it('refuses an insecure file upload URL', async function () {
    const outputs = await load({ uploadUrl: 'http://files.example.com/upload' });
    const out = await sendAndWait('up', { payload: PDF }, outputs);
    out.msg.error.code.should.equal('insecureBaseUrl');
    ctx.emulator.arrivals.should.have.length(0);
  });

  it('file -> redox-upload -> change node -> redox-send Media New: the Media New names the uploaded URI', async function () {
    const change = {
      id: 'to-media',
      type: 'change',
      z: 'f1',
      rules: [
        {
          t: 'set',
          p: 'payload',
          pt: 'msg',
          to: `{"Patient": {"Identifiers": [{"ID": "0000000001", "IDType": "MR"}]}, "Visit": {"VisitNumber": "1234"}, "Media": {"FileType": "PDF", "FileName": "lab-report", "FileContents": payload.URI, "DocumentType": "Lab Report", "DocumentID": "doc-1", "Provider": {"ID": "4356789876", "IDType": "NPI"}, "Availability": "Available"}}`,
          tot: 'jsonata',
        },
      ],
      wires: [['media']],
    };
    const media = {
      id: 'media',
      z: 'f1',
      type: 'redox-send',
      redox: 'cfg',
      dataModel: 'Media',
      eventType: 'New',
      destinations: JSON.stringify([EMR]),
      test: true,
      wires: [['media-ok'], ['media-err']],
    };
    const outputs = await load(
      {},
      [change, media, { id: 'media-ok', z: 'f1', type: 'helper' }, { id: 'media-err', z: 'f1', type: 'helper' }],
      [requireFromNodeRed('@node-red/nodes/core/function/15-change')],
    );
    const flow = helper.getNode('up');
    flow.wires[0].push('to-media');
    const sent = new Promise((resolve, reject) => {
      helper.getNode('media-ok').on('input', resolve);
      helper.getNode('media-err').on('input', (msg) => reject(new Error(JSON.stringify(msg.error))));
    });
    await sendAndWait('up', { payload: PDF, filename: 'lab-report.pdf', contentType: 'application/pdf' }, outputs);
    const answer = await sent;
    answer.payload.Meta.DataModel.should.equal('Media');
    const [upload] = ctx.emulator.uploads.list;
    const mediaNew = ctx.emulator.received.find((r) => r.body.Meta.DataModel === 'Media');
    mediaNew.body.Media.FileContents.should.equal(upload.uri);
    upload.referencedBy.should.eql([`Media New #${ctx.emulator.received.indexOf(mediaNew)}`]);
  });
});
