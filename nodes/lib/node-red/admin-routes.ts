/** The editor's HTTP routes for redox-config: Test connection, and the catalogue redox-send's dialog lists. */
import type { NodeAPI } from 'node-red';
import { DATA_MODELS, examplePayload } from '../datamodel/catalogue';
import { SAMPLE_DESTINATIONS } from '../datamodel/sample-destinations';
import { RedoxError } from '../shared/errors';
import type { RedoxConfigCredentials, RedoxConfigDef, RedoxConfigNode } from './config-node';
import { USER_AGENT } from './package-info';
import { envResolver, tlsOptionsFor } from './runtime';
import { testConnection, type StoredConnection, type TestRequest } from './test-connection';
import { errorText, say } from './words';

/** The deployed connection with this id: its base URL as written in the flow and as used, and its stored credentials. */
function storedConnection(RED: NodeAPI, id: string): StoredConnection | undefined {
  const deployed = RED.nodes.getNode(id) as RedoxConfigNode | null;
  if (!deployed) return undefined;
  // The flow's own configuration holds ${NAME} as written; the node holds it resolved.
  let written: RedoxConfigDef = {} as RedoxConfigDef;
  RED.nodes.eachNode((config) => {
    if (config.id === id) written = config as RedoxConfigDef;
  });
  return {
    writtenBaseUrl: written.baseUrl?.trim() || deployed.baseUrl,
    written,
    baseUrl: deployed.baseUrl,
    credentials: (RED.nodes.getCredentials(id) ?? {}) as RedoxConfigCredentials,
    resolve: envResolver(RED, deployed),
  };
}

/** Never quotes a resolved base URL back to the dialog: it says it as written (e.g. ${REDOX_BASE_URL}). */
function asWritten(text: string, stored: StoredConnection | undefined): string {
  if (!stored || stored.writtenBaseUrl === stored.baseUrl) return text;
  let host = stored.baseUrl;
  try {
    host = new URL(stored.baseUrl).host;
  } catch {
    // not a URL: the whole value is what to hide
  }
  const shown = text.split(stored.baseUrl).join(stored.writtenBaseUrl);
  return host ? shown.split(host).join(stored.writtenBaseUrl) : shown;
}

export function registerAdminRoutes(RED: NodeAPI): void {
  // The editor's "Test connection": never returns a token or a secret.
  RED.httpAdmin.post('/redox-config/test', RED.auth.needsPermission('redox-config.write'), (req, res) => {
    const request = (req.body ?? {}) as TestRequest;
    // who tested which URL, in Node-RED's audit log: never a credential, never a user name or password in a URL
    const shownUrl = String(request.baseUrl ?? '').replace(/\/\/[^/?#\s]*@/, '//***@');
    const entry = { level: RED.log.AUDIT, event: 'redox-config.test', baseUrl: shownUrl };
    RED.log.audit(entry, req);
    const stored = typeof request.id === 'string' ? storedConnection(RED, request.id) : undefined;
    // "_ADD_" is the editor's "Add new tls-config..." entry: no TLS node chosen yet.
    const tlsId = request.tls && request.tls !== '_ADD_' ? request.tls : undefined;
    const options = () => {
      if (tlsId && !RED.nodes.getNode(tlsId)) throw new RedoxError('tlsNotDeployed');
      return { userAgent: USER_AGENT, tls: tlsOptionsFor(RED, tlsId) };
    };
    Promise.resolve()
      .then(() => testConnection(request, stored, options()))
      .then(
        () => res.json({ ok: true, message: say(RED, 'redox-config', 'test.ok') }),
        (err: unknown) => res.json({ ok: false, message: asWritten(errorText(RED, err), stored) }),
      );
  });

  // The Data Models and event types, for redox-send's dialog.
  RED.httpAdmin.get('/redox-config/catalogue', RED.auth.needsPermission('redox-config.read'), (_req, res) => {
    res.json(DATA_MODELS);
  });

  // The example payload of an event, for redox-send's "Copy example payload".
  RED.httpAdmin.get('/redox-config/example', RED.auth.needsPermission('redox-config.read'), (req, res) => {
    const example = examplePayload(String(req.query.dataModel ?? ''), String(req.query.eventType ?? ''));
    if (example === undefined) res.status(404).json({ message: 'no example for this data model and event type' });
    else res.json(example);
  });

  // The emulator's destinations, which redox-send's dialog offers when its connection is the emulator.
  RED.httpAdmin.get('/redox-config/emulator-destinations', RED.auth.needsPermission('redox-config.read'), (_req, res) => {
    res.json(SAMPLE_DESTINATIONS.map(({ ID, Name }) => ({ ID, Name })));
  });
}
