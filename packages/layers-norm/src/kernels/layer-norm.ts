/**
 * Row-wise normalization kernels: layer norm and RMS norm over the last
 * `length` elements of each row, with an elementwise weight (and bias) of
 * that length. Each row is read while it is in cache: its statistics, then
 * its output; backward likewise, accumulating the parameter gradients over
 * the rows in float64.
 */
import { Tensor } from '@strata/tensor';
import { squaredDeviationRange, sumOfSquaresRange, sumRange } from './moments.js';
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
  const w = parameterValues(weight, length, 1);
  const b = parameterValues(bias, length, 0);
  const y = allocateFloat(input.dtype, x.length);
  const mean = new Float64Array(rows);
  const invstd = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const m = sumRange(x, start, length) / length;
    const r = 1 / Math.sqrt(squaredDeviationRange(x, start, length, m) / length + eps);
    mean[row] = m;
    invstd[row] = r;
    for (let i = 0; i < length; i++) y[start + i] = (x[start + i]! - m) * r * w[i]! + b[i]!;
  }
  return { output: Tensor.fromData(y, input.shape), mean: Tensor.fromData(mean, [rows]), invstd: Tensor.fromData(invstd, [rows]) };
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
  const g = floatData(gradOutput);
  const rowMean = float64Values(mean);
  const rowInvstd = float64Values(invstd);
  const rows = rowMean.length;
  const w = parameterValues(weight, length, 1);
  const weightSums = mask[1] ? new Float64Array(length) : null;
  const biasSums = mask[2] ? new Float64Array(length) : null;
  const result = mask[0] ? allocateFloat(input.dtype, x.length) : null;
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const m = rowMean[row]!;
    const r = rowInvstd[row]!;
    let sumGW = 0;
    let sumGWX = 0;
    for (let i = 0; i < length; i++) {
      const gradient = g[start + i]!;
      const normalized = (x[start + i]! - m) * r;
      const weighted = gradient * w[i]!;
      sumGW += weighted;
      sumGWX += weighted * normalized;
    }
    if (weightSums !== null) {
      for (let i = 0; i < length; i++) weightSums[i] += g[start + i]! * (x[start + i]! - m) * r;
    }
    if (biasSums !== null) {
      for (let i = 0; i < length; i++) biasSums[i] += g[start + i]!;
    }
    if (result !== null) {
      const constant = (-r * sumGW) / length;
      const centered = (-r * r * sumGWX) / length;
      for (let i = 0; i < length; i++) {
        result[start + i] = r * g[start + i]! * w[i]! + (x[start + i]! - m) * centered + constant;
      }
    }
  }
  return {
    gradInput: result === null ? null : Tensor.fromData(result, input.shape),
    gradWeight: weightSums === null || weight === null ? null : tensorOf(weightSums, [length], weight.dtype),
    gradBias: biasSums === null ? null : tensorOf(biasSums, [length], input.dtype),
  };
}

/** RMS normalization's forward result: the output and each row's `1 / √(mean(x²) + eps)` (float64). */
export interface RmsNormForwardResult {
  readonly output: Tensor;
  readonly invrms: Tensor;
}

/** `x / √(mean(x²) + eps) · weight` over each row of `length` elements. */
export function rmsNormKernel(input: Tensor, weight: Tensor | null, length: number, eps: number): RmsNormForwardResult {
  const x = floatData(input);
  const rows = length === 0 ? 0 : x.length / length;
  const w = parameterValues(weight, length, 1);
  const y = allocateFloat(input.dtype, x.length);
  const invrms = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const r = 1 / Math.sqrt(sumOfSquaresRange(x, start, length) / length + eps);
    invrms[row] = r;
    for (let i = 0; i < length; i++) y[start + i] = x[start + i]! * r * w[i]!;
  }
  return { output: Tensor.fromData(y, input.shape), invrms: Tensor.fromData(invrms, [rows]) };
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
  const g = floatData(gradOutput);
  const rowInvrms = float64Values(invrms);
  const rows = rowInvrms.length;
  const w = parameterValues(weight, length, 1);
  const weightSums = mask[1] ? new Float64Array(length) : null;
  const result = mask[0] ? allocateFloat(input.dtype, x.length) : null;
  for (let row = 0; row < rows; row++) {
    const start = row * length;
    const r = rowInvrms[row]!;
    if (weightSums !== null) {
      for (let i = 0; i < length; i++) weightSums[i] += g[start + i]! * x[start + i]! * r;
    }
    if (result !== null) {
      let sumGWX = 0;
      for (let i = 0; i < length; i++) sumGWX += g[start + i]! * w[i]! * x[start + i]!;
      const centered = (-r * r * r * sumGWX) / length;
      for (let i = 0; i < length; i++) result[start + i] = r * g[start + i]! * w[i]! + x[start + i]! * centered;
    }
  }
  return {
    gradInput: result === null ? null : Tensor.fromData(result, input.shape),
    gradWeight: weightSums === null || weight === null ? null : tensorOf(weightSums, [length], weight.dtype),
    gradBias: null,
  };
}
