/** What a redox-config node offers the nodes that use it. */
import type { Node, NodeDef } from 'node-red';
import type { RedoxConnection } from '../connection';
import type { ConfigSettings } from './connection-settings';
import type { RedoxConfigCredentials } from './connection-shape';

export type { RedoxConfigCredentials };

export const DEFAULT_BASE_URL = 'https://api.redoxengine.com';

export interface RedoxConfigDef extends NodeDef, ConfigSettings {
  baseUrl?: string;
  /** A tls-config node's id, for custom CAs or client certificates. */
  tls?: string;
  /** 'apiKey' (legacy, the default) or 'oauth'. */
  authMethod?: string;
  /** OAuth: the key ID registered with the public key, sent as `kid`. */
  keyId?: string;
  /** OAuth: RS384, ES384 or HS384; empty to follow the key. */
  algorithm?: string;
  /** OAuth: an optional scope. */
  scope?: string;
  /** For organizations with several sources: sent as Redox-Source-Id and Meta.Source.ID. */
  sourceId?: string;
  /** Where redox-upload posts files; empty: Redox US's, or <base URL>/upload off Redox. */
  uploadUrl?: string;
  /** 'none' (the default) or 'redis': the token and rate budget shared with other instances. */
  sharedState?: string;
  /** The Redis keys' prefix; empty: a hash of the base URL and the API key or client ID. */
  sharedKeyPrefix?: string;
}

export interface RedoxConfigNode extends Node<RedoxConfigCredentials> {
  /** The base URL as set (possibly ${NAME}). */
  baseUrl: string;
  /** The source ID requests name, if set. */
  sourceId: string | undefined;
  /** The shared connection; throws RedoxError when the settings make one impossible. */
  connection(): RedoxConnection;
  /** The user-facing text of an error: translated, with every secret and token masked. */
  describe(err: unknown): string;
  /** A copy of a value a message will carry (Redox's body, its errors) with every secret and token masked. */
  mask<T>(value: T): T;
  /** Shows a user node's state (or the error it ended with) as its status, coalesced. */
  showStatus(node: Node, state: StatusState, err?: unknown): void;
  /** A node that stops using the connection. */
  forget(node: Node): void;
}

export type StatusState = 'idle' | 'sending' | 'sent' | 'fetching' | 'issued' | 'uploading' | 'uploaded' | 'error';
