/**
 * The connection's link to Redis, for state shared across Node-RED instances. Redis is a help,
 * never a dependency: a command fails fast while Redis is unreachable (no offline queue, a short
 * command timeout), the link says once that it is down and once that it is back, and ioredis
 * keeps reconnecting in the background.
 */
import { createHash } from 'node:crypto';
import Redis from 'ioredis';

/** A command that takes longer than this counts as Redis being unreachable. */
const COMMAND_TIMEOUT_MS = 1000;

export interface RedisLinkEvents {
  /** Connected (the first time, and after every outage). */
  onReady?: () => void;
  /** Redis stopped answering: the connection works alone until onUp. */
  onDown?: (reason: string) => void;
  onUp?: () => void;
}

export class RedisUnavailable extends Error {
  constructor() {
    super('Redis is unreachable');
    this.name = 'RedisUnavailable';
  }
}

export class RedisLink {
  private readonly client: Redis;
  private up = false;
  /** Down was said for the current outage (or the first connection has not happened yet). */
  private downSaid = false;
  private closed = false;
  /** Settles when the first connection is made or fails: until then commands wait for it, not fail. */
  private firstAttempt: Promise<void> | undefined;

  constructor(
    url: string,
    private readonly events: RedisLinkEvents = {},
  ) {
    this.client = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      // keep trying, every half second to two seconds, for as long as the connection lives
      retryStrategy: (times) => Math.min(500 * times, 2000),
      // the URL may hold a password: nothing of it goes into a log; errors are reported as "down"
      showFriendlyErrorStack: false,
    });
    let settleFirst: () => void = () => undefined;
    this.firstAttempt = new Promise<void>((resolve) => {
      settleFirst = () => {
        this.firstAttempt = undefined;
        resolve();
      };
    });
    this.client.on('ready', () => {
      settleFirst();
      this.up = true;
      if (this.downSaid) this.events.onUp?.();
      this.downSaid = false;
      this.events.onReady?.();
    });
    this.client.on('error', (err: Error) => {
      settleFirst();
      this.markDown(codeOf(err));
    });
    this.client.on('close', () => {
      settleFirst();
      this.markDown('connection closed');
    });
  }

  get isUp(): boolean {
    return this.up && !this.closed;
  }

  /** Runs a command; throws RedisUnavailable (after saying "down" once) when Redis cannot answer. */
  async run<T>(command: (client: Redis) => Promise<T>): Promise<T> {
    if (this.firstAttempt) await this.firstAttempt; // the first messages after a deploy wait for Redis's answer, once
    if (!this.isUp) throw new RedisUnavailable();
    try {
      return await command(this.client);
    } catch (err) {
      if (isReplyError(err)) throw err; // Redis answered: a script's own error, not an outage
      this.markDown(codeOf(err));
      throw new RedisUnavailable();
    }
  }

  /** Runs a Lua script by its SHA-1 (sent whole only the first time Redis has not seen it). */
  script(lua: string, keys: string[], args: Array<string | number>): Promise<unknown> {
    const sha = shaOf(lua);
    return this.run(async (client) => {
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!/NOSCRIPT/.test(String((err as Error)?.message))) throw err;
        return client.eval(lua, keys.length, ...keys, ...args);
      }
    });
  }

  /** Closes after what was sent is answered (the last turns given back), or at once when Redis is down. */
  close(): void {
    this.closed = true;
    this.client.quit().catch(() => this.client.disconnect());
  }

  private markDown(reason: string): void {
    if (this.closed) return;
    this.up = false;
    if (this.downSaid) return;
    this.downSaid = true;
    this.events.onDown?.(reason);
  }
}

const shas = new Map<string, string>();
function shaOf(lua: string): string {
  let sha = shas.get(lua);
  if (!sha) shas.set(lua, (sha = createHash('sha1').update(lua).digest('hex')));
  return sha;
}

function isReplyError(err: unknown): boolean {
  return (err as Error)?.name === 'ReplyError';
}

/** A short cause, never the message (which may quote the URL). */
function codeOf(err: unknown): string {
  const e = err as { code?: string; name?: string };
  return e?.code ?? e?.name ?? 'error';
}
