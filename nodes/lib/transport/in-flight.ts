/**
 * The requests one HTTP client has in flight, and what stops one early: the abort signal of the
 * node that sent it (a redeploy), its deadline (the request timeout), or the client closing.
 * One listener per signal and one timer for all deadlines: got, given a signal and a timeout with
 * each request, would add a listener and a timer per request, and the hot path pays for those.
 */
/** setTimeout cannot wait longer (a longer deadline wakes early and sleeps again). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A request that can be stopped with an error (got's stream requests can). */
export interface Stoppable {
  destroy(error: Error): void;
}

/** Why a request was stopped: its owner knows (closing, signal, deadline) and reports that instead. */
function stopped(): Error {
  return new Error('request stopped');
}

interface Entry {
  signal: AbortSignal | undefined;
  deadline: number;
  timedOut: boolean;
}

export class InFlightRequests {
  private readonly entries = new Map<Stoppable, Entry>();
  /** Signals already listened to (a node's signal serves all its messages). */
  private readonly watched = new WeakSet<AbortSignal>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Tracks `request` until delete(): stopped when `signal` fires or `timeoutMs` passes. The
   * returned record says afterwards whether the deadline was what stopped it.
   */
  add(request: Stoppable, timeoutMs: number, signal?: AbortSignal): { readonly timedOut: boolean } {
    const entry: Entry = { signal, deadline: this.now() + timeoutMs, timedOut: false };
    this.entries.set(request, entry);
    if (signal && !this.watched.has(signal)) this.watch(signal);
    if (entry.deadline < this.timerAt) this.wakeAt(entry.deadline);
    return entry;
  }

  delete(request: Stoppable): void {
    this.entries.delete(request);
  }

  /** Stops everything in flight (the client is closing). */
  cancelAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    for (const request of this.entries.keys()) request.destroy(stopped());
    this.entries.clear();
  }

  private watch(signal: AbortSignal): void {
    this.watched.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const [request, entry] of this.entries) if (entry.signal === signal) request.destroy(stopped());
      },
      { once: true },
    );
  }

  private wakeAt(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.expire(), Math.min(Math.max(0, at - this.now()), MAX_TIMER_MS));
    this.timer.unref(); // a pending deadline must not keep Node-RED from exiting
  }

  /** Stops what is past its deadline and sleeps until the next one. */
  private expire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    let next = Infinity;
    for (const [request, entry] of this.entries) {
      if (entry.deadline <= now) {
        if (!entry.timedOut) {
          entry.timedOut = true;
          request.destroy(stopped());
        }
      } else if (entry.deadline < next) {
        next = entry.deadline;
      }
    }
    if (next !== Infinity) this.wakeAt(next);
  }
}
