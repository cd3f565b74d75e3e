'use strict';
// The package as published: what `npm pack` ships, and that the tarball installs into a plain
// Node-RED user directory and loads with no error, in the Node-RED under test.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const should = require('should');
const { helper } = require('./support');
const { nodeRedDir } = require('./node-red-path');
const { startNodeRed } = require('./node-red-process');

const root = path.join(__dirname, '..');

describe('the published package', function () {
  this.timeout(180000);

  it('runs against the Node-RED under test', function () {
    const expected = JSON.parse(fs.readFileSync(path.join(nodeRedDir, 'package.json'), 'utf8')).version;
    helper._RED.version().should.startWith(expected); // the test helper adds '-git'
    console.log(`      Node-RED ${expected} on Node.js ${process.version}`);
  });

  it('ships only what a user needs', function () {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
    const files = pack.files.map((f) => f.path).sort();
    for (const needed of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/nodes/redox-config.js',
      'dist/nodes/redox-send.js',
      'dist/nodes/redox-token.js',
      'dist/nodes/redox-config.html',
      'dist/nodes/redox-send.html',
      'dist/nodes/redox-token.html',
      'dist/nodes/locales/en-US/redox-config.json',
      'dist/nodes/locales/en-US/redox-send.html',
      'dist/nodes/icons/redox-send.svg',
      'dist/nodes/icons/redox-token.svg',
      'dist/emulator/cli.js',
      'dist/emulator/emulator.js',
      'examples/01 Send a new patient.json',
    ])
      files.should.containEql(needed);
    for (const file of files) {
      file.should.match(
        /^(LICENSE|README\.md|package\.json|dist\/(nodes|emulator)\/.+|examples\/.+\.json)$/,
        `${file} should not be shipped`,
      );
      file.should.not.match(/\.(ts|pem|key|map)$|(^|\/)test\/|\.test\.js$|\.env|flows_cred/);
    }
    console.log(`      ${files.length} files, ${Math.round(pack.unpackedSize / 1024)} kB unpacked`);
  });

  it('installs from the tarball into a plain Node-RED user directory and loads with no error', async function () {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'redox-pack-'));
    let nodeRed;
    try {
      const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
      const tarball = path.join(work, out.trim().split('\n').pop());
      const userDir = path.join(work, 'user');
      fs.mkdirSync(userDir);
      fs.writeFileSync(path.join(userDir, 'package.json'), '{ "name": "node-red-project", "private": true }\n');
      // installing runs no script of the package: nothing for npm to warn about or ask approval for
      const manifest = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' }));
      for (const script of ['preinstall', 'install', 'postinstall', 'prepare'])
        Object.keys(manifest.scripts ?? {}).should.not.containEql(script);
      const installed = spawnSync('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: userDir, encoding: 'utf8' });
      installed.status.should.equal(0, installed.stderr);
      `${installed.stdout}${installed.stderr}`.should.not.match(/script/i);
      nodeRed = await startNodeRed({ userDir, fromWorkingTree: false });
      const res = await fetch(`${nodeRed.url}/nodes`, { headers: { accept: 'application/json' } });
      const sets = (await res.json()).filter((s) => s.module === '@nr-health/node-red-redox');
      sets
        .map((s) => s.types[0])
        .sort()
        .should.eql(['redox-config', 'redox-receive', 'redox-response', 'redox-send', 'redox-token', 'redox-upload']);
      for (const set of sets) {
        set.enabled.should.be.true();
        should(set.err).be.undefined();
      }
      nodeRed.output().should.not.match(/\[error\]/);
    } finally {
      if (nodeRed) await nodeRed.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
