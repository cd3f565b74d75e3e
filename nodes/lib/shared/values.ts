/** Small checks on values every layer uses. */

export type Plain = Record<string, unknown>;

/**
 * An object literal (or a null-prototype object): not an array, a Buffer, a Date or a class
 * instance. One made in a function node is a literal too, though its prototype is the Object of
 * the node's sandbox (another realm), not this one's: so the test is "the prototype's prototype is
 * null", not "the prototype is this Object.prototype".
 */
export function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]');
}

/** The kind of a value, in the words an error message uses. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Buffer.isBuffer(value)) return 'buffer';
  return typeof value;
}
