/**
 * The statuses of the nodes that use one connection. Updates are coalesced to one per node per
 * quarter second (a busy flow would otherwise redraw the editor for every message), the newest
 * always shown; while the connection authenticates, every user shows it, then goes back.
 */
import type { Node, NodeStatus } from 'node-red';

const MIN_INTERVAL_MS = 250;

/** A status, or how to make it: made only when shown, so coalesced updates cost nothing. */
export type StatusSource = NodeStatus | (() => NodeStatus);

interface Entry {
  shown?: NodeStatus;
  pending?: StatusSource;
  at: number;
  timer?: NodeJS.Timeout;
}

export class StatusBoard {
  private readonly entries = new Map<Node, Entry>();
  private authenticating: NodeStatus | undefined;
  private paused: NodeStatus | undefined;
  /** Added to every status while it holds (Redis unreachable: the connection works alone). */
  private note: string | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  set(node: Node, status: StatusSource): void {
    const entry = this.entries.get(node) ?? { at: 0 };
    this.entries.set(node, entry);
    entry.pending = status;
    const wait = entry.at + MIN_INTERVAL_MS - this.now();
    if (wait <= 0) this.flush(node, entry);
    else if (!entry.timer) {
      entry.timer = setTimeout(() => this.flush(node, entry), wait);
      entry.timer.unref();
    }
  }

  /** Shows `status` on every node while the connection gets a token; undefined puts theirs back. */
  setAuthenticating(status: NodeStatus | undefined): void {
    this.authenticating = status;
    this.showOverlay();
  }

  /** Shows `status` on every node while a 429 pauses the connection; undefined puts theirs back. */
  setPaused(status: NodeStatus | undefined): void {
    this.paused = status;
    this.showOverlay();
  }

  /** Adds `note` to every node's status until it is set to undefined. */
  setNote(note: string | undefined): void {
    this.note = note;
    this.showOverlay();
  }

  private noted(status: NodeStatus | undefined): NodeStatus {
    if (!this.note) return status ?? {};
    if (!status?.text) return { fill: 'yellow', shape: 'ring', text: this.note };
    return { ...status, text: `${String(status.text)} · ${this.note}` };
  }

  private get overlay(): NodeStatus | undefined {
    return this.authenticating ?? this.paused;
  }

  private showOverlay(): void {
    for (const [node, entry] of this.entries) node.status(this.overlay ?? this.noted(entry.shown));
  }

  forget(node: Node): void {
    const entry = this.entries.get(node);
    if (entry?.timer) clearTimeout(entry.timer);
    this.entries.delete(node);
  }

  private flush(node: Node, entry: Entry): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.at = this.now();
    const pending = entry.pending;
    entry.shown = typeof pending === 'function' ? pending() : pending;
    entry.pending = undefined;
    if (!this.overlay && entry.shown) node.status(this.noted(entry.shown));
  }
}
