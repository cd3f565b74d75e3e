/**
 * The web routes of redox-receive nodes on Node-RED's HTTP-node app: mounted behind
 * httpNodeMiddleware as core `http in` mounts its routes, one node per URL, and taken down by
 * identity on close (so closing one node never removes another's route).
 */
import type { Application, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Node, NodeAPI } from 'node-red';
import { BodyCapture, routePath } from '../receive/body-capture';
import type { TokenCheck } from '../receive/token-check';

/** One capture for the whole runtime: it sits at the top of the root app and serves every receiving URL. */
const capture = new BodyCapture();
/** Which node has each URL (normalised as Express matches it). */
const owners = new Map<string, Node>();

export interface ReceiverHandlers {
  post: (req: Request, res: Response) => void;
  get: (req: Request, res: Response) => void;
}

export type Mounted = { ok: true; close: () => void } | { ok: false; ownedBy: Node };

interface Layer {
  route?: { stack: Array<{ handle: unknown }> };
}

/** The HTTP-node app, typed: Node-RED's typings don't include Express. */
function httpNodeOf(RED: NodeAPI): Application {
  return (RED as unknown as { httpNode: Application }).httpNode;
}

/** The URL under Node-RED's HTTP-node root, as Express matches it. */
function routeKey(RED: NodeAPI, url: string): string {
  const root = typeof httpNodeOf(RED).path === 'function' ? httpNodeOf(RED).path() : '';
  return routePath(`${root}/${url}`);
}

/** Mounts POST and GET `url` for `node`, unless another node has it. */
export function mountReceiver(RED: NodeAPI, node: Node, url: string, tokens: TokenCheck, handlers: ReceiverHandlers): Mounted {
  const key = routeKey(RED, url);
  const owner = owners.get(key);
  if (owner && owner !== node) return { ok: false, ownedBy: owner };
  owners.set(key, node);
  const app = httpNodeOf(RED);
  capture.install(app);
  capture.add(key, tokens);

  const middleware = nodeMiddleware(RED);
  // Anything thrown on the way (a bad httpNodeMiddleware) is answered without detail.
  const onError = (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    node.warn(String((err as Error)?.message ?? err));
    if (!res.headersSent) res.sendStatus(500);
  };
  app.post(url, ...middleware, handlers.post, onError);
  app.get(url, ...middleware, handlers.get, onError);
  const ours = new Set<unknown>([handlers.post, handlers.get]);

  return {
    ok: true,
    close: () => {
      capture.remove(key);
      if (owners.get(key) === node) owners.delete(key);
      const stack = (app as unknown as { _router?: { stack: Layer[] } })._router?.stack ?? [];
      for (let i = stack.length - 1; i >= 0; i--) {
        if (stack[i].route?.stack.some((layer) => ours.has(layer.handle))) stack.splice(i, 1);
      }
    },
  };
}

/** RED.settings.httpNodeMiddleware (a function or a list), applied as core http in applies it. */
function nodeMiddleware(RED: NodeAPI): RequestHandler[] {
  const setting = (RED.settings as unknown as { httpNodeMiddleware?: unknown }).httpNodeMiddleware;
  if (typeof setting === 'function') return [setting as RequestHandler];
  if (Array.isArray(setting)) return setting.filter((item): item is RequestHandler => typeof item === 'function');
  return [];
}
