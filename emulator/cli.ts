#!/usr/bin/env node
/**
 * Runs the Redox emulator from the command line:
 *   redox-emulator [--port 3333] [--host 127.0.0.1] [--api-key KEY] [--secret SECRET] [--token-lifetime SECONDS]
 *                  [--oauth-public-key FILE --oauth-key-id KID] [--oauth-client-id ID]
 * REDOX_EMULATOR_PORT sets the port too. Ctrl-C stops it.
 * `redox-emulator deliver ...` and `redox-emulator query ...` play Redox calling a flow (sender-cli.ts).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_EMULATOR_PORT } from './defaults';
import { DEMO_CREDENTIALS, DEMO_OAUTH_CLIENT, RedoxEmulator } from './emulator';
import { runSender, SENDER_HELP } from './sender-cli';

const HELP = `Usage: redox-emulator [options]
  --port N              port to listen on, 0 (any free port) to 65535 (default $REDOX_EMULATOR_PORT or ${DEFAULT_EMULATOR_PORT})
  --host ADDRESS        address to listen on (default 127.0.0.1)
  --api-key KEY         API key to accept (default ${DEMO_CREDENTIALS.apiKey})
  --secret SECRET       secret to accept (default ${DEMO_CREDENTIALS.secret})
  --token-lifetime S    access token lifetime in seconds (default 86400)
  --rate-limit N        requests per client per window before 429 (default 7500)
  --rate-window S       the rate limit's rolling window in seconds (default 300, Redox's; shorter for tests)
  --oauth-client-id ID  OAuth client ID (default ${DEMO_OAUTH_CLIENT.clientId}, whose HS384 secret is ${DEMO_OAUTH_CLIENT.secret})
  --oauth-public-key F  a PEM public key file (RS384 or ES384) to accept for that client...
  --oauth-key-id KID    ...under this key ID (default demo-key)
  -h, --help            show this text

${SENDER_HELP}`;

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'deliver' || command === 'query') {
    process.exitCode = await runSender(command, process.argv.slice(3));
    return;
  }
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string', default: DEMO_CREDENTIALS.apiKey },
      secret: { type: 'string', default: DEMO_CREDENTIALS.secret },
      'token-lifetime': { type: 'string' },
      'rate-limit': { type: 'string' },
      'rate-window': { type: 'string' },
      'oauth-client-id': { type: 'string', default: DEMO_OAUTH_CLIENT.clientId },
      'oauth-public-key': { type: 'string' },
      'oauth-key-id': { type: 'string', default: 'demo-key' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const portText = values.port ?? process.env.REDOX_EMULATOR_PORT ?? String(DEFAULT_EMULATOR_PORT);
  // An empty port would make Number() 0, a random port: refuse it like any other bad one.
  const port = /^\d{1,5}$/.test(portText.trim()) ? Number(portText) : NaN;
  const lifetime = values['token-lifetime'] === undefined ? undefined : Number(values['token-lifetime']);
  const rateLimit = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
  const rateWindow = values['rate-window'] === undefined ? 300 : Number(values['rate-window']);
  if (
    !Number.isInteger(port) ||
    port < 0 ||
    port > 65535 ||
    (lifetime !== undefined && !(lifetime > 0)) ||
    (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit > 0)) ||
    !(rateWindow > 0)
  ) {
    console.error(HELP);
    process.exitCode = 2;
    return;
  }
  const emulator = new RedoxEmulator({
    credentials: [{ ...DEMO_CREDENTIALS, apiKey: values['api-key']!, secret: values.secret! }],
    oauthClients: [{ ...DEMO_OAUTH_CLIENT, clientId: values['oauth-client-id']! }],
    tokenLifetimeMs: lifetime === undefined ? undefined : lifetime * 1000,
    rateLimit: { limit: rateLimit ?? 7500, windowMs: rateWindow * 1000 },
  });
  if (values['oauth-public-key']) {
    emulator.registerOAuthKey(values['oauth-client-id']!, values['oauth-key-id']!, fs.readFileSync(values['oauth-public-key'], 'utf8'));
  }
  let url: string;
  try {
    url = await emulator.start(port, values.host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE') throw err;
    console.error(
      `redox-emulator: port ${port} is in use (another emulator, or npm start?): choose another with --port, e.g. --port ${port + 1}`,
    );
    process.exitCode = 1;
    return;
  }
  console.log(
    [
      `Redox emulator listening on ${url}`,
      `  legacy API key "${values['api-key']}", secret "${values.secret}"`,
      `  OAuth client "${values['oauth-client-id']}"${values['oauth-public-key'] ? ` (key ID "${values['oauth-key-id']}")` : ''}, HS384 secret "${DEMO_OAUTH_CLIENT.secret}"`,
      `  state at ${url}/_emulator/state; Ctrl-C stops it`,
    ].join('\n'),
  );
  const stop = () => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(`redox-emulator: ${err.message}`);
  process.exitCode = 1;
});
