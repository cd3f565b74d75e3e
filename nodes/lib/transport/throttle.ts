/**
 * Self-throttling shared by every node of one connection: at most `maxConcurrent` messages at
 * once, a bounded queue for the rest (a message that cannot be queued is refused at once), and no
 * new message started while `perWindow` requests were made in the rolling window (Redox: 7,500
 * per five minutes, per client). Each run() counts one request; the few others a message may
 * make (authenticate, send again after a 401) are counted with record() as they go, so the
 * default budget stays some hundreds under Redox's limit.
 *
 * Hand-written rather than p-queue or bottleneck: those count fixed intervals (a burst across two
 * intervals can double the rate inside one rolling window), and a redeploy must settle every
 * queued request with an error, not drop it.
 */
import { RedoxError } from '../shared/errors';

export interface ThrottleOptions {
  perWindow: number;
  windowMs: number;
  maxConcurrent: number;
  maxQueue: number;
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;
/** A backfill (a CSV of many thousand patients split into messages at once) must fit in the queue. */
export const DEFAULT_MAX_QUEUE = 100_000;
export const DEFAULT_THROTTLE: ThrottleOptions = {
  perWindow: 7000,
  windowMs: FIVE_MINUTES_MS,
  maxConcurrent: 20,
  maxQueue: DEFAULT_MAX_QUEUE,
};

interface Waiting {
  start: () => void;
  fail: (err: RedoxError) => void;
}

export class Throttle {
  /** Request times inside the current window, oldest first. */
  private readonly started: number[] = [];
  private readonly queue: Waiting[] = [];
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Nothing starts before this time (a 429 paused the connection). */
  private pausedUntil = 0;

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one more HTTP request against the budget (each run() counts one itself). */
  record(): void {
    this.started.push(this.now());
  }

  /** Runs `task` when the budget and concurrency allow. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed || signal?.aborted) return Promise.reject(new RedoxError('stopped'));
    if (this.queue.length === 0 && this.active < this.options.maxConcurrent && this.hasBudget() && this.now() >= this.pausedUntil) {
      // Nothing waits and there is room: start now, without the queue's bookkeeping.
      this.active++;
      const result = task();
      result.then(this.finished, this.finished); // registered first, so it runs before the caller's reactions
      return result;
    }
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new RedoxError('queueFull', { limit: this.options.maxQueue }));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(waiting);
        if (index !== -1) this.queue.splice(index, 1);
        reject(new RedoxError('stopped'));
      };
      const waiting: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          task().then(resolve, reject).finally(this.finished);
        },
        fail: reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiting);
      this.pump();
    });
  }

  /** Starts nothing more until `until` (epoch ms): what waits, waits; what comes, queues. */
  pause(until: number): void {
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
  }

  /** When the pause ends, if the connection is paused now. */
  get pausedUntilTime(): number | undefined {
    return this.now() < this.pausedUntil ? this.pausedUntil : undefined;
  }

  /** How many wait for their turn. */
  get queued(): number {
    return this.queue.length;
  }

  /** Refuses what waits and what comes; what runs is left to finish (or to be aborted by its owner). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiting of this.queue.splice(0)) waiting.fail(new RedoxError('stopped'));
  }

  /**
   * A request counts in the window from when it is answered, not from when it starts: Redox counts
   * it on arrival, which is between the two, so this window never frees before Redox's does.
   * Until then it counts as running (active).
   */
  private readonly finished = (): void => {
    this.active--;
    this.started.push(this.now());
    this.pump();
  };

  /** Drops request times that left the window; true while the budget has room. */
  private hasBudget(): boolean {
    const cutoff = this.now() - this.options.windowMs;
    while (this.started.length > 0 && this.started[0] <= cutoff) this.started.shift();
    return this.started.length + this.active < this.options.perWindow;
  }

  private pump(): void {
    if (this.closed || this.queue.length === 0) return;
    const now = this.now();
    if (now < this.pausedUntil) {
      this.wakeAt(this.pausedUntil - now);
      return;
    }
    while (this.started.length > 0 && this.started[0] <= now - this.options.windowMs) this.started.shift();
    while (
      this.queue.length > 0 &&
      this.active < this.options.maxConcurrent &&
      this.started.length + this.active < this.options.perWindow
    ) {
      this.queue.shift()!.start();
    }
    if (this.queue.length > 0 && this.started.length > 0 && this.started.length + this.active >= this.options.perWindow) {
      // The budget frees up when the oldest request in the window leaves it.
      this.wakeAt(this.started[0] + this.options.windowMs - now + 1);
    }
  }

  private wakeAt(delay: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delay);
    this.timer.unref();
  }
}
