/** Keeping secrets and tokens out of what is reported: every string, in every field. */
import { isPlainObject } from './values';

/** Secrets shorter than this are not searched for (they would mask ordinary words). */
const MIN_SECRET_LENGTH = 4;

/** `text` with every secret found in it replaced by "***". */
export function redactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/** A copy of `value` (strings, arrays and plain objects, at any depth) with every secret masked. */
export function redactDeep<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets, depth + 1)) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[redactText(key, secrets)] = redactDeep(v, secrets, depth + 1);
    return out as T;
  }
  return value;
}
