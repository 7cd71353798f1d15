import { expect } from 'vitest';
import type { Tensor } from '../index.js';

/** Test support (not shipped: only the tests import it). */

/**
 * Expects `action` to throw `error` (its class and exact message) and to
 * leave `target`'s storage and version unchanged: in-place ops validate
 * before they write.
 */
export function expectRejected(target: Tensor, action: () => unknown, error: Error): void {
  const before = Array.from(target.storage.data);
  const version = target.version;
  expect(action).toThrow(error);
  expect(Array.from(target.storage.data)).toEqual(before);
  expect(target.version).toBe(version);
}
