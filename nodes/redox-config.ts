/**
 * redox-config: holds the API key and secret (as credentials) and owns the connection, with its
 * token lifecycle, retries and throttling, for every node that uses it.
 */
import type { Node, NodeAPI, NodeConstructor } from 'node-red';
import { fingerprint, keepToken, takeToken } from './lib/auth/token-carry-over';
import { RedoxConnection } from './lib/connection';
import { registerAdminRoutes } from './lib/node-red/admin-routes';
import { DEFAULT_BASE_URL, type RedoxConfigDef, type RedoxConfigNode } from './lib/node-red/config-node';
import { readSettings, runtimeDefaults } from './lib/node-red/connection-settings';
import { CREDENTIAL_FIELDS } from './lib/node-red/connection-shape';
import { USER_AGENT } from './lib/node-red/package-info';
import { envResolver, tlsOptionsFor } from './lib/node-red/runtime';
import { sharedStateFor } from './lib/node-red/shared-settings';
import { StatusBoard } from './lib/node-red/status-board';
import { tokenMethodFor } from './lib/node-red/token-method';
import { errorStatus, errorText, say, stateStatus } from './lib/node-red/words';

export = function (RED: NodeAPI) {
  registerAdminRoutes(RED);

  function RedoxConfig(this: RedoxConfigNode, def: RedoxConfigDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const baseUrl = def.baseUrl?.trim() || DEFAULT_BASE_URL;
    node.baseUrl = baseUrl;
    node.sourceId = def.sourceId?.trim() || undefined;
    let connection: RedoxConnection | undefined;
    let print = '';
    const board = new StatusBoard();
    const resolve = envResolver(RED, node);

    const tokenMethod = () => tokenMethodFor(def, node.credentials ?? {}, resolve);

    node.connection = () => {
      if (connection) return connection;
      const method = tokenMethod();
      const settings = readSettings(def, runtimeDefaults(RED.settings as unknown as Record<string, unknown>));
      print = fingerprint(baseUrl, def.tls ?? '', ...method.identity);
      const shared = sharedStateFor({
        RED,
        node,
        def,
        redisUrl: node.credentials?.redisUrl,
        resolve,
        baseUrl,
        identity: method.identity,
        throttle: settings.throttle,
        board,
      });
      try {
        connection = new RedoxConnection({
          ...settings,
          baseUrl,
          userAgent: USER_AGENT,
          tls: tlsOptionsFor(RED, def.tls),
          sourceId: node.sourceId,
          uploadUrl: def.uploadUrl?.trim() || undefined,
          shared,
          tokenSource: method.source,
          initialToken: takeToken(node.id, print),
          onAuthenticating: (busy) =>
            board.setAuthenticating(
              busy ? { fill: 'yellow', shape: 'ring', text: say(RED, 'redox-config', 'status.authenticating') } : undefined,
            ),
          onPaused: (until) =>
            board.setPaused(
              until === undefined
                ? undefined
                : {
                    fill: 'yellow',
                    shape: 'ring',
                    text: say(RED, 'redox-config', 'status.paused', { time: new Date(until).toLocaleTimeString() }),
                  },
            ),
          onBackgroundError: (err) => node.warn(say(RED, 'redox-config', 'errors.backgroundRefresh', { message: node.describe(err) })),
        });
      } catch (err) {
        shared?.close(); // its Redis client would otherwise reconnect for ever
        throw err;
      }
      return connection;
    };

    node.describe = (err) => {
      const text = errorText(RED, err);
      return connection ? connection.redact(text) : text;
    };
    node.mask = (value) => (connection ? connection.redactDeep(value) : value);

    // A key that cannot be used is said when the node starts, not only on the first message.
    if (def.authMethod === 'oauth' && (node.credentials?.privateKey || node.credentials?.clientSecret)) {
      try {
        tokenMethod();
      } catch (err) {
        node.error(node.describe(err));
      }
    }

    // Shared state joins the other instances at deploy, so that they know its budget before its first message.
    if (def.sharedState === 'redis') {
      try {
        node.connection();
      } catch (err) {
        node.error(node.describe(err));
      }
    }

    // translated when shown, not for every message
    node.showStatus = (user, state, err) =>
      board.set(user, () => (state === 'error' ? errorStatus(RED, err) : stateStatus(RED, state, connection?.queued)));
    node.forget = (user) => board.forget(user);

    node.on('close', (removed: boolean, done: () => void) => {
      if (connection) {
        // A restart with the same settings takes the token over; a removal forgets it.
        keepToken(node.id, print, removed ? undefined : connection.currentToken());
        connection.close();
        connection = undefined;
      }
      done();
    });
  }

  RED.nodes.registerType('redox-config', RedoxConfig as unknown as NodeConstructor<Node, RedoxConfigDef, object>, {
    credentials: Object.fromEntries(CREDENTIAL_FIELDS.map((field) => [field, { type: 'password' as const }])),
  });
};
