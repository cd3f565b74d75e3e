/** This package's name and version, read once from its package.json. */
import fs from 'node:fs';
import path from 'node:path';

function findPackageJson(start: string): { name: string; version: string } {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === '@nr-health/node-red-redox') return { name: pkg.name, version: pkg.version };
    }
    if (path.dirname(dir) === dir) return { name: '@nr-health/node-red-redox', version: '0.0.0' };
  }
}

export const PACKAGE = findPackageJson(__dirname);
export const USER_AGENT = `${PACKAGE.name.replace('@', '').replace('/', '-')}/${PACKAGE.version} (Node-RED; +https://www.npmjs.com/package/${PACKAGE.name})`;
