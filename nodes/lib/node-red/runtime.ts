/** What the config node and its admin routes take from the Node-RED runtime: ${NAME} values and TLS nodes. */
import type { Node, NodeAPI } from 'node-red';
import { RedoxError } from '../shared/errors';
import type { TlsOptions } from '../transport/http';

/** Node-RED's util.getSetting (env of the node's flow, its parents, then process.env), not in the typings. */
interface UtilWithSettings {
  getSetting(node: Node, name: string): unknown;
}

/** Node-RED's tls-config node. */
interface TlsConfigNode extends Node {
  addTLSOptions(options: TlsOptions): void;
}

export type Resolve = (value: string | undefined) => string | undefined;

/** A value written as ${NAME} is read from that environment variable (or the node's flow/global env). */
export function envResolver(RED: NodeAPI, node: Node | undefined): Resolve {
  return (value) => {
    const match = /^\$\{(\w+)\}$/.exec(value?.trim() ?? '');
    if (!match) return value;
    const resolved: unknown = (RED.util as unknown as UtilWithSettings).getSetting(node as Node, match[1]);
    return typeof resolved === 'string' ? resolved : undefined;
  };
}

/** TLS options from a tls-config node (a private CA, a client certificate), or none. */
export function tlsOptionsFor(RED: NodeAPI, tlsId: string | undefined): TlsOptions | undefined {
  if (!tlsId) return undefined;
  const tlsNode = RED.nodes.getNode(tlsId) as TlsConfigNode | null;
  if (!tlsNode) throw new RedoxError('badSetting', { setting: 'tls' });
  const options: TlsOptions = {};
  tlsNode.addTLSOptions(options);
  return options;
}
