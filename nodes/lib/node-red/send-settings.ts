/**
 * redox-send's settings. Each of Data Model, Event Type, Destinations and Test is either fixed in
 * the node or taken from the message (msg, flow, global or env, as a typedInput stores it). Fixed
 * ones are read once; the others per message.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { RedoxError } from '../shared/errors';
import { CHECK_MODES, type CheckMode } from '../datamodel/payload-check';
import { NUMBER_SETTINGS } from './connection-shape';
import { parseDestinations, parseNames, type SendSettings } from '../datamodel/request-builder';

export interface SendDef {
  dataModel?: unknown;
  dataModelType?: string;
  eventType?: unknown;
  eventTypeType?: string;
  destinations?: unknown;
  destinationsType?: string;
  destinationNames?: unknown;
  test?: unknown;
  testType?: string;
  /** 'required' (missing means required), 'strict' or 'off'. */
  checkPayload?: unknown;
}

type Field = 'dataModel' | 'eventType' | 'destinations' | 'test';
const FIELDS: readonly Field[] = ['dataModel', 'eventType', 'destinations', 'test'];
const FROM_MESSAGE = new Set(['msg', 'flow', 'global', 'env']);

function toText(value: unknown): string {
  return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
}

/** A Data Model or Event Type: text, or nothing; anything else (an object from msg) is refused, never sent as "[object Object]". */
function nameFrom(value: unknown, field: Field): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new RedoxError('badSetting', { setting: field });
  return value.trim();
}

function toFlag(value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false' || value === undefined || value === null || value === '') return false;
  throw new RedoxError('badSetting', { setting: 'test' });
}

/** Turns one field's value, fixed or evaluated, into its setting. */
function convert(field: Field, value: unknown, names: string[]): Partial<SendSettings> {
  switch (field) {
    case 'dataModel':
      return { dataModel: nameFrom(value, field) };
    case 'eventType':
      return { eventType: nameFrom(value, field) };
    case 'destinations':
      return { destinations: parseDestinations(value, names) };
    case 'test':
      return { test: toFlag(value) };
  }
}

/** The payload check's mode: missing means 'required'. */
function toCheckMode(value: unknown): CheckMode {
  if (value === undefined || value === null || value === '') return 'required';
  if (typeof value === 'string' && (CHECK_MODES as readonly string[]).includes(value)) return value as CheckMode;
  throw new RedoxError('badSetting', { setting: 'checkPayload' });
}

export class SendSettingsReader {
  /** How the built request is checked against Redox's schema before it is sent. */
  readonly checkMode: CheckMode;
  private readonly fixed: SendSettings;
  private readonly dynamic: Field[];
  private readonly names: string[];

  /** Throws RedoxError('badSetting') for a fixed setting that cannot be used. */
  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    private readonly def: SendDef,
  ) {
    this.checkMode = toCheckMode(def.checkPayload);
    this.names = parseNames(def.destinationNames);
    this.dynamic = FIELDS.filter((f) => FROM_MESSAGE.has(def[`${f}Type`] ?? ''));
    let fixed: SendSettings = { dataModel: '', eventType: '', destinations: [], test: false };
    for (const field of FIELDS) {
      if (!this.dynamic.includes(field)) fixed = { ...fixed, ...convert(field, def[field], this.names) };
    }
    this.fixed = fixed;
  }

  /** The settings when none comes from the message (read once), else undefined. */
  get fixedSettings(): SendSettings | undefined {
    return this.dynamic.length === 0 ? this.fixed : undefined;
  }

  /** The settings for this message. */
  async read(msg: NodeMessage): Promise<SendSettings> {
    if (this.dynamic.length === 0) return this.fixed;
    let settings = this.fixed;
    for (const field of this.dynamic) {
      const value = await this.evaluate(field, msg);
      settings = { ...settings, ...convert(field, value, this.names) };
    }
    return settings;
  }

  private evaluate(field: Field, msg: NodeMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.RED.util.evaluateNodeProperty(toText(this.def[field]), this.def[`${field}Type`]!, this.node, msg, (err, value) => {
        if (err) reject(new RedoxError('badSetting', { setting: field }));
        else resolve(value);
      });
    });
  }
}

/** Redox's requests may take this long at most (the connection's largest Request timeout). */
const MAX_REQUEST_TIMEOUT_MS = NUMBER_SETTINGS.requestTimeout.max * 1000;

/**
 * msg.requestTimeout (milliseconds) for this message, if it gives one: a positive number, clamped
 * to the connection's maximum (Infinity too); anything else is ignored.
 */
export function requestTimeoutOf(msg: Record<string, unknown>): number | undefined {
  const value = msg.requestTimeout;
  return typeof value === 'number' && value > 0 ? Math.min(value, MAX_REQUEST_TIMEOUT_MS) : undefined;
}
