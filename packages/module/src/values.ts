/** Small helpers for error messages and records built from untrusted keys. */

/** How error messages name a value of the wrong kind: `Tensor`, `Linear`, `number`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : 'object';
  }
  return typeof value;
}

/**
 * Sets `record[key] = value` as an own data property even for keys such as
 * `__proto__`, which plain assignment would treat as the prototype.
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
