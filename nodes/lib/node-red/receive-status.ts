/**
 * redox-receive's status: the time of the last delivery and the counts of accepted, filtered and
 * refused requests, coalesced by a status board so that a burst of thousands redraws the editor a
 * few times a second at most.
 */
import type { Node, NodeAPI, NodeStatus } from 'node-red';
import { StatusBoard } from './status-board';
import { say } from './words';

export class ReceiveCounts {
  accepted = 0;
  filtered = 0;
  refused = 0;
  lastAt: number | undefined;
  private lastRefused = false;
  private readonly board = new StatusBoard();

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
  ) {}

  delivered(filtered: boolean): void {
    if (filtered) this.filtered++;
    else this.accepted++;
    this.lastAt = Date.now();
    this.lastRefused = false;
    this.show();
  }

  refusedOne(): void {
    this.refused++;
    this.lastRefused = true;
    this.show();
  }

  /** A state of the node's own (listening, a configuration error), shown until the first request. */
  showText(status: NodeStatus): void {
    this.board.set(this.node, status);
  }

  close(): void {
    this.board.forget(this.node);
  }

  private show(): void {
    this.board.set(this.node, () => this.status());
  }

  private status(): NodeStatus {
    const time = this.lastAt === undefined ? '-' : new Date(this.lastAt).toLocaleTimeString();
    const parts = [say(this.RED, 'redox-receive', 'status.counts', { time, accepted: this.accepted, refused: this.refused })];
    if (this.filtered > 0) parts.push(say(this.RED, 'redox-receive', 'status.filtered', { filtered: this.filtered }));
    return { fill: this.lastRefused ? 'yellow' : 'green', shape: this.lastRefused ? 'ring' : 'dot', text: parts.join(' · ') };
  }
}
