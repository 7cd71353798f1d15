/**
 * Row-wise normalization kernels: layer norm and RMS norm over the last
 * `length` elements of each row, with an elementwise weight (and bias) of
 * that length. Each row is read while it is in cache: its statistics, then
 * its output; backward likewise, accumulating the parameter gradients over
 * the rows in float64.
 */
import { Tensor } from '@strata/tensor';
import { type FloatArray, squaredDeviationRange, sumOfSquaresRange, sumRange } from './moments.js';
import {
  type GradientMask,
  type NormForwardResult,
  type NormGradients,
  allocateFloat,
  float64Values,
  floatData,
  parameterValues,
  tensorOf,
} from './support.js';

/**
 * Normalizes each row of `length` elements by its mean and biased variance
 * (two passes, float64), then `· weight[i] + bias[i]`. Returns the row
 * statistics with shape `[rows]`.
 */
export function layerNormKernel(input: Tensor, weight: Tensor | null, bias: Tensor | null, length: number, eps: number): NormForwardResult {
  const x = floatData(input);
  const rows = length === 0 ? 0 : x.length / length;
  const y = allocateFloat(input.dtype, x.length);
  const mean = new Float64Array(rows);
  const invstd = new Float64Array(rows);
  layerNormRows(x, y, rows, length, parameterValues(weight, length, 1), parameterValues(bias, length, 0), eps, mean, invstd);
  return { output: Tensor.fromData(y, input.shape), mean: Tensor.fromData(mean, [rows]), invstd: Tensor.fromData(invstd, [rows]) };
}

// The loops live in functions of typed arrays and numbers only, so the
// optimizer compiles them once for good (no property access to deoptimize on).
function layerNormRows(
  x: FloatArray,
  y: FloatArray,
  rows: number,
  length: number,
  w: Float64Array,
  b: Float64Array,
  eps: number,
  mean: Float64Array,
  invstd: Float64Array,
): void {
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const m = sumRange(x, start, length) / length;
    const r = 1 / Math.sqrt(squaredDeviationRange(x, start, length, m) / length + eps);
    mean[row] = m;
    invstd[row] = r;
    let i = 0;
    for (; i + 3 < length; i += 4) {
      const p = start + i;
      const y0 = (x[p]! - m) * r * w[i]! + b[i]!;
      const y1 = (x[p + 1]! - m) * r * w[i + 1]! + b[i + 1]!;
      const y2 = (x[p + 2]! - m) * r * w[i + 2]! + b[i + 2]!;
      const y3 = (x[p + 3]! - m) * r * w[i + 3]! + b[i + 3]!;
      y[p] = y0;
      y[p + 1] = y1;
      y[p + 2] = y2;
      y[p + 3] = y3;
    }
    for (; i < length; i++) y[start + i] = (x[start + i]! - m) * r * w[i]! + b[i]!;
  }
}

/**
 * The gradients of {@link layerNormKernel}: per row, with `gw = g · weight`,
 * `gradInput = invstd · (gw − mean(gw) − x̂ · mean(gw·x̂))`; `gradWeight =
 * Σ g·x̂` and `gradBias = Σ g` over the rows.
 */
export function layerNormBackwardKernel(
  input: Tensor,
  gradOutput: Tensor,
  mean: Tensor,
  invstd: Tensor,
  weight: Tensor | null,
  length: number,
  mask: GradientMask,
): NormGradients {
  const x = floatData(input);
  const rowMean = float64Values(mean);
  const weightSums = new Float64Array(length);
  const biasSums = new Float64Array(length);
  const result = mask[0] ? allocateFloat(input.dtype, x.length) : null;
  layerNormBackwardRows(
    x, floatData(gradOutput), result, rowMean.length, length,
    parameterValues(weight, length, 1), rowMean, float64Values(invstd), weightSums, biasSums,
  );
  return {
    gradInput: result === null ? null : Tensor.fromData(result, input.shape),
    gradWeight: mask[1] && weight !== null ? tensorOf(weightSums, [length], weight.dtype) : null,
    gradBias: mask[2] ? tensorOf(biasSums, [length], input.dtype) : null,
  };
}

function layerNormBackwardRows(
  x: FloatArray,
  g: FloatArray,
  result: FloatArray | null,
  rows: number,
  length: number,
  w: Float64Array,
  rowMean: Float64Array,
  rowInvstd: Float64Array,
  weightSums: Float64Array,
  biasSums: Float64Array,
): void {
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const m = rowMean[row]!;
    const r = rowInvstd[row]!;
    // Σ g·w and Σ g·w·x̂ in four independent accumulators each; Σ g·x̂ and Σ g per column.
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    let i = 0;
    for (; i + 3 < length; i += 4) {
      const p = start + i;
      const g0 = g[p]!;
      const g1 = g[p + 1]!;
      const g2 = g[p + 2]!;
      const g3 = g[p + 3]!;
      const n0 = (x[p]! - m) * r;
      const n1 = (x[p + 1]! - m) * r;
      const n2 = (x[p + 2]! - m) * r;
      const n3 = (x[p + 3]! - m) * r;
      const w0 = g0 * w[i]!;
      const w1 = g1 * w[i + 1]!;
      const w2 = g2 * w[i + 2]!;
      const w3 = g3 * w[i + 3]!;
      a0 += w0;
      a1 += w1;
      a2 += w2;
      a3 += w3;
      c0 += w0 * n0;
      c1 += w1 * n1;
      c2 += w2 * n2;
      c3 += w3 * n3;
      weightSums[i] += g0 * n0;
      weightSums[i + 1] += g1 * n1;
      weightSums[i + 2] += g2 * n2;
      weightSums[i + 3] += g3 * n3;
      biasSums[i] += g0;
      biasSums[i + 1] += g1;
      biasSums[i + 2] += g2;
      biasSums[i + 3] += g3;
    }
    for (; i < length; i++) {
      const gradient = g[start + i]!;
      const normalized = (x[start + i]! - m) * r;
      const weighted = gradient * w[i]!;
      a0 += weighted;
      c0 += weighted * normalized;
      weightSums[i] += gradient * normalized;
      biasSums[i] += gradient;
    }
    if (result === null) continue;
    const constant = (-r * (a0 + a1 + (a2 + a3))) / length;
    const centered = (-r * r * (c0 + c1 + (c2 + c3))) / length;
    i = 0;
    for (; i + 3 < length; i += 4) {
      const p = start + i;
      const v0 = r * g[p]! * w[i]! + (x[p]! - m) * centered + constant;
      const v1 = r * g[p + 1]! * w[i + 1]! + (x[p + 1]! - m) * centered + constant;
      const v2 = r * g[p + 2]! * w[i + 2]! + (x[p + 2]! - m) * centered + constant;
      const v3 = r * g[p + 3]! * w[i + 3]! + (x[p + 3]! - m) * centered + constant;
      result[p] = v0;
      result[p + 1] = v1;
      result[p + 2] = v2;
      result[p + 3] = v3;
    }
    for (; i < length; i++) result[start + i] = r * g[start + i]! * w[i]! + (x[start + i]! - m) * centered + constant;
  }
}

/** RMS normalization's forward result: the output and each row's `1 / √(mean(x²) + eps)` (float64). */
export interface RMSNormForwardResult {
  /** The normalized input times the weight: the input's shape and dtype. */
  readonly output: Tensor;
  /**
   * Each row's `1 / √(mean(x²) + eps)`, float64 `[rows]` (rows =
   * the input's elements / `length`), kept for backward.
   */
  readonly invrms: Tensor;
}

/** `x / √(mean(x²) + eps) · weight` over each row of `length` elements. */
export function rmsNormKernel(input: Tensor, weight: Tensor | null, length: number, eps: number): RMSNormForwardResult {
  const x = floatData(input);
  const rows = length === 0 ? 0 : x.length / length;
  const y = allocateFloat(input.dtype, x.length);
  const invrms = new Float64Array(rows);
  rmsNormRows(x, y, rows, length, parameterValues(weight, length, 1), eps, invrms);
  return { output: Tensor.fromData(y, input.shape), invrms: Tensor.fromData(invrms, [rows]) };
}

function rmsNormRows(x: FloatArray, y: FloatArray, rows: number, length: number, w: Float64Array, eps: number, invrms: Float64Array): void {
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const r = 1 / Math.sqrt(sumOfSquaresRange(x, start, length) / length + eps);
    invrms[row] = r;
    for (let i = 0; i < length; i++) y[start + i] = x[start + i]! * r * w[i]!;
  }
}

/**
 * The gradients of {@link rmsNormKernel}: per row, with `gw = g · weight`,
 * `gradInput = r · (gw − x · r² · mean(gw·x))`; `gradWeight = Σ g·x·r`.
 */
export function rmsNormBackwardKernel(
  input: Tensor,
  gradOutput: Tensor,
  invrms: Tensor,
  weight: Tensor | null,
  length: number,
  mask: readonly [input: boolean, weight: boolean],
): NormGradients {
  const x = floatData(input);
  const rowInvrms = float64Values(invrms);
  const weightSums = new Float64Array(length);
  const result = mask[0] ? allocateFloat(input.dtype, x.length) : null;
  rmsNormBackwardRows(x, floatData(gradOutput), result, rowInvrms.length, length, parameterValues(weight, length, 1), rowInvrms, weightSums);
  return {
    gradInput: result === null ? null : Tensor.fromData(result, input.shape),
    gradWeight: mask[1] && weight !== null ? tensorOf(weightSums, [length], weight.dtype) : null,
    gradBias: null,
  };
}

function rmsNormBackwardRows(
  x: FloatArray,
  g: FloatArray,
  result: FloatArray | null,
  rows: number,
  length: number,
  w: Float64Array,
  rowInvrms: Float64Array,
  weightSums: Float64Array,
): void {
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const r = rowInvrms[row]!;
    let sumGWX = 0;
    for (let i = 0; i < length; i++) {
      const gradient = g[start + i]!;
      const value = x[start + i]!;
      sumGWX += gradient * w[i]! * value;
      weightSums[i] += gradient * value * r;
    }
    if (result === null) continue;
    const centered = (-r * r * r * sumGWX) / length;
    for (let i = 0; i < length; i++) result[start + i] = r * g[start + i]! * w[i]! + x[start + i]! * centered;
  }
}
