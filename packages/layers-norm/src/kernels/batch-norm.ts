/**
 * Batch normalization kernels: statistics per channel over the batch and
 * spatial positions of `[N, C, *]`, the normalization, and PyTorch's
 * closed-form backward.
 */
import { Tensor } from '@strata/tensor';
import { channelMoments } from './moments.js';
import { channelAffine, channelBackwardInput, channelGradientSums } from './planes.js';
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
  let mean: Float64Array;
  const invstd = new Float64Array(channels);
  if (useInputStats || runningMean === null || runningVar === null) {
    mean = new Float64Array(channels);
    channelMoments(x, batch, channels, spatial, mean, invstd);
  } else {
    mean = Float64Array.from(float64Values(runningMean));
    invstd.set(float64Values(runningVar));
  }
  for (let c = 0; c < channels; c++) invstd[c] = 1 / Math.sqrt(invstd[c]! + eps);
  const w = parameterValues(weight, channels, 1);
  const scale = new Float64Array(channels);
  for (let c = 0; c < channels; c++) scale[c] = w[c]! * invstd[c]!;
  const offset = parameterValues(bias, channels, 0);
  const y = allocateFloat(input.dtype, x.length);
  channelAffine(x, y, batch, channels, spatial, mean, scale, offset);
  return {
    output: Tensor.fromData(y, input.shape),
    mean: Tensor.fromData(mean, [channels]),
    invstd: Tensor.fromData(invstd, [channels]),
  };
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
  if (needSums) channelGradientSums(x, g, batch, channels, spatial, center, sumG, sumGX);

  let gradInput: Tensor | null = null;
  if (mask[0]) {
    const count = batch * spatial;
    const gradScale = new Float64Array(channels);
    const centeredScale = new Float64Array(channels);
    const constant = new Float64Array(channels);
    for (let c = 0; c < channels; c++) {
      const k = w[c]! * r[c]!;
      gradScale[c] = k;
      if (useInputStats) {
        centeredScale[c] = (-k * r[c]! * r[c]! * sumGX[c]!) / count;
        constant[c] = (-k * sumG[c]!) / count;
      }
    }
    const result = allocateFloat(input.dtype, x.length);
    channelBackwardInput(x, g, result, batch, channels, spatial, center, gradScale, centeredScale, constant);
    gradInput = Tensor.fromData(result, input.shape);
  }
  let gradWeight: Tensor | null = null;
  if (mask[1] && weight !== null) {
    for (let c = 0; c < channels; c++) sumGX[c] = sumGX[c]! * r[c]!;
    gradWeight = tensorOf(sumGX, [channels], weight.dtype);
  }
  const gradBias = mask[2] ? tensorOf(sumG, [channels], input.dtype) : null;
  return { gradInput, gradWeight, gradBias };
}
