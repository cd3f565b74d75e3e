'use strict';
// A real Redis server (Debian's redis-server; `.ci/run` installs it where missing) on a free
// loopback port, for the shared-state tests: started and stopped by the tests, restartable on the
// same port, with nothing written to disk.
const { spawn, execFileSync } = require('node:child_process');
const Redis = require('ioredis');
const { freePort, waitFor } = require('./node-red-process');

const REDIS_SERVER = process.env.REDIS_SERVER || '/usr/bin/redis-server';

function haveRedis() {
  try {
    execFileSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts redis-server; with `password`, clients must give it (the URL then holds it: a credential). */
async function startRedis({ port, password } = {}) {
  port = port ?? (await freePort());
  const auth = password ? ['--requirepass', password] : [];
  const child = spawn(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', ...auth],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  await waitFor(
    async () => {
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    },
    10000,
    `redis-server on port ${port}`,
  );
  return {
    port,
    url,
    client: probe,
    /** Every key with its value (strings, and the members of sorted sets with their scores). */
    async dump() {
      const out = {};
      for (const key of await probe.keys('*')) {
        const type = await probe.type(key);
        out[key] = type === 'string' ? await probe.get(key) : type === 'zset' ? await probe.zrange(key, 0, -1, 'WITHSCORES') : type;
      }
      return out;
    },
    async stop() {
      probe.disconnect();
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL'); // as a crash would: no goodbye to the clients
      await exited;
    },
  };
}

module.exports = { haveRedis, startRedis };
