/**
 * What redox-receive does with each request Redox makes: the verification handshake, the token
 * check, reading and filtering a delivery, and the reply (at once, or from the flow within a
 * time limit). Nothing reaches the flow unless its token matched; refusals say nothing of why.
 */
import type { Request, Response } from 'express';
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import type { CapturingRequest } from '../receive/body-capture';
import { readBody, readVerificationQuery, type ReadBody } from '../receive/delivery';
import type { TokenCheck } from '../receive/token-check';
import { dropTokenHeaders, replyHandle, requestView } from './http-reply';
import type { ReceiveCounts } from './receive-status';
import type { ReceiveSettings } from './receive-settings';
import { say } from './words';

export class Receiver {
  /** Flow replies not yet sent, each with its deadline. */
  private readonly waiting = new Map<Response, NodeJS.Timeout>();

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    private readonly settings: ReceiveSettings,
    private readonly tokens: TokenCheck,
    private readonly counts: ReceiveCounts,
  ) {}

  readonly onGet = (req: Request, res: Response): void => {
    const verification = readVerificationQuery(req.query as Record<string, unknown>);
    if (verification && this.tokens.matches(verification.token)) this.sendChallenge(res, verification.challenge);
    else this.refuse(res, 403);
  };

  readonly onPost = (req: Request, res: Response): void => {
    const captured = (req as CapturingRequest).redoxCapture;
    if (captured?.failed) return this.refuse(res, captured.failed);
    const read = readBody(captured?.body ?? bodyOf(req));
    if (read.kind === 'verification') {
      if (this.tokens.matches(read.token)) this.sendChallenge(res, read.challenge);
      else this.refuse(res, 403);
      return;
    }
    const verified = captured ? captured.verified : this.tokens.matchesHeaders(req.headers);
    dropTokenHeaders(req);
    if (!verified) return this.refuse(res, 403);
    if (read.kind === 'invalid') return this.refuse(res, 400, read.reason);
    this.deliver(req, res, read);
  };

  /** Answers every reply still waiting (the node is closing): 503, so that Redox sends it again. */
  close(): void {
    for (const [res, timer] of this.waiting) {
      clearTimeout(timer);
      if (!res.headersSent) res.sendStatus(503);
    }
    this.waiting.clear();
  }

  private deliver(req: Request, res: Response, read: Extract<ReadBody, { kind: 'delivery' }>): void {
    const { meta, payload } = read;
    if (!this.settings.filter.passes(meta)) {
      this.counts.delivered(true);
      res.sendStatus(200);
      return;
    }
    this.counts.delivered(false);
    const msg: NodeMessage & Record<string, unknown> = {
      _msgid: this.RED.util.generateId(),
      topic: `${meta.dataModel}/${meta.eventType}`,
      payload,
      redox: meta,
      req: requestView(req),
    };
    if (this.settings.reply === 'auto') {
      // Redox pauses the feed on any status >= 400 and waits for each answer: never on the flow.
      res.sendStatus(200);
    } else {
      msg.res = replyHandle(res);
      this.awaitReply(res);
    }
    this.node.send(msg);
  }

  private awaitReply(res: Response): void {
    const timer = setTimeout(() => {
      this.waiting.delete(res);
      if (res.headersSent) return;
      this.node.warn(say(this.RED, 'redox-receive', 'warnings.noReply', { seconds: this.settings.timeoutMs / 1000 }));
      res.status(504).type('text/plain').send('No answer from the flow in time.');
    }, this.settings.timeoutMs);
    this.waiting.set(res, timer);
    const settled = () => {
      clearTimeout(timer);
      this.waiting.delete(res);
    };
    res.once('finish', settled);
    res.once('close', settled);
  }

  private sendChallenge(res: Response, challenge: string): void {
    res.status(200).type('text/plain').send(challenge);
  }

  private refuse(res: Response, status: 400 | 403 | 413, reason?: string): void {
    this.counts.refusedOne();
    if (status === 400 && reason) res.status(400).type('text/plain').send(reason);
    else res.sendStatus(status);
  }
}

/** A body that something ahead of the capture read already (tolerated; the capture normally runs first). */
function bodyOf(req: Request): Buffer | string {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') return body;
  return body === undefined ? '' : JSON.stringify(body);
}
