import type { DType } from './dtype.js';

/**
 * What each core operation records for its gradient formula, by operation
 * name. This is the typed contract between the ops of `@strata/tensor` and
 * the formulas of `@strata/autograd`: `recordOperation(name, inputs, output,
 * attributes)` takes exactly `OperationAttributes[name]`.
 */
export interface OperationAttributes {
  // views
  reshape: { inputShape: readonly number[] };
  permute: { dims: readonly number[] };
  expand: { inputShape: readonly number[] };
  slice: { inputShape: readonly number[]; dim: number; start: number; step: number };
  select: { inputShape: readonly number[]; dim: number; index: number };
  // casts
  clone: Record<string, never>;
  to: { inputDType: DType };
  // elementwise (ops/elementwise.ts)
  // comparisons (ops/comparison.ts): not differentiable, nothing recorded
  // reductions (ops/reduction.ts)
  // activations (ops/activation.ts)
  // matrix products (ops/matmul.ts): inputs are [..., m, k] and [..., k, n] with equal batch dims
  matmul: Record<string, never>;
  // joining and indexing (ops/join.ts, ops/indexing.ts)
  // in-place ops (ops/in-place.ts)
}
