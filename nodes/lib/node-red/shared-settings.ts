/**
 * The redox-config setting Shared state: with 'redis', the connection shares its token and its
 * rate budget with every Node-RED instance whose connection has the same credentials and base URL,
 * through the Redis at the credential redisUrl.
 */
import type { Node, NodeAPI } from 'node-red';
import { SharedState } from '../cluster/shared-state';
import { normaliseBaseUrl } from '../redox-urls';
import { RedoxError } from '../shared/errors';
import type { ThrottleOptions } from '../transport/throttle';
import type { RedoxConfigDef } from './config-node';
import type { Resolve } from './runtime';
import type { StatusBoard } from './status-board';
import { say } from './words';

export interface SharedStateInputs {
  RED: NodeAPI;
  node: Node;
  def: RedoxConfigDef;
  redisUrl: string | undefined;
  resolve: Resolve;
  baseUrl: string;
  /** The token method's identity: [method, API key or client ID, then the secrets]. */
  identity: readonly string[];
  throttle: ThrottleOptions;
  board: StatusBoard;
}

/** The shared state the settings ask for, or undefined for 'none'; throws badSetting for a bad Redis URL. */
export function sharedStateFor({
  RED,
  node,
  def,
  redisUrl,
  resolve,
  baseUrl,
  identity,
  throttle,
  board,
}: SharedStateInputs): SharedState | undefined {
  if (def.sharedState !== 'redis') return undefined;
  const url = resolve(redisUrl)?.trim();
  if (!url || !/^rediss?:\/\/[^\s]+$/.test(url)) throw new RedoxError('badSetting', { setting: 'redisUrl' });
  const alone = say(RED, 'redox-config', 'status.alone');
  return new SharedState({
    redisUrl: url,
    keyPrefix: def.sharedKeyPrefix,
    baseUrl: normaliseBaseUrl(baseUrl).toLowerCase(),
    identity: identity[1] ?? '',
    secrets: identity.slice(2).filter(Boolean),
    perWindow: throttle.perWindow,
    windowMs: throttle.windowMs,
    events: {
      onDown: (reason) => {
        node.warn(say(RED, 'redox-config', 'warnings.redisDown', { reason }));
        board.setNote(alone);
      },
      onUp: () => {
        node.log(say(RED, 'redox-config', 'warnings.redisBack'));
        board.setNote(undefined);
      },
      onSmallerBudget: (limit) => node.warn(say(RED, 'redox-config', 'warnings.smallerBudget', { limit, own: throttle.perWindow })),
    },
  });
}
