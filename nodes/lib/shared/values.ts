/** Small checks on values every layer uses. */

export type Plain = Record<string, unknown>;

/** An object literal (or a null-prototype object): not an array, a Buffer, a Date or a class instance. */
export function isPlainObject(value: unknown): value is Plain {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The kind of a value, in the words an error message uses. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Buffer.isBuffer(value)) return 'buffer';
  return typeof value;
}
