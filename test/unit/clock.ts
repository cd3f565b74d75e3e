/** A clock the tests move by hand, for the modules that take `now` as an option. */
export class ManualClock {
  constructor(public time = Date.parse('2026-11-30T12:00:00Z')) {}

  readonly now = (): number => this.time;

  advance(ms: number): void {
    this.time += ms;
  }
}

/** Resolves after the promise callbacks already queued have run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
