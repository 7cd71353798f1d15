/**
 * How the conformance suite compares a backend's result with the
 * reference's: tensors by shape, dtype and values (floats within a
 * tolerance, NaN equal to NaN, integers and bools exactly), objects and
 * arrays member by member, everything else with `Object.is`.
 */
import { Tensor } from '../tensor.js';

/** Absolute and relative tolerance of float comparisons, by dtype. */
export interface Tolerance {
  /** Allowed `|actual − expected|` beyond the relative part. */
  atol: number;
  /** Allowed `|actual − expected|` per unit of `|expected|`. */
  rtol: number;
}

/** Float32 kernels may sum in float32 (SIMD) where the reference sums in float64. */
export const DEFAULT_TOLERANCES: Readonly<Record<'float32' | 'float64', Tolerance>> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float64: { atol: 1e-12, rtol: 1e-10 },
};

function close(actual: number, expected: number, tolerance: Tolerance): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tolerance.atol + tolerance.rtol * Math.abs(expected);
}

/**
 * Checks that `actual` matches `expected` (see the file comment).
 * @throws Error naming `path` and the first difference when it does not.
 */
export function assertMatches(actual: unknown, expected: unknown, path: string, tolerances = DEFAULT_TOLERANCES): void {
  if (expected instanceof Tensor) {
    if (!(actual instanceof Tensor)) throw new Error(`${path}: expected a Tensor, got ${String(actual)}`);
    if (actual.dtype !== expected.dtype) throw new Error(`${path}: dtype ${actual.dtype}, expected ${expected.dtype}`);
    if (actual.shape.length !== expected.shape.length || actual.shape.some((size, d) => size !== expected.shape[d])) {
      throw new Error(`${path}: shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`);
    }
    const got = actual.toTypedArray();
    const want = expected.toTypedArray();
    const tolerance = expected.dtype === 'float32' || expected.dtype === 'float64' ? tolerances[expected.dtype] : { atol: 0, rtol: 0 };
    for (let index = 0; index < want.length; index++) {
      if (!close(got[index]!, want[index]!, tolerance)) {
        throw new Error(`${path}: element ${index} is ${got[index]}, expected ${want[index]} (${expected.dtype}, shape [${expected.shape.join(', ')}])`);
      }
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${path}: expected an array of ${expected.length}`);
    expected.forEach((item, index) => assertMatches(actual[index], item, `${path}[${index}]`, tolerances));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') throw new Error(`${path}: expected an object, got ${String(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      assertMatches((actual as Record<string, unknown>)[key], value, `${path}.${key}`, tolerances);
    }
    return;
  }
  if (!Object.is(actual, expected)) throw new Error(`${path}: ${String(actual)}, expected ${String(expected)}`);
}
