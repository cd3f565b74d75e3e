/**
 * A connection's state shared with other Node-RED instances through Redis (the redox-config
 * setting Shared state: redis): one token and one rolling rate budget for every instance whose
 * connection uses the same credentials and base URL, found under the same keys.
 */
import { createHash } from 'node:crypto';
import type { TokenSource } from '../auth/token-source';
import { RedisLink, type RedisLinkEvents } from './redis-link';
import { SharedBudget, type SharedBudgetEvents } from './shared-budget';
import { SharedTokenSource } from './shared-token-source';
import { TokenCipher } from './token-cipher';

export interface SharedStateOptions {
  redisUrl: string;
  /** The keys' prefix; empty: a SHA-256 of the base URL and the API key or client ID (no credential in clear). */
  keyPrefix?: string;
  baseUrl: string;
  /** The API key or the client ID. */
  identity: string;
  /** The secret, private key or client secret: the token's encryption key is derived from them. */
  secrets: readonly string[];
  perWindow: number;
  windowMs: number;
  events?: RedisLinkEvents & SharedBudgetEvents;
}

export class SharedState {
  readonly budget: SharedBudget;
  private readonly link: RedisLink;
  private readonly prefix: string;
  private readonly cipher: TokenCipher;

  constructor(options: SharedStateOptions) {
    this.prefix = options.keyPrefix?.trim() || defaultPrefix(options.baseUrl, options.identity);
    this.link = new RedisLink(options.redisUrl, { ...options.events, onReady: () => this.budget.announce() });
    this.cipher = new TokenCipher(options.secrets, this.prefix);
    this.budget = new SharedBudget(
      this.link,
      { window: this.key('window'), budgets: this.key('budgets'), pause: this.key('pause'), waiting: this.key('waiting') },
      options.perWindow,
      options.windowMs,
      options.events,
    );
  }

  /** The connection's token source, sharing its tokens through Redis. */
  shareTokens(source: TokenSource): TokenSource {
    return new SharedTokenSource(source, this.link, { token: this.key('token'), lock: this.key('lock') }, this.cipher);
  }

  close(): void {
    this.budget.close(); // hands back its unused turns and reports its answered requests first
    this.link.close();
  }

  private key(name: string): string {
    // a hash tag, so that a Redis Cluster keeps one connection's keys (used together in scripts) on one node
    return `{${this.prefix}}:${name}`;
  }
}

export function defaultPrefix(baseUrl: string, identity: string): string {
  return `redox:${createHash('sha256').update(`${baseUrl}\n${identity}`).digest('hex').slice(0, 32)}`;
}
