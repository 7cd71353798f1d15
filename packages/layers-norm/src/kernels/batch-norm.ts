/**
 * Batch normalization kernels: statistics per channel over the batch and
 * spatial positions of `[N, C, *]`, the normalization, and PyTorch's
 * closed-form backward.
 */
import { Tensor } from '@strata/tensor';
import { type FloatArray, rowwiseChannelMoments, squaredDeviationRange, sumRange } from './moments.js';
import { channelAffine, channelBackwardInput, channelGradientSums, planeAffine, planeBackwardInput, planeGradientSums } from './planes.js';
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

/** `[N, C, *]` as batch, channels and the product of the spatial sizes. */
export function channelLayout(shape: readonly number[]): { batch: number; channels: number; spatial: number } {
  let spatial = 1;
  for (let d = 2; d < shape.length; d++) spatial *= shape[d]!;
  return { batch: shape[0]!, channels: shape[1]!, spatial };
}

/**
 * Normalizes `input` `[N, C, *]` per channel and applies the affine map:
 * `(x − mean[c]) · invstd[c] · weight[c] + bias[c]`. With `useInputStats`
 * the mean and biased variance are the batch's (two passes, float64);
 * otherwise `runningMean` and `runningVar` are used. `invstd` is
 * `1 / √(variance + eps)`.
 */
export function batchNormKernel(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  useInputStats: boolean,
  eps: number,
): NormForwardResult {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const x = floatData(input);
  const batchStatistics = useInputStats || runningMean === null || runningVar === null;
  const mean = new Float64Array(channels);
  // Holds the variance until it is turned into invstd.
  const invstd = new Float64Array(channels);
  if (!batchStatistics) {
    mean.set(float64Values(runningMean));
    invstd.set(float64Values(runningVar));
  }
  const w = parameterValues(weight, channels, 1);
  const b = parameterValues(bias, channels, 0);
  const y = allocateFloat(input.dtype, x.length);
  if (spatial === 1) {
    if (batchStatistics) rowwiseChannelMoments(x, batch, channels, mean, invstd);
    const scale = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      invstd[c] = 1 / Math.sqrt(invstd[c]! + eps);
      scale[c] = w[c]! * invstd[c]!;
    }
    channelAffine(x, y, batch, channels, spatial, mean, scale, b);
  } else {
    forwardByChannel(x, y, batch, channels, spatial, w, b, eps, batchStatistics, mean, invstd);
  }
  return {
    output: Tensor.fromData(y, input.shape),
    mean: Tensor.fromData(mean, [channels]),
    invstd: Tensor.fromData(invstd, [channels]),
  };
}

/**
 * The forward of `[N, C, S]` one channel at a time: its statistics (two
 * passes per plane, planes merged with Chan's update), then its output,
 * while the channel's planes are still in cache. `mean` and `invstd` come
 * in holding the running mean and variance when `batchStatistics` is false.
 */
function forwardByChannel(
  x: FloatArray,
  y: FloatArray,
  batch: number,
  channels: number,
  spatial: number,
  w: Float64Array,
  b: Float64Array,
  eps: number,
  batchStatistics: boolean,
  mean: Float64Array,
  invstd: Float64Array,
): void {
  const count = batch * spatial;
  for (let c = 0; c < channels; c++) {
    if (batchStatistics) {
      let m = 0;
      let m2 = 0;
      for (let n = 0; n < batch; n++) {
        const start = (n * channels + c) * spatial;
        const planeMean = sumRange(x, start, spatial) / spatial;
        const planeM2 = squaredDeviationRange(x, start, spatial, planeMean);
        const seen = n * spatial;
        const weight = spatial / (seen + spatial);
        const delta = planeMean - m;
        m += delta * weight;
        m2 += planeM2 + delta * delta * seen * weight;
      }
      mean[c] = count === 0 ? Number.NaN : m;
      invstd[c] = m2 / count;
    }
    const r = 1 / Math.sqrt(invstd[c]! + eps);
    invstd[c] = r;
    const center = mean[c]!;
    const scale = w[c]! * r;
    const offset = b[c]!;
    for (let n = 0; n < batch; n++) planeAffine(x, y, (n * channels + c) * spatial, spatial, center, scale, offset);
  }
}

/**
 * The gradients of {@link batchNormKernel}. With batch statistics, PyTorch's
 * closed form: `gradInput = weight · invstd / M · (M·g − Σg − x̂ · Σ(g·x̂))`
 * over the `M = N·spatial` values of each channel; with running statistics
 * (constants) `gradInput = g · weight · invstd`. `gradWeight = Σ g·x̂`,
 * `gradBias = Σ g`.
 */
export function batchNormBackwardKernel(
  input: Tensor,
  gradOutput: Tensor,
  mean: Tensor,
  invstd: Tensor,
  weight: Tensor | null,
  useInputStats: boolean,
  mask: GradientMask,
): NormGradients {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const x = floatData(input);
  const g = floatData(gradOutput);
  const center = float64Values(mean);
  const r = float64Values(invstd);
  const w = parameterValues(weight, channels, 1);
  const needSums = mask[1] || mask[2] || (mask[0] && useInputStats);
  const sumG = new Float64Array(channels);
  const sumGX = new Float64Array(channels);
  const result = mask[0] ? allocateFloat(input.dtype, x.length) : null;
  if (spatial === 1) {
    if (needSums) channelGradientSums(x, g, batch, channels, spatial, center, sumG, sumGX);
    if (result !== null) {
      const gradScale = new Float64Array(channels);
      const centeredScale = new Float64Array(channels);
      const constant = new Float64Array(channels);
      for (let c = 0; c < channels; c++) {
        const coefficients = inputGradientCoefficients(w[c]!, r[c]!, sumG[c]!, sumGX[c]!, batch * spatial, useInputStats);
        gradScale[c] = coefficients[0]!;
        centeredScale[c] = coefficients[1]!;
        constant[c] = coefficients[2]!;
      }
      channelBackwardInput(x, g, result, batch, channels, spatial, center, gradScale, centeredScale, constant);
    }
  } else {
    backwardByChannel(x, g, result, batch, channels, spatial, center, r, w, useInputStats, needSums, sumG, sumGX);
  }
  let gradWeight: Tensor | null = null;
  if (mask[1] && weight !== null) {
    for (let c = 0; c < channels; c++) sumGX[c] = sumGX[c]! * r[c]!;
    gradWeight = tensorOf(sumGX, [channels], weight.dtype);
  }
  const gradBias = mask[2] ? tensorOf(sumG, [channels], input.dtype) : null;
  return { gradInput: result === null ? null : Tensor.fromData(result, input.shape), gradWeight, gradBias };
}

const coefficientScratch = new Float64Array(3);

/**
 * The coefficients of `gradInput = g · a + (x − mean) · b + k` for one
 * channel: `a = w·r`; with batch statistics `b = −w·r³·Σg(x−mean)/M` and
 * `k = −w·r·Σg/M`, else 0.
 */
function inputGradientCoefficients(w: number, r: number, sumG: number, sumGX: number, count: number, useInputStats: boolean): Float64Array {
  const a = w * r;
  coefficientScratch[0] = a;
  coefficientScratch[1] = useInputStats ? (-a * r * r * sumGX) / count : 0;
  coefficientScratch[2] = useInputStats ? (-a * sumG) / count : 0;
  return coefficientScratch;
}

/** The backward of `[N, C, S]` one channel at a time: its sums, then its input gradient while its planes are in cache. */
function backwardByChannel(
  x: FloatArray,
  g: FloatArray,
  result: FloatArray | null,
  batch: number,
  channels: number,
  spatial: number,
  center: Float64Array,
  r: Float64Array,
  w: Float64Array,
  useInputStats: boolean,
  needSums: boolean,
  sumG: Float64Array,
  sumGX: Float64Array,
): void {
  const sums = new Float64Array(2);
  for (let c = 0; c < channels; c++) {
    const m = center[c]!;
    if (needSums) {
      sums[0] = 0;
      sums[1] = 0;
      for (let n = 0; n < batch; n++) planeGradientSums(x, g, (n * channels + c) * spatial, spatial, m, sums);
      sumG[c] = sums[0]!;
      sumGX[c] = sums[1]!;
    }
    if (result === null) continue;
    const coefficients = inputGradientCoefficients(w[c]!, r[c]!, sumG[c]!, sumGX[c]!, batch * spatial, useInputStats);
    const a = coefficients[0]!;
    const b = coefficients[1]!;
    const k = coefficients[2]!;
    for (let n = 0; n < batch; n++) planeBackwardInput(x, g, result, (n * channels + c) * spatial, spatial, m, a, b, k);
  }
}
