import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

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
  // elementwise (ops/elementwise.ts, ops/unary.ts): binary inputs are [input, other], broadcast to the
  // output's shape; a number operand is recorded as a 0-d tensor of the op's dtype (no grad)
  add: { alpha: number };
  sub: { alpha: number };
  mul: Record<string, never>;
  /** `roundingMode` non-null: the gradient is zero. */
  div: { roundingMode: 'trunc' | 'floor' | null };
  pow: Record<string, never>;
  maximum: Record<string, never>;
  minimum: Record<string, never>;
  /** Inputs `[condition, input, other]`; `condition` is bool. */
  where: Record<string, never>;
  /**
   * A number bound is in the attribute (`null`: none); a tensor bound is
   * `'tensor'` and an extra input: inputs `[input, min?, max?]`, in that order.
   */
  clamp: { min: number | 'tensor' | null; max: number | 'tensor' | null };
  neg: Record<string, never>;
  abs: Record<string, never>;
  square: Record<string, never>;
  exp: Record<string, never>;
  log: Record<string, never>;
  log2: Record<string, never>;
  log1p: Record<string, never>;
  expm1: Record<string, never>;
  sqrt: Record<string, never>;
  rsqrt: Record<string, never>;
  reciprocal: Record<string, never>;
  sin: Record<string, never>;
  cos: Record<string, never>;
  /** sign, floor, ceil, round, trunc: the gradient is zero. */
  sign: Record<string, never>;
  floor: Record<string, never>;
  ceil: Record<string, never>;
  round: Record<string, never>;
  trunc: Record<string, never>;
  // comparisons (ops/comparison.ts): not differentiable, nothing recorded
  // reductions (ops/reduction.ts, ops/reduction-extrema.ts): inputs are [input]; `dims` are the reduced
  // dims, sorted and non-negative (`[]` for a 0-d input); without `keepdim` they are missing from the output
  sum: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /** The gradient is the sum's divided by the number of reduced elements. */
  mean: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /** The formula needs the input and the output (zeros in the input make output / input unusable). */
  prod: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /** The gradient is grad · exp(input - output). */
  logsumexp: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /**
   * The gradient is shared evenly among the input elements equal to the
   * output (PyTorch's amax/amin and the no-dim max/min backward).
   */
  amax: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  amin: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /** `max(x)` without a dim: all dims reduced, `keepdim` false; gradient as `amax`. */
  max: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  min: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /**
   * Recorded for `maxWithIndices` and `max(x, dim)`; the output is `values`.
   * The gradient goes to the positions in `indices` (int32, the output's
   * shape) along `dim` (0 and no real dim for a 0-d input).
   */
  maxWithIndices: { inputShape: readonly number[]; dim: number; keepdim: boolean; indices: Tensor };
  minWithIndices: { inputShape: readonly number[]; dim: number; keepdim: boolean; indices: Tensor };
  /** The gradient is grad · 2 (x - mean) / max(N - correction, 0), N the reduced element count. */
  var: { inputShape: readonly number[]; dims: readonly number[]; correction: number; keepdim: boolean };
  /** The gradient is var's divided by 2 · output. */
  std: { inputShape: readonly number[]; dims: readonly number[]; correction: number; keepdim: boolean };
  /** `p` is a number (±Infinity allowed; `'fro'` is recorded as 2); the formula needs the input and the output. */
  norm: { inputShape: readonly number[]; p: number; dims: readonly number[]; keepdim: boolean };
  // activations (ops/activation.ts, ops/softmax.ts): inputs are [input] (already float32 for sigmoid, tanh,
  // softsign and tanhshrink of int input); the output has the input's shape
  relu: Record<string, never>;
  relu6: Record<string, never>;
  leakyRelu: { negativeSlope: number };
  elu: { alpha: number };
  selu: Record<string, never>;
  celu: { alpha: number };
  gelu: { approximate: 'none' | 'tanh' };
  silu: Record<string, never>;
  mish: Record<string, never>;
  /** The gradient is grad · output · (1 - output). */
  sigmoid: Record<string, never>;
  logSigmoid: Record<string, never>;
  /** The gradient is grad · (1 - output²). */
  tanh: Record<string, never>;
  softplus: { beta: number; threshold: number };
  softsign: Record<string, never>;
  hardtanh: { minVal: number; maxVal: number };
  hardswish: Record<string, never>;
  hardsigmoid: Record<string, never>;
  tanhshrink: Record<string, never>;
  threshold: { threshold: number; value: number };
  /** `dim` is non-negative; the formulas need the output. */
  softmax: { dim: number };
  logSoftmax: { dim: number };
  softmin: { dim: number };
  /** `dim` is non-negative; the output has it halved. */
  glu: { dim: number };
  // matrix products (ops/matmul.ts): inputs are [..., m, k] and [..., k, n] with equal batch dims
  matmul: Record<string, never>;
  // joining and indexing (ops/join.ts, ops/indexing.ts); `index` tensors are int32
  /** `sizes`: each input's size along `dim`, where the gradient is split. */
  cat: { dim: number; sizes: readonly number[] };
  /** Inputs `[input]`; the gradient is `zeros(inputShape).scatterAdd(dim, index, grad)`. */
  gather: { dim: number; index: Tensor; inputShape: readonly number[] };
  /**
   * Inputs `[input, source]`, or `[input]` when the source was a number
   * (`sourceShape` null). `index` may be smaller than `source`: the rest of
   * `source` gets a zero gradient.
   */
  scatter: { dim: number; index: Tensor; sourceShape: readonly number[] | null };
  /** Inputs `[input, source]`; as `scatter`, but indexed positions accumulate. */
  scatterAdd: { dim: number; index: Tensor; sourceShape: readonly number[] };
  /** Inputs `[input]`; `index` is 0-d or 1-d. */
  indexSelect: { dim: number; index: Tensor; inputShape: readonly number[] };
  /**
   * Inputs `[input]`, or `[input, value]` for a 0-d tensor value. `input` and
   * the bool `mask` broadcast to the output's shape.
   */
  maskedFill: { mask: Tensor; inputShape: readonly number[] };
  // in-place ops (ops/in-place.ts)
  //   none: recorded by history rebase, as their out-of-place ops (add, mul, maskedFill, where, ...) on a clone
}
