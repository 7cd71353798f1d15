import { Storage } from './storage.js';
import { Tensor } from './tensor.js';
import { contiguousStrides } from './shape.js';
import type { TypedArray } from './dtype.js';

export type { Tensor };

/**
 * A tensor over `storage` (or a fresh storage around a typed array) with
 * `shape`, `strides` (row-major by default) and `offset`: how a kernel
 * returns its result, or views a region of an array it was given. The dtype
 * follows the array's kind; nothing is copied.
 * @example
 * ```ts
 * const out = makeTensor(new Float32Array(6), [2, 3]);
 * const transposed = makeTensor(out.storage, [3, 2], [1, 3]);
 * ```
 */
export function makeTensor(
  storage: Storage | TypedArray,
  shape: readonly number[],
  strides: readonly number[] = contiguousStrides(shape),
  offset = 0,
): Tensor {
  return new Tensor(storage instanceof Storage ? storage : new Storage(storage), shape, strides, offset);
}
