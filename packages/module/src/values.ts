/** Records built from untrusted keys. */

/**
 * Sets `record[key] = value` as an own data property even for keys such as
 * `__proto__`, which plain assignment would treat as the prototype.
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
