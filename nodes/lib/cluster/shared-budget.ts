/**
 * One rolling request budget for every instance that shares a connection's Redis keys. Before a
 * request starts it takes a turn from the window in Redis (TAKE_TURNS, on Redis's clock); once it
 * is answered its time in the window is moved to the answer (REQUESTS_DONE), as the local
 * throttle counts. A 429 seen by one instance pauses all of them. While Redis is unreachable every
 * turn is granted at once: the local throttle, with the whole budget, governs alone.
 *
 * A round trip to Redis for every request would cost about as much CPU as the request itself
 * when messages come one at a time: so an instance that used up its last turns quickly takes a
 * few at once (a lease, up to MAX_LEASE) while no instance waits for the window, and gives back
 * (ZREM) what it has not used within LEASE_MS; the answered requests are reported in batches.
 */
import { randomUUID } from 'node:crypto';
import { RedoxError } from '../shared/errors';
import { RedisUnavailable, type RedisLink } from './redis-link';
import { ANNOUNCE_BUDGET, PAUSE_ALL, RECORD_REQUEST, REQUESTS_DONE, TAKE_TURNS } from './scripts';

/** Turns taken at once at most, and how long unused ones are kept before they are given back. */
const MAX_LEASE = 16;
const LEASE_MS = 100;
/** Answered requests are reported to Redis this often (far inside any window), or sooner when this many wait. */
const DONE_FLUSH_MS = 50;
const DONE_BATCH = 64;

export interface BudgetKeys {
  window: string;
  budgets: string;
  pause: string;
  /** Set while instances wait for the window (contention): turns are then taken one at a time. */
  waiting: string;
}

export interface SharedBudgetEvents {
  /** Another instance has a smaller budget, used by all (said once per value). */
  onSmallerBudget?: (limit: number) => void;
}

/** A granted turn, or none when Redis was not asked. */
export type Turn = string | undefined;

export class SharedBudget {
  private readonly instance = randomUUID();
  private sequence = 0;
  private warnedLimit: number | undefined;
  /** Turns leased and not yet used, and when they go back. */
  private lease: string[] = [];
  private leaseTimer: NodeJS.Timeout | undefined;
  /** How many turns to ask for next: doubles while leases are used up, shrinks by what goes back. */
  private want = 1;
  private finished: string[] = [];
  /** Requests waiting for the window: woken when another one's lease brings turns. */
  private readonly sleepers = new Set<() => void>();
  private doneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: BudgetKeys,
    private readonly perWindow: number,
    private readonly windowMs: number,
    private readonly events: SharedBudgetEvents = {},
  ) {}

  /**
   * Waits until the shared window has room (or Redis is unreachable), then holds a turn;
   * `onPaused` hears of a pause another instance's 429 began (until then, epoch ms).
   */
  async waitTurn(signal?: AbortSignal, onPaused?: (until: number) => void): Promise<Turn> {
    for (;;) {
      if (signal?.aborted) throw new RedoxError('stopped');
      const leased = this.lease.pop();
      if (leased) {
        if (this.lease.length === 0) this.leaseUsedUp();
        return leased;
      }
      const prefix = `${this.instance}:${++this.sequence}`;
      let answer: [number, number, number];
      try {
        answer = (await this.link.script(
          TAKE_TURNS,
          [this.keys.window, this.keys.budgets, this.keys.pause, this.keys.waiting],
          [this.perWindow, this.windowMs, this.instance, prefix, this.want],
        )) as [number, number, number];
      } catch (err) {
        if (err instanceof RedisUnavailable) return undefined;
        throw err;
      }
      const [granted, value, limit] = answer;
      if (limit < this.perWindow && this.warnedLimit !== limit) {
        this.warnedLimit = limit;
        this.events.onSmallerBudget?.(limit);
      }
      if (granted === 1) return this.keep(prefix, value);
      if (granted === 2) {
        this.want = 1;
        onPaused?.(Date.now() + value);
      }
      await this.sleep(value, signal);
    }
  }

  /** The turn's request was answered: it counts from now (reported with others, within DONE_FLUSH_MS). */
  done(turn: Turn): void {
    if (!turn) return;
    this.finished.push(turn);
    if (this.finished.length >= DONE_BATCH) this.flushDone();
    else this.doneTimer ??= setTimeout(() => this.flushDone(), DONE_FLUSH_MS).unref();
  }

  /** Says this instance's budget, so that the others use the smaller one before this one's first turn. */
  announce(): void {
    this.link.script(ANNOUNCE_BUDGET, [this.keys.budgets], [this.perWindow, this.instance]).catch(ignore);
  }

  /** A request made outside a turn (authenticate, refresh, a resend after a 401) counts too. */
  record(): void {
    if (!this.link.isUp) return;
    this.link.script(RECORD_REQUEST, [this.keys.window], [`${this.instance}:r${++this.sequence}`, this.windowMs]).catch(ignore);
  }

  /** A 429: every instance waits this long, and this one gives back the turns it holds. */
  pauseAll(ms: number): void {
    this.giveBack();
    this.want = 1;
    if (!this.link.isUp) return;
    this.link.script(PAUSE_ALL, [this.keys.pause], [Math.max(1, Math.round(ms))]).catch(ignore);
  }

  close(): void {
    this.giveBack();
    this.flushDone();
  }

  /** The first of `count` granted turns is used now; the rest wait in the lease. */
  private keep(prefix: string, count: number): string {
    for (let i = count; i >= 2; i--) this.lease.push(`${prefix}:${i}`);
    if (this.lease.length > 0) {
      for (const wake of this.sleepers) wake();
      if (this.leaseTimer) clearTimeout(this.leaseTimer);
      this.leaseTimer = setTimeout(() => this.giveBack(), LEASE_MS);
      this.leaseTimer.unref();
    } else {
      this.leaseUsedUp();
    }
    return `${prefix}:1`;
  }

  /** Every leased turn was wanted in time: ask for more next time. */
  private leaseUsedUp(): void {
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
    this.want = Math.min(MAX_LEASE, this.want * 2);
  }

  /** Unused turns go back to the window, for the other instances; fewer are asked for next time. */
  private giveBack(): void {
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
    if (this.lease.length === 0) return;
    const unused = this.lease;
    this.lease = [];
    this.want = Math.max(1, this.want - unused.length);
    this.link.run((c) => c.zrem(this.keys.window, ...unused)).catch(ignore);
  }

  /** Waits `ms`, or less when a lease brings turns; rejects with 'stopped' when the message's node stops. */
  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        signal?.removeEventListener('abort', stop);
        resolve();
      };
      const stop = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        reject(new RedoxError('stopped'));
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      signal?.addEventListener('abort', stop, { once: true });
    });
  }

  private flushDone(): void {
    if (this.doneTimer) clearTimeout(this.doneTimer);
    this.doneTimer = undefined;
    if (this.finished.length === 0) return;
    const members = this.finished;
    this.finished = [];
    this.link.script(REQUESTS_DONE, [this.keys.window], [this.windowMs, ...members]).catch(ignore);
  }
}

function ignore(): void {
  // best effort: Redis being down is said by the link; the local throttle counted the request too
}
