/** The emulator's options, faults and records, as its owner (a test, the command line) sees them. */
import type http from 'node:http';
import type { EmulatorCredential, OAuthClient } from './auth';
import type { Destination } from './data-models';
import type { RateLimit } from './rate-limit';

export interface EmulatorOptions {
  /** API keys the emulator accepts; default: the demo key. */
  credentials?: EmulatorCredential[];
  /** Destinations the source is subscribed to; default: the sample destinations. */
  destinations?: Destination[];
  /** Access token lifetime; default 24 h, as at Redox. */
  tokenLifetimeMs?: number;
  /** Largest accepted body; default 40 MB, as at Redox (413 above). */
  maxBodyBytes?: number;
  /** Requests per client address per window; default 7,500 per 5 minutes, as at Redox (429 above). */
  rateLimit?: RateLimit;
  /** How many received requests and arrivals it remembers (the oldest are forgotten); default 10,000. */
  maxLog?: number;
  /** OAuth API keys it accepts; default: the demo HS384 client. */
  oauthClients?: OAuthClient[];
}

/** A fault for the next matching request: answer with this status/body, wait first, or drop the connection. */
export interface Fault {
  /** Which requests it applies to; default 'data' (/endpoint and /query). */
  on?: 'data' | 'auth' | 'any';
  /** Only requests to this path (e.g. '/auth/refreshToken'). */
  path?: string;
  status?: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Wait this long first (then answer normally unless status or drop is given). */
  delayMs?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
}

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  status: number;
  receivedAt: string;
}

/** Every request to the API as it arrived, faults and refusals included, with how it ended. */
export interface Arrival {
  path: string;
  kind: 'auth' | 'data';
  /** The parsed body of a data request. */
  body: unknown;
  /** The status sent, or 'drop' for a dropped connection. */
  outcome: string;
  /** When it arrived (epoch ms): where the rate limit counts it. */
  at: number;
}

export interface EmulatorCalls {
  authenticate: number;
  refreshToken: number;
  oauthToken: number;
  endpoint: number;
  query: number;
  /** Requests to /upload that got past the rate limit and faults. */
  upload: number;
  rejected401: number;
  rateLimited: number;
  faults: number;
  /** TCP connections that carried API requests (keep-alive reuses them; /_emulator/ calls don't count). */
  connections: number;
}
