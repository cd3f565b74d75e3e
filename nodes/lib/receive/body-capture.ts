/**
 * Reads the body of a POST to a receiving URL before anything else in the web server does.
 *
 * In a default Node-RED the editor's API and the HTTP nodes share one web server, and the
 * editor's JSON parser reads every JSON POST first, capped at apiMaxLength (5 MB), so a 6 MB
 * delivery would be refused before any HTTP-node route ran. Redox sends up to 40 MB. Core
 * `http in` solves this for its raw-body routes with a middleware at the top of the root app's
 * stack; this is the same, with a limit of its own. Only a request that carries the right token
 * in its headers may send that much: anything else (a verification request puts its token in the
 * body) is read up to a few kilobytes, so a stranger cannot make Node-RED buffer 40 MB.
 */
import type { Application, NextFunction, Request, Response } from 'express';
import getRawBody from 'raw-body';
import type { TokenCheck } from './token-check';

/** Redox sends up to 40 MB of API traffic. */
const DELIVERY_LIMIT_BYTES = 40 * 1024 * 1024;
/** `{"verification-token": ..., "challenge": ...}` and room to spare. */
const UNVERIFIED_LIMIT_BYTES = 64 * 1024;

/** What the capture leaves on the request for the route. */
export interface CapturedBody {
  /** The headers carried the right token. */
  verified: boolean;
  body?: Buffer;
  /** 413: over the limit with the right token; 403: over the small limit without it; 400: unreadable. */
  failed?: 400 | 403 | 413;
}

export type CapturingRequest = Request & { redoxCapture?: CapturedBody; _body?: boolean; skipRawBodyParser?: boolean };

interface Endpoint {
  tokens: TokenCheck;
  limit: number;
}

/** The receiving URLs (full paths on the root app), and the one middleware that reads their bodies. */
export class BodyCapture {
  private readonly endpoints = new Map<string, Endpoint>();
  private installedOn: Application | undefined;

  /** Puts the capture at the top of the root app's stack, once (Express 4's router, as core http in does). */
  install(httpNode: Application): void {
    const root = rootOf(httpNode);
    if (this.installedOn === root) return;
    const middleware = (req: Request, res: Response, next: NextFunction) => this.capture(req as CapturingRequest, res, next);
    root.use(middleware);
    const stack = (root as unknown as { _router?: { stack: Array<{ handle: unknown }> } })._router?.stack;
    const at = stack?.findIndex((layer) => layer.handle === middleware) ?? -1;
    if (stack && at > 0) stack.unshift(stack.splice(at, 1)[0]);
    this.installedOn = root;
  }

  add(fullPath: string, tokens: TokenCheck, limit = DELIVERY_LIMIT_BYTES): void {
    this.endpoints.set(routePath(fullPath), { tokens, limit });
  }

  remove(fullPath: string): void {
    this.endpoints.delete(routePath(fullPath));
  }

  private capture(req: CapturingRequest, _res: Response, next: NextFunction): void {
    if (req.method !== 'POST' || this.endpoints.size === 0) return next();
    const endpoint = this.endpoints.get(routePath(pathOf(req)));
    if (!endpoint || req._body) return next();
    const verified = endpoint.tokens.matchesHeaders(req.headers);
    const captured: CapturedBody = { verified };
    req.redoxCapture = captured;
    // Every later body parser (the editor's, core http in's) sees the body as read already.
    req._body = true;
    req.skipRawBodyParser = true;
    getRawBody(req, { length: req.headers['content-length'], limit: verified ? endpoint.limit : UNVERIFIED_LIMIT_BYTES }, (err, body) => {
      if (err) {
        const tooLarge = (err as { type?: string }).type === 'entity.too.large';
        captured.failed = tooLarge ? (verified ? 413 : 403) : 400;
        req.resume(); // what is left unread is discarded, so that the answer reaches the sender
      } else {
        captured.body = body;
      }
      next();
    });
  }
}

function rootOf(app: Application): Application {
  const parent = (app as unknown as { parent?: Application }).parent;
  return parent ? rootOf(parent) : app;
}

function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A path as Express matches routes: case-insensitive, one slash between parts, no trailing slash (`//Redox/` is `/redox`). */
export function routePath(path: string): string {
  return path
    .replace(/\/{2,}/g, '/')
    .replace(/(.)\/$/, '$1')
    .toLowerCase();
}
