/** Small helpers for error messages and records built from untrusted keys. */

/** How error messages name a value of the wrong kind: `Tensor`, `Linear`, `number`, `null` (see `describeKind`). */
export { describeKind as describeValue } from '@strata/tensor';

/**
 * Sets `record[key] = value` as an own data property even for keys such as
 * `__proto__`, which plain assignment would treat as the prototype.
 */
export function setEntry<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}
