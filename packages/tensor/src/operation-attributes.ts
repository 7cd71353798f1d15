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
  /** `reshape`, `view`, `flatten`, `squeeze`, `unsqueeze`: inputs `[input]`, whose shape was `inputShape`. */
  reshape: { inputShape: readonly number[] };
  /** `permute`, `transpose`, `t`: inputs `[input]`; `dims` non-negative, dimension `i` of the output is `dims[i]` of the input. */
  permute: { dims: readonly number[] };
  /** `expand`, `expandAs`: inputs `[input]`, whose shape was `inputShape` (the gradient is summed back to it). */
  expand: { inputShape: readonly number[] };
  /** `slice`, `narrow`, `index` with slices: inputs `[input]`; `dim` non-negative, `start` clamped into range, `step` positive. */
  slice: { inputShape: readonly number[]; dim: number; start: number; step: number };
  /** `select`: inputs `[input]`; `dim` and `index` non-negative. */
  select: { inputShape: readonly number[]; dim: number; index: number };
  // casts
  /** `clone`, `contiguous` (when it copies): inputs `[input]`. */
  clone: Record<string, never>;
  /** `to` between dtypes: inputs `[input]`, whose dtype was `inputDType`. */
  to: { inputDType: DType };
  // elementwise (ops/elementwise.ts, ops/unary.ts): binary inputs are [input, other], broadcast to the
  // output's shape; a number operand is recorded as a 0-d tensor of the op's dtype (no grad)
  /** `input + alpha * other`. */
  add: { alpha: number };
  /** `input - alpha * other`. */
  sub: { alpha: number };
  /** `input * other`. */
  mul: Record<string, never>;
  /** `roundingMode` non-null: the gradient is zero. */
  div: { roundingMode: 'trunc' | 'floor' | null };
  /** `input ** other` (the exponent is the second input). */
  pow: Record<string, never>;
  /** The elementwise maximum of the two inputs. */
  maximum: Record<string, never>;
  /** The elementwise minimum of the two inputs. */
  minimum: Record<string, never>;
  /** Inputs `[condition, input, other]`; `condition` is bool. */
  where: Record<string, never>;
  /**
   * A number bound is in the attribute (`null`: none); a tensor bound is
   * `'tensor'` and an extra input: inputs `[input, min?, max?]`, in that order.
   */
  clamp: { min: number | 'tensor' | null; max: number | 'tensor' | null };
  /** `-input` (unary ops: inputs `[input]`; the output has its shape). */
  neg: Record<string, never>;
  /** `|input|`. */
  abs: Record<string, never>;
  /** `input * input`. */
  square: Record<string, never>;
  /** `e ** input`. */
  exp: Record<string, never>;
  /** The natural logarithm. */
  log: Record<string, never>;
  /** The base-2 logarithm. */
  log2: Record<string, never>;
  /** `log(1 + input)`. */
  log1p: Record<string, never>;
  /** `e ** input - 1`. */
  expm1: Record<string, never>;
  /** The square root. */
  sqrt: Record<string, never>;
  /** `1 / sqrt(input)`. */
  rsqrt: Record<string, never>;
  /** `1 / input`. */
  reciprocal: Record<string, never>;
  /** The sine. */
  sin: Record<string, never>;
  /** The cosine. */
  cos: Record<string, never>;
  /** sign, floor, ceil, round, trunc: the gradient is zero. */
  sign: Record<string, never>;
  /** Rounding down (zero gradient). */
  floor: Record<string, never>;
  /** Rounding up (zero gradient). */
  ceil: Record<string, never>;
  /** Rounding half to even (zero gradient). */
  round: Record<string, never>;
  /** Rounding toward zero (zero gradient). */
  trunc: Record<string, never>;
  // comparisons (ops/comparison.ts): not differentiable, nothing recorded
  // reductions (ops/reduction.ts, ops/reduction-extrema.ts): inputs are [input]; `dims` are the reduced
  // dims, sorted and non-negative (`[]` for a 0-d input); without `keepdim` they are missing from the output
  /** The sum over `dims`; the gradient is broadcast back to `inputShape`. */
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
  /** As `amax`, for the minimum. */
  amin: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /** `max(x)` without a dim: all dims reduced, `keepdim` false; gradient as `amax`. */
  max: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /** As `max` without a dim, for the minimum. */
  min: { inputShape: readonly number[]; dims: readonly number[]; keepdim: boolean };
  /**
   * Recorded for `maxWithIndices` and `max(x, dim)`; the output is `values`.
   * The gradient goes to the positions in `indices` (int32, the output's
   * shape) along `dim` (0 and no real dim for a 0-d input).
   */
  maxWithIndices: { inputShape: readonly number[]; dim: number; keepdim: boolean; indices: Tensor };
  /** As `maxWithIndices`, for `minWithIndices` and `min(x, dim)`. */
  minWithIndices: { inputShape: readonly number[]; dim: number; keepdim: boolean; indices: Tensor };
  /** The gradient is grad · 2 (x - mean) / max(N - correction, 0), N the reduced element count. */
  var: { inputShape: readonly number[]; dims: readonly number[]; correction: number; keepdim: boolean };
  /** The gradient is var's divided by 2 · output. */
  std: { inputShape: readonly number[]; dims: readonly number[]; correction: number; keepdim: boolean };
  /** `p` is a number (±Infinity allowed; `'fro'` is recorded as 2); the formula needs the input and the output. */
  norm: { inputShape: readonly number[]; p: number; dims: readonly number[]; keepdim: boolean };
  // activations (ops/activation.ts, ops/softmax.ts): inputs are [input] (already float32 for sigmoid, tanh,
  // softsign and tanhshrink of int input); the output has the input's shape
  /** `max(input, 0)`. */
  relu: Record<string, never>;
  /** `min(max(input, 0), 6)`. */
  relu6: Record<string, never>;
  /** `input` or `negativeSlope * input` below zero. */
  leakyRelu: { negativeSlope: number };
  /** `input` or `alpha * (exp(input) - 1)` below zero. */
  elu: { alpha: number };
  /** ELU with SELU's fixed scale and alpha. */
  selu: Record<string, never>;
  /** `max(0, input) + min(0, alpha * (exp(input / alpha) - 1))`. */
  celu: { alpha: number };
  /** The exact GELU (`'none'`) or its tanh approximation. */
  gelu: { approximate: 'none' | 'tanh' };
  /** `input * sigmoid(input)`. */
  silu: Record<string, never>;
  /** `input * tanh(softplus(input))`. */
  mish: Record<string, never>;
  /** The gradient is grad · output · (1 - output). */
  sigmoid: Record<string, never>;
  /** `log(sigmoid(input))`. */
  logSigmoid: Record<string, never>;
  /** The gradient is grad · (1 - output²). */
  tanh: Record<string, never>;
  /** `log(1 + exp(beta * input)) / beta`, linear above `threshold`. */
  softplus: { beta: number; threshold: number };
  /** `input / (1 + |input|)`. */
  softsign: Record<string, never>;
  /** `input` clamped to `[minVal, maxVal]`. */
  hardtanh: { minVal: number; maxVal: number };
  /** `input * relu6(input + 3) / 6`. */
  hardswish: Record<string, never>;
  /** `relu6(input + 3) / 6`. */
  hardsigmoid: Record<string, never>;
  /** `input - tanh(input)`. */
  tanhshrink: Record<string, never>;
  /** `input` where it exceeds `threshold`, else `value`. */
  threshold: { threshold: number; value: number };
  /** `dim` is non-negative; the formulas need the output. */
  softmax: { dim: number };
  /** As `softmax`, for `logSoftmax`. */
  logSoftmax: { dim: number };
  /** As `softmax`, for `softmin`. */
  softmin: { dim: number };
  /** `dim` is non-negative; the output has it halved. */
  glu: { dim: number };
  // matrix products (ops/matmul.ts): inputs are [..., m, k] and [..., k, n] with equal batch dims
  /** `matmul`, `mm`, `bmm`: inputs `[a, b]` of shapes `[..., m, k]` and `[..., k, n]` (1-D operands already unsqueezed, batch dims already expanded). */
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
