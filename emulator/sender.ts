/**
 * Redox as the sender (../shared/redox-api.md section 6): the verification handshake against a
 * destination URL, then deliveries POSTed one at a time and in order with the headers Redox
 * sends. A status >= 400 (or no answer) pauses the feed: the same message is sent again after a
 * back-off that doubles, and the next one waits, until it is accepted or the attempts run out.
 * Queries are sent once and their synchronous answer returned.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { examplePayload, isKnownEvent } from '../nodes/lib/datamodel/catalogue';
import { SAMPLE_DESTINATIONS, SAMPLE_SOURCE } from './sample-data';

export interface SenderOptions {
  /** The destination's verification token. */
  token: string;
  /** Tries per message before the feed stops (default 5). */
  attempts?: number;
  /** The first wait after a refusal; each further wait doubles, up to 30 s (default 1000 ms). */
  backoffMs?: number;
  /** How long one request may take (default 120 s, Redox's limit for synchronous requests). */
  timeoutMs?: number;
  /** Told of every attempt's outcome. */
  onAttempt?: (attempt: AttemptOutcome) => void;
}

export interface AttemptOutcome {
  /** The message's place in the feed, from 0. */
  index: number;
  attempt: number;
  status?: number;
  error?: string;
}

export interface VerificationResult {
  ok: boolean;
  status?: number;
  error?: string;
}

export interface FeedResult {
  verified: boolean;
  /** How many messages were accepted (the first ones, in order). */
  delivered: number;
  /** The message the feed stopped at, when one was refused on every attempt. */
  stoppedAt?: { index: number; status?: number; error?: string; attempts: number };
}

export interface QueryAnswer {
  status: number;
  body: unknown;
}

const MAX_BACKOFF_MS = 30_000;

/** The headers Redox sends with a delivery: the token twice (older and newer docs), JSON. */
function deliveryHeaders(token: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'verification-token': token,
    authorization: `Bearer ${token}`,
    'user-agent': 'redox-emulator',
  };
}

async function post(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, text: await res.text() };
}

/** "Verify and Save": POSTs (or GETs) a challenge with the token; verified when the answer is 200 with the challenge. */
export async function verifyDestination(
  url: string,
  token: string,
  method: 'POST' | 'GET' = 'POST',
  timeoutMs = 30_000,
): Promise<VerificationResult> {
  const challenge = randomUUID();
  try {
    let status: number;
    let text: string;
    if (method === 'GET') {
      const target = new URL(url);
      target.searchParams.set('challenge', challenge);
      target.searchParams.set('verification-token', token);
      const res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
      ({ status } = res);
      text = await res.text();
    } else {
      ({ status, text } = await post(
        url,
        JSON.stringify({ 'verification-token': token, challenge }),
        { 'content-type': 'application/json' },
        timeoutMs,
      ));
    }
    return { ok: status === 200 && text.trim() === challenge, status };
  } catch (err) {
    return { ok: false, error: describe(err) };
  }
}

/** Verifies the destination, then delivers `messages` in order (see the module comment). */
export async function deliverFeed(url: string, messages: readonly unknown[], options: SenderOptions): Promise<FeedResult> {
  const verification = await verifyDestination(url, options.token);
  if (!verification.ok) return { verified: false, delivered: 0 };
  return { verified: true, ...(await deliverInOrder(url, messages, options)) };
}

/** Delivers `messages` in order without the handshake. */
export async function deliverInOrder(
  url: string,
  messages: readonly unknown[],
  options: SenderOptions,
): Promise<Omit<FeedResult, 'verified'>> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const headers = deliveryHeaders(options.token);
  for (let index = 0; index < messages.length; index++) {
    const body = Buffer.isBuffer(messages[index]) ? (messages[index] as Buffer) : JSON.stringify(messages[index]);
    let wait = options.backoffMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      let outcome: AttemptOutcome;
      try {
        outcome = { index, attempt, status: (await post(url, body, headers, timeoutMs)).status };
      } catch (err) {
        outcome = { index, attempt, error: describe(err) };
      }
      options.onAttempt?.(outcome);
      if (outcome.status !== undefined && outcome.status < 400) break;
      if (attempt >= attempts)
        return { delivered: index, stoppedAt: { index, status: outcome.status, error: outcome.error, attempts: attempt } };
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, MAX_BACKOFF_MS);
    }
  }
  return { delivered: messages.length };
}

/** Sends one query and returns the synchronous answer (JSON when it parses, else text). */
export async function sendQuery(url: string, message: unknown, options: Pick<SenderOptions, 'token' | 'timeoutMs'>): Promise<QueryAnswer> {
  const { status, text } = await post(url, JSON.stringify(message), deliveryHeaders(options.token), options.timeoutMs ?? 120_000);
  try {
    return { status, body: JSON.parse(text) };
  } catch {
    return { status, body: text };
  }
}

/**
 * A message as Redox would deliver it: the generated example of the pair with a Meta naming the
 * sample source, a destination, a log ID and `Test: true`.
 */
export function sampleDelivery(dataModel: string, eventType: string): Record<string, unknown> {
  if (!isKnownEvent(dataModel, eventType)) throw new Error(`unknown data model and event type: ${dataModel} ${eventType}`);
  const example = (examplePayload(dataModel, eventType) ?? {}) as Record<string, unknown>;
  return {
    ...example,
    Meta: {
      DataModel: dataModel,
      EventType: eventType,
      EventDateTime: new Date().toISOString(),
      Test: true,
      Source: SAMPLE_SOURCE,
      Destinations: [{ ID: SAMPLE_DESTINATIONS[0].ID, Name: SAMPLE_DESTINATIONS[0].Name }],
      Logs: [{ ID: randomUUID(), AttemptID: randomUUID() }],
      Message: { ID: randomInt(1, 2 ** 31) },
    },
  };
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
