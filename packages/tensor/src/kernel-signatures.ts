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
  // elementwise (ops/elementwise.ts, ops/unary.ts): inputs broadcast; `dtype` is the result dtype the op chose
  /** `input + alpha * other` (`alpha` is an integer for int32, any number for floats, a flag for bool). */
  add: (input: Tensor, other: Tensor, alpha: number, dtype: DType) => Tensor;
  /** `input - alpha * other`. */
  sub: (input: Tensor, other: Tensor, alpha: number, dtype: DType) => Tensor;
  /** `input * other` (int32 wraps, bool is a logical and). */
  mul: (input: Tensor, other: Tensor, dtype: DType) => Tensor;
  /** `input / other`, rounded toward zero (`'trunc'`), down (`'floor'`) or not at all (`null`). */
  div: (input: Tensor, other: Tensor, roundingMode: 'trunc' | 'floor' | null, dtype: DType) => Tensor;
  /** `input ** other` (int32 by repeated squaring, wrapping). */
  pow: (input: Tensor, other: Tensor, dtype: DType) => Tensor;
  /** The NaN-propagating elementwise maximum. */
  maximum: (input: Tensor, other: Tensor, dtype: DType) => Tensor;
  /** The NaN-propagating elementwise minimum. */
  minimum: (input: Tensor, other: Tensor, dtype: DType) => Tensor;
  /** `input` where the bool `condition` is true, else `other`, all three broadcast. */
  where: (condition: Tensor, input: Tensor, other: Tensor, dtype: DType) => Tensor;
  /** `min(max(input, min), max)`; number bounds ignore NaN, tensor bounds broadcast and propagate it; `null` is no bound. */
  clamp: (input: Tensor, min: Tensor | number | null, max: Tensor | number | null, dtype: DType) => Tensor;
  /** Unary math; `dtype` is the result dtype (float32 for int32/bool inputs of exp, log, ...). */
  neg: (input: Tensor, dtype: DType) => Tensor;
  abs: (input: Tensor, dtype: DType) => Tensor;
  sign: (input: Tensor, dtype: DType) => Tensor;
  square: (input: Tensor, dtype: DType) => Tensor;
  exp: (input: Tensor, dtype: DType) => Tensor;
  log: (input: Tensor, dtype: DType) => Tensor;
  log2: (input: Tensor, dtype: DType) => Tensor;
  log1p: (input: Tensor, dtype: DType) => Tensor;
  expm1: (input: Tensor, dtype: DType) => Tensor;
  sqrt: (input: Tensor, dtype: DType) => Tensor;
  rsqrt: (input: Tensor, dtype: DType) => Tensor;
  reciprocal: (input: Tensor, dtype: DType) => Tensor;
  sin: (input: Tensor, dtype: DType) => Tensor;
  cos: (input: Tensor, dtype: DType) => Tensor;
  floor: (input: Tensor, dtype: DType) => Tensor;
  ceil: (input: Tensor, dtype: DType) => Tensor;
  round: (input: Tensor, dtype: DType) => Tensor;
  trunc: (input: Tensor, dtype: DType) => Tensor;
  // comparisons (ops/comparison.ts): bool results; operands already in their common dtype
  eq: (input: Tensor, other: Tensor) => Tensor;
  ne: (input: Tensor, other: Tensor) => Tensor;
  lt: (input: Tensor, other: Tensor) => Tensor;
  le: (input: Tensor, other: Tensor) => Tensor;
  gt: (input: Tensor, other: Tensor) => Tensor;
  ge: (input: Tensor, other: Tensor) => Tensor;
  logicalAnd: (input: Tensor, other: Tensor) => Tensor;
  logicalOr: (input: Tensor, other: Tensor) => Tensor;
  logicalXor: (input: Tensor, other: Tensor) => Tensor;
  logicalNot: (input: Tensor) => Tensor;
  isnan: (input: Tensor) => Tensor;
  isfinite: (input: Tensor) => Tensor;
  isinf: (input: Tensor) => Tensor;
  /** `|input - other| <= atol + rtol * |other|` or equal; NaNs close to each other with `equalNan`. */
  isclose: (input: Tensor, other: Tensor, rtol: number, atol: number, equalNan: boolean) => Tensor;
  // reductions (ops/reduction.ts, ops/reduction-extrema.ts): `dims` sorted, unique and in range (`[]` reduces
  // nothing; a 0-d input has no dims); the reduced dims are dropped, or kept as size 1 with `keepdim`
  /** The sum; floats keep their dtype, int32 and bool give int32. 0 over an empty reduction. */
  sum: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** The mean of a float input; NaN over an empty reduction. */
  mean: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** The product; dtypes as `sum`. 1 over an empty reduction. */
  prod: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** log Σ exp, max-shifted; int32 and bool give float32. -∞ over an empty reduction. */
  logsumexp: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** Σ (x - mean)² / max(n - correction, 0) of a float input, two-pass. */
  var: (input: Tensor, dims: readonly number[], correction: number, keepdim: boolean) => Tensor;
  /** The square root of `var`. */
  std: (input: Tensor, dims: readonly number[], correction: number, keepdim: boolean) => Tensor;
  /** Bool: every element nonzero (NaN counts as nonzero); true over an empty reduction. */
  all: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** Bool: some element nonzero; false over an empty reduction. */
  any: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** The vector p-norm of a float input (p = ±Infinity: max/min |x|, p = 0: nonzero count); 0 over an empty reduction. */
  norm: (input: Tensor, p: number, dims: readonly number[], keepdim: boolean) => Tensor;
  /** The maximum, NaN-propagating, dtype kept; every reduced dim non-empty. */
  amax: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** The minimum, NaN-propagating, dtype kept; every reduced dim non-empty. */
  amin: (input: Tensor, dims: readonly number[], keepdim: boolean) => Tensor;
  /** The maximum of all elements of a non-empty input, 0-d. */
  max: (input: Tensor) => Tensor;
  /** The minimum of all elements of a non-empty input, 0-d. */
  min: (input: Tensor) => Tensor;
  /** Maxima along a non-empty `dim` and their int32 positions (first on ties, first NaN wins). */
  maxWithIndices: (input: Tensor, dim: number, keepdim: boolean) => { values: Tensor; indices: Tensor };
  /** Minima along a non-empty `dim` and their int32 positions (first on ties, first NaN wins). */
  minWithIndices: (input: Tensor, dim: number, keepdim: boolean) => { values: Tensor; indices: Tensor };
  /** int32 position of the maximum along `dim`, or in the row-major flattening for `null`. */
  argmax: (input: Tensor, dim: number | null, keepdim: boolean) => Tensor;
  /** int32 position of the minimum along `dim`, or in the row-major flattening for `null`. */
  argmin: (input: Tensor, dim: number | null, keepdim: boolean) => Tensor;
  // activations (ops/activation.ts, ops/softmax.ts): float inputs unless noted; the result has the input's shape and dtype
  /** max(x, 0); also int32. */
  relu: (input: Tensor) => Tensor;
  /** min(max(x, 0), 6); also int32. */
  relu6: (input: Tensor) => Tensor;
  leakyRelu: (input: Tensor, negativeSlope: number) => Tensor;
  elu: (input: Tensor, alpha: number) => Tensor;
  selu: (input: Tensor) => Tensor;
  /** `alpha` is nonzero. */
  celu: (input: Tensor, alpha: number) => Tensor;
  gelu: (input: Tensor, approximate: 'none' | 'tanh') => Tensor;
  silu: (input: Tensor) => Tensor;
  mish: (input: Tensor) => Tensor;
  sigmoid: (input: Tensor) => Tensor;
  logSigmoid: (input: Tensor) => Tensor;
  tanh: (input: Tensor) => Tensor;
  softplus: (input: Tensor, beta: number, threshold: number) => Tensor;
  softsign: (input: Tensor) => Tensor;
  /** x clamped to [minVal, maxVal] (minVal <= maxVal); also int32. */
  hardtanh: (input: Tensor, minVal: number, maxVal: number) => Tensor;
  hardswish: (input: Tensor) => Tensor;
  hardsigmoid: (input: Tensor) => Tensor;
  tanhshrink: (input: Tensor) => Tensor;
  /** `value` where x <= threshold, else x; also int32. */
  threshold: (input: Tensor, threshold: number, value: number) => Tensor;
  /**
   * ReLU's backward from its saved output, like PyTorch's `threshold_backward(gradOutput, output, 0)`:
   * 0 where `output <= 0`, `gradOutput` elsewhere (NaN passes). Same shapes, any layouts; the result
   * has `gradOutput`'s dtype. Default composed of forward ops: `where(le(output, 0), 0, gradOutput)`.
   */
  reluBackward: (gradOutput: Tensor, output: Tensor) => Tensor;
  /**
   * `reluBackward` written into `gradOutput` (for a caller that alone holds it). May decline (return
   * false, having written nothing); the CPU kernel takes contiguous float32 or float64 operands of one dtype.
   */
  reluBackward_: (gradOutput: Tensor, output: Tensor) => boolean;
  /**
   * hardtanh's (and relu6's) backward, like PyTorch's `hardtanh_backward`: 0 where `input <= minVal` or
   * `input >= maxVal`, `gradOutput` elsewhere (NaN passes). Same shapes, any layouts; `gradOutput`'s dtype.
   */
  hardtanhBackward: (gradOutput: Tensor, input: Tensor, minVal: number, maxVal: number) => Tensor;
  /** leakyRelu's backward: `gradOutput` where `input > 0`, else `negativeSlope · gradOutput`. Same shapes, any layouts. */
  leakyReluBackward: (gradOutput: Tensor, input: Tensor, negativeSlope: number) => Tensor;
  /** Along `dim` (in range), max-shifted. */
  softmax: (input: Tensor, dim: number) => Tensor;
  logSoftmax: (input: Tensor, dim: number) => Tensor;
  softmin: (input: Tensor, dim: number) => Tensor;
  /** a · sigmoid(b) for the halves a, b of `dim` (even size); the result has `dim` halved. */
  glu: (input: Tensor, dim: number) => Tensor;
  // matrix products (ops/matmul.ts, kernels/gemm.ts)
  /** The batched product of [..., m, k] and [..., k, n] with equal batch dimensions, any numeric dtype. */
  matmul: (a: Tensor, b: Tensor) => Tensor;
  /**
   * The general matrix product behind matmul, linear and convolution:
   * `activation(out + bias + a·b)` for `a` [...batch, m, k] and `b`
   * [...batch, k, n] of one float dtype (float32 or float64) with equal batch
   * dimensions. Operands are read through their strides (transposed and
   * broadcast views cost no copy). The result is `options.out` when given,
   * else a new contiguous [...batch, m, n] tensor. See {@link GemmOptions}.
   */
  gemm: (a: Tensor, b: Tensor, options?: GemmOptions) => Tensor;
  /**
   * Whether the active `gemm` runs an m×n×k product of `dtype` on a path
   * faster than plain loops (SIMD, a GPU), so a planner (the convolution's
   * im2col-or-direct choice) should route work into it. The CPU reference
   * answers false; each backend that registers `gemm` registers this too,
   * and owns its thresholds.
   */
  gemmAccelerated: (m: number, n: number, k: number, dtype: DType) => boolean;
  // joining and indexing (ops/join.ts, ops/indexing.ts)
  /** The concatenation along `dim` (validated: equal shapes elsewhere), converted to `dtype`. */
  cat: (tensors: readonly Tensor[], dim: number, dtype: DType) => Tensor;
  /** `out[i][j] = input[index[i][j]][j]` for `dim` 0 (likewise for others); `out` has `index`'s shape. */
  gather: (input: Tensor, dim: number, index: Tensor) => Tensor;
  /** A copy of `input` with `out[index[i][j]][j] = source[i][j]` for `dim` 0; `source` may be a number. */
  scatter: (input: Tensor, dim: number, index: Tensor, source: Tensor | number) => Tensor;
  /** A copy of `input` with `out[index[i][j]][j] += source[i][j]` for `dim` 0. */
  scatterAdd: (input: Tensor, dim: number, index: Tensor, source: Tensor) => Tensor;
  /** The slices of `input` along `dim` at the positions of the 0-d or 1-d `index`. */
  indexSelect: (input: Tensor, dim: number, index: Tensor) => Tensor;
  /** A row-major copy of `input` with `value` where the bool `mask` (same shape as `input`) is true. */
  maskedFill: (input: Tensor, mask: Tensor, value: number) => Tensor;
  // in-place writes (ops/in-place.ts, ops/in-place-fill.ts): the only kernels that write into an existing tensor.
  // They do not bump `storage.version`: the op that calls them does, once.
  /**
   * Writes `source` (of `target`'s shape, any dtype, converted as `copy`
   * converts) into `target`'s elements through its strides. `source` may
   * share `target`'s storage.
   */
  copyInto: (target: Tensor, source: Tensor) => void;
  /** Sets every element of `target`, through its strides, to `value` (already converted for an int32 or bool target). */
  fill: (target: Tensor, value: number) => void;
  /**
   * The fused in-place arithmetic of `add_` / `sub_` (`self += alpha · other`),
   * `mul_`, `div_` (true division), `addcmul_`, `addcdiv_` (`self += value ·
   * first ⊙ or ÷ second`), `exp_`, `sqrt_` and `neg_`. Each may decline
   * (return false, having written nothing); the op then computes out of
   * place and writes with `copyInto`. The CPU kernels take a contiguous
   * floating-point `self` with a number or same-shape contiguous operands.
   */
  add_: (self: Tensor, other: Tensor | number, alpha: number) => boolean;
  /** See `add_`. */
  mul_: (self: Tensor, other: Tensor | number) => boolean;
  /** See `add_`. */
  div_: (self: Tensor, other: Tensor | number) => boolean;
  /** See `add_`. */
  addcmul_: (self: Tensor, first: Tensor, second: Tensor, value: number) => boolean;
  /** See `add_`. */
  addcdiv_: (self: Tensor, first: Tensor, second: Tensor, value: number) => boolean;
  /** See `add_`. */
  exp_: (self: Tensor) => boolean;
  /** See `add_`. */
  sqrt_: (self: Tensor) => boolean;
  /** See `add_`. */
  neg_: (self: Tensor) => boolean;
}

/** The epilogue of a `gemm` call: where the product goes and what is applied to it. */
export interface GemmOptions {
  /**
   * The tensor to write the product into: contiguous [...batch, m, n] of the
   * operands' dtype, at any offset of its storage (a region of a bigger
   * array, as the convolution's output planes are). Must not overlap `a` or `b`.
   * @defaultValue `null`: a new tensor
   */
  out?: Tensor | null;
  /**
   * Add the product onto `out`'s current values instead of overwriting them.
   * @defaultValue `false`
   */
  accumulate?: boolean;
  /**
   * Added to every product: broadcastable to [m, n], so [n] is a bias per
   * column (linear) and [m, 1] a bias per row (convolution's output channels).
   * @defaultValue `null`
   */
  bias?: Tensor | null;
  /**
   * Applied last, elementwise.
   * @defaultValue `'none'`
   */
  activation?: 'none' | 'relu';
}
