/**
 * redox-config: holds the API key and secret (as credentials) and owns the connection, with its
 * token lifecycle, retries and throttling, for every node that uses it.
 */
import type { Node, NodeAPI, NodeConstructor, NodeStatus } from 'node-red';
import { DATA_MODELS } from './lib/catalogue';
import {
  DEFAULT_BASE_URL,
  type RedoxConfigCredentials,
  type RedoxConfigDef,
  type RedoxConfigNode,
  type StatusState,
} from './lib/config-node';
import { RedoxConnection } from './lib/connection';
import { isRedoxError, RedoxError } from './lib/errors';
import type { TlsOptions } from './lib/http';
import { USER_AGENT } from './lib/package-info';
import { readSettings } from './lib/settings';
import { StatusBoard } from './lib/status-board';
import { testConnection, type TestRequest } from './lib/test-connection';
import { fingerprint, keepToken, takeToken } from './lib/token-carry-over';
import { tokenMethodFor } from './lib/token-method';

/** Node-RED's util.getSetting (env of the node's flow, its parents, then process.env), not in the typings. */
interface UtilWithSettings {
  getSetting(node: Node, name: string): unknown;
}

/** Node-RED's tls-config node. */
interface TlsConfigNode extends Node {
  addTLSOptions(options: TlsOptions): void;
}

export = function (RED: NodeAPI) {
  /** A value written as ${NAME} is read from that environment variable (or the node's flow/global env). */
  function envResolver(node: Node | undefined) {
    return (value: string | undefined): string | undefined => {
      const match = /^\$\{(\w+)\}$/.exec(value?.trim() ?? '');
      if (!match) return value;
      const resolved: unknown = (RED.util as unknown as UtilWithSettings).getSetting(node as Node, match[1]);
      return typeof resolved === 'string' ? resolved : undefined;
    };
  }

  /** TLS options from a tls-config node (a private CA, a client certificate), or none. */
  function tlsOptionsFor(tlsId: string | undefined): TlsOptions | undefined {
    if (!tlsId) return undefined;
    const tlsNode = RED.nodes.getNode(tlsId) as TlsConfigNode | null;
    if (!tlsNode) throw new RedoxError('badSetting', { setting: 'tls' });
    const options: TlsOptions = {};
    tlsNode.addTLSOptions(options);
    return options;
  }

  function describeError(err: unknown): string {
    if (isRedoxError(err)) return RED._(`redox-config.errors.${err.code}`, err.params);
    return RED._('redox-config.errors.unexpected', { message: String((err as Error)?.message ?? err) });
  }

  // The editor's "Test connection": never returns a token or a secret.
  RED.httpAdmin.post('/redox-config/test', RED.auth.needsPermission('redox-config.write'), (req, res) => {
    const request = (req.body ?? {}) as TestRequest;
    const deployed = typeof request.id === 'string' ? (RED.nodes.getNode(request.id) as RedoxConfigNode | null) : null;
    const stored = deployed ? { baseUrl: deployed.baseUrl, credentials: (RED.nodes.getCredentials(deployed.id) ?? {}) as RedoxConfigCredentials } : undefined;
    // "_ADD_" is the editor's "Add new tls-config..." entry: no TLS node chosen yet.
    const tlsId = request.tls && request.tls !== '_ADD_' ? request.tls : undefined;
    const options = () => {
      if (tlsId && !RED.nodes.getNode(tlsId)) throw new RedoxError('tlsNotDeployed');
      return { userAgent: USER_AGENT, resolve: envResolver(deployed ?? undefined), tls: tlsOptionsFor(tlsId) };
    };
    Promise.resolve()
      .then(() => testConnection(request, stored, options()))
      .then(
        () => res.json({ ok: true, message: RED._('redox-config.test.ok') }),
        (err: unknown) => res.json({ ok: false, message: describeError(err) }),
      );
  });

  // The Data Models and event types, for redox-send's dialog.
  RED.httpAdmin.get('/redox-config/catalogue', RED.auth.needsPermission('redox-config.read'), (_req, res) => {
    res.json(DATA_MODELS);
  });

  function RedoxConfig(this: RedoxConfigNode, def: RedoxConfigDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const baseUrl = def.baseUrl?.trim() || DEFAULT_BASE_URL;
    node.baseUrl = baseUrl;
    let connection: RedoxConnection | undefined;
    let print = '';
    const board = new StatusBoard();
    const resolve = envResolver(node);

    const tokenMethod = () => tokenMethodFor(def, node.credentials ?? {}, resolve);

    node.connection = () => {
      if (connection) return connection;
      const method = tokenMethod();
      const settings = readSettings(def);
      print = fingerprint(baseUrl, def.tls ?? '', ...method.identity);
      connection = new RedoxConnection({
        ...settings,
        baseUrl,
        userAgent: USER_AGENT,
        tls: tlsOptionsFor(def.tls),
        tokenSource: method.source,
        initialToken: takeToken(node.id, print),
        onAuthenticating: (busy) =>
          board.setAuthenticating(busy ? { fill: 'yellow', shape: 'ring', text: RED._('redox-config.status.authenticating') } : undefined),
        onBackgroundError: (err) => node.warn(RED._('redox-config.errors.backgroundRefresh', { message: node.describe(err) })),
      });
      return connection;
    };

    node.describe = (err) => {
      let text = describeError(err);
      const attempts = isRedoxError(err) ? err.details.attempts : undefined;
      if (attempts) text = RED._('redox-config.errors.afterAttempts', { message: text, count: attempts.length, attempts: attempts.join(', ') });
      return connection ? connection.redact(text) : text;
    };

    // A key that cannot be used is said when the node starts, not only on the first message.
    if (def.authMethod === 'oauth' && (node.credentials?.privateKey || node.credentials?.clientSecret)) {
      try {
        tokenMethod();
      } catch (err) {
        node.error(node.describe(err));
      }
    }

    node.showStatus = (user, state, err) => {
      // translated when shown, not for every message
      board.set(user, (): NodeStatus =>
        state === 'error'
          ? { fill: 'red', shape: 'ring', text: RED._(`redox-config.status.${statusKey(err)}`, isRedoxError(err) ? err.params : {}) }
          : { ...STATE_LOOK[state], text: RED._(`redox-config.status.${state}`, { time: new Date().toLocaleTimeString() }) });
    };
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

  /** The dot of each state; the text comes from the message catalogue. */
  const STATE_LOOK: Record<Exclude<StatusState, 'error'>, Omit<NodeStatus, 'text'>> = {
    idle: { fill: 'grey', shape: 'dot' },
    sending: { fill: 'blue', shape: 'dot' },
    fetching: { fill: 'blue', shape: 'dot' },
    sent: { fill: 'green', shape: 'dot' },
    issued: { fill: 'green', shape: 'dot' },
  };

  function statusKey(err: unknown): string {
    if (!isRedoxError(err)) return 'invalid';
    switch (err.code) {
      case 'unauthorized':
        return 'unauthorized';
      case 'authRefused':
        return 'refused';
      case 'httpStatus':
      case 'metaErrors':
        return Number(err.params.count) > 0 ? 'httpErrors' : 'httpStatus';
      case 'authFailed':
        return 'httpStatus';
      case 'badResponse':
      case 'authBadResponse':
        return 'badResponse';
      case 'network':
      case 'timeout':
      case 'stopped':
      case 'queueFull':
        return err.code;
      case 'noConfig':
      case 'missingCredentials':
      case 'badBaseUrl':
      case 'insecureBaseUrl':
      case 'badSetting':
      case 'badPrivateKey':
      case 'algorithmMismatch':
        return 'config';
      default:
        return 'invalid';
    }
  }

  RED.nodes.registerType('redox-config', RedoxConfig as unknown as NodeConstructor<Node, RedoxConfigDef, {}>, {
    credentials: {
      apiKey: { type: 'password' },
      secret: { type: 'password' },
      clientId: { type: 'password' },
      privateKey: { type: 'password' },
      clientSecret: { type: 'password' },
    },
  });
};
