/** The editor's HTTP routes for redox-config: Test connection, and the catalogue redox-send's dialog lists. */
import type { NodeAPI } from 'node-red';
import { DATA_MODELS } from '../datamodel/catalogue';
import { RedoxError } from '../shared/errors';
import type { RedoxConfigCredentials, RedoxConfigNode } from './config-node';
import { USER_AGENT } from './package-info';
import { envResolver, tlsOptionsFor } from './runtime';
import { testConnection, type TestRequest } from './test-connection';
import { errorText, say } from './words';

export function registerAdminRoutes(RED: NodeAPI): void {
  // The editor's "Test connection": never returns a token or a secret.
  RED.httpAdmin.post('/redox-config/test', RED.auth.needsPermission('redox-config.write'), (req, res) => {
    const request = (req.body ?? {}) as TestRequest;
    const deployed = typeof request.id === 'string' ? (RED.nodes.getNode(request.id) as RedoxConfigNode | null) : null;
    const stored = deployed
      ? { baseUrl: deployed.baseUrl, credentials: (RED.nodes.getCredentials(deployed.id) ?? {}) as RedoxConfigCredentials }
      : undefined;
    // "_ADD_" is the editor's "Add new tls-config..." entry: no TLS node chosen yet.
    const tlsId = request.tls && request.tls !== '_ADD_' ? request.tls : undefined;
    const options = () => {
      if (tlsId && !RED.nodes.getNode(tlsId)) throw new RedoxError('tlsNotDeployed');
      return { userAgent: USER_AGENT, resolve: envResolver(RED, deployed ?? undefined), tls: tlsOptionsFor(RED, tlsId) };
    };
    Promise.resolve()
      .then(() => testConnection(request, stored, options()))
      .then(
        () => res.json({ ok: true, message: say(RED, 'redox-config', 'test.ok') }),
        (err: unknown) => res.json({ ok: false, message: errorText(RED, err) }),
      );
  });

  // The Data Models and event types, for redox-send's dialog.
  RED.httpAdmin.get('/redox-config/catalogue', RED.auth.needsPermission('redox-config.read'), (_req, res) => {
    res.json(DATA_MODELS);
  });
}
