/**
 * redox-receive: a URL Redox calls as a destination. It answers the verification handshake,
 * checks the verification token on every request, and emits each accepted delivery, answering
 * Redox at once (reply "auto") or when a redox-response node answers (reply "flow", for queries).
 */
import type { Node, NodeAPI, NodeConstructor } from 'node-red';
import { envResolver } from './lib/node-red/runtime';
import { mountReceiver } from './lib/node-red/receive-routes';
import { readReceiveSettings, type ReceiveDef } from './lib/node-red/receive-settings';
import { ReceiveCounts } from './lib/node-red/receive-status';
import { Receiver } from './lib/node-red/receiver';
import { say } from './lib/node-red/words';
import { TokenCheck } from './lib/receive/token-check';

type ReceiveCredentials = { verificationToken?: string };

export = function (RED: NodeAPI) {
  function RedoxReceive(this: Node<ReceiveCredentials>, def: ReceiveDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const settings = readReceiveSettings(def);
    const counts = new ReceiveCounts(RED, node);
    const fail = (key: string, params?: Record<string, string>) => {
      const text = say(RED, 'redox-receive', `errors.${key}`, params);
      node.error(text);
      counts.showText({ fill: 'red', shape: 'ring', text });
    };
    node.on('close', (done: () => void) => {
      counts.close();
      done();
    });

    const httpSettings = RED.settings as unknown as { httpNodeRoot?: unknown; httpNodeAuth?: unknown };
    if (httpSettings.httpNodeRoot === false) return fail('httpNodesDisabled');
    if (!settings.url) return fail('noUrl');
    if (!/^\/[^\s?#]*$/.test(settings.url)) return fail('invalidUrl');
    const tokens = new TokenCheck(envResolver(RED, node)(node.credentials?.verificationToken));
    // Mounted even so: every request is refused with 403, rather than falling through to another route.
    if (!tokens.configured) fail('noToken');
    if (httpSettings.httpNodeAuth) node.warn(say(RED, 'redox-receive', 'warnings.httpNodeAuth'));

    const receiver = new Receiver(RED, node, settings, tokens, counts);
    const mounted = mountReceiver(RED, node, settings.url, tokens, { post: receiver.onPost, get: receiver.onGet });
    if (!mounted.ok) return fail('duplicateUrl', { url: settings.url, other: mounted.ownedBy.name || mounted.ownedBy.id });
    if (tokens.configured)
      counts.showText({ fill: 'grey', shape: 'dot', text: say(RED, 'redox-receive', 'status.listening', { url: settings.url }) });

    node.on('close', (done: () => void) => {
      mounted.close();
      receiver.close();
      done();
    });
  }

  RED.nodes.registerType('redox-receive', RedoxReceive as unknown as NodeConstructor<Node, ReceiveDef, object>, {
    credentials: { verificationToken: { type: 'password' } },
  });
};
