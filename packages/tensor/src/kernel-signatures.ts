import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

/**
 * The signatures of the kernels `@strata/tensor`'s ops call, by kernel name
 * (kernel name = op name). A backend registers any of these names; the CPU
 * kernels in TypeScript register them all.
 */
export interface CoreKernelSignatures {
  /** A row-major copy of `input` converted to `dtype`. */
  copy: (input: Tensor, dtype: DType) => Tensor;
  // elementwise (ops/elementwise.ts)
  // comparisons (ops/comparison.ts)
  // reductions (ops/reduction.ts)
  // activations (ops/activation.ts)
  // matrix products (ops/matmul.ts)
  /** The batched product of [..., m, k] and [..., k, n] with equal batch dimensions. */
  matmul: (a: Tensor, b: Tensor) => Tensor;
  // joining and indexing (ops/join.ts, ops/indexing.ts)
  // in-place ops (ops/in-place.ts)
}
