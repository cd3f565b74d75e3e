/** Redox's rate limit as the emulator applies it: a rolling window of requests per client address. */

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export class RollingRateLimit {
  /** Client address -> request times; old ones are dropped from the front, in constant time. */
  private readonly hits = new Map<string, { times: number[]; head: number }>();

  /** `current` is read for every request, so that a change of the limit applies at once. */
  constructor(private readonly current: () => RateLimit) {}

  /** Counts a request from `client`; false when the window is already full (the request is refused). */
  allow(client: string, now = Date.now()): boolean {
    const { limit, windowMs } = this.current();
    let log = this.hits.get(client);
    if (!log) this.hits.set(client, (log = { times: [], head: 0 }));
    while (log.head < log.times.length && log.times[log.head] <= now - windowMs) log.head++;
    if (log.head > 1024 && log.head * 2 > log.times.length) {
      log.times = log.times.slice(log.head);
      log.head = 0;
    }
    if (log.times.length - log.head >= limit) return false;
    log.times.push(now);
    return true;
  }

  clear(): void {
    this.hits.clear();
  }
}
