/**
 * Group normalization kernels (instance normalization is the case
 * `groups = C`): statistics per sample and group over the group's channels
 * and spatial positions of `[N, C, *]`, a per-channel affine map, and the
 * closed-form backward.
 */
import { Tensor } from '@strata/tensor';
import { channelLayout } from './batch-norm.js';
import { rowMoments } from './moments.js';
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

/**
 * Normalizes each group of `C / groups` consecutive channels of each sample
 * of `input` `[N, C, *]` with its own mean and biased variance, then applies
 * the per-channel `weight` and `bias`. Returns `mean` and `invstd` of shape
 * `[N, groups]` (float64).
 */
export function groupNormKernel(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  groups: number,
  eps: number,
): NormForwardResult {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const x = floatData(input);
  const rows = batch * groups;
  const perGroup = channels / groups;
  const mean = new Float64Array(rows);
  const invstd = new Float64Array(rows);
  rowMoments(x, rows, perGroup * spatial, mean, invstd);
  for (let r = 0; r < rows; r++) invstd[r] = 1 / Math.sqrt(invstd[r]! + eps);
  const w = parameterValues(weight, channels, 1);
  const b = parameterValues(bias, channels, 0);
  // One coefficient set per (n, c) plane.
  const planes = batch * channels;
  const center = new Float64Array(planes);
  const scale = new Float64Array(planes);
  const offset = new Float64Array(planes);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const p = n * channels + c;
      const row = n * groups + Math.floor(c / perGroup);
      center[p] = mean[row]!;
      scale[p] = invstd[row]! * w[c]!;
      offset[p] = b[c]!;
    }
  }
  const y = allocateFloat(input.dtype, x.length);
  channelAffine(x, y, 1, planes, spatial, center, scale, offset);
  return {
    output: Tensor.fromData(y, input.shape),
    mean: Tensor.fromData(mean, [batch, groups]),
    invstd: Tensor.fromData(invstd, [batch, groups]),
  };
}

/**
 * The gradients of {@link groupNormKernel}. Per group of `M` values, with
 * `gw = g · weight[c]`: `gradInput = invstd · (gw − Σgw / M − x̂ · Σ(gw·x̂) / M)`;
 * `gradWeight[c] = Σ g·x̂` and `gradBias[c] = Σ g` over samples and positions.
 */
export function groupNormBackwardKernel(
  input: Tensor,
  gradOutput: Tensor,
  mean: Tensor,
  invstd: Tensor,
  weight: Tensor | null,
  groups: number,
  mask: GradientMask,
): NormGradients {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const x = floatData(input);
  const g = floatData(gradOutput);
  const rowMean = float64Values(mean);
  const rowInvstd = float64Values(invstd);
  const w = parameterValues(weight, channels, 1);
  const perGroup = channels / groups;
  const planes = batch * channels;
  const center = new Float64Array(planes);
  for (let p = 0; p < planes; p++) {
    const n = Math.floor(p / channels);
    center[p] = rowMean[n * groups + Math.floor((p - n * channels) / perGroup)]!;
  }
  const sumG = new Float64Array(planes);
  const sumGX = new Float64Array(planes);
  channelGradientSums(x, g, 1, planes, spatial, center, sumG, sumGX);

  let gradInput: Tensor | null = null;
  if (mask[0]) {
    const count = perGroup * spatial;
    const gradScale = new Float64Array(planes);
    const centeredScale = new Float64Array(planes);
    const constant = new Float64Array(planes);
    for (let n = 0; n < batch; n++) {
      for (let group = 0; group < groups; group++) {
        const row = n * groups + group;
        const r = rowInvstd[row]!;
        let weightedSum = 0;
        let weightedProjection = 0;
        for (let c = group * perGroup; c < (group + 1) * perGroup; c++) {
          weightedSum += w[c]! * sumG[n * channels + c]!;
          weightedProjection += w[c]! * sumGX[n * channels + c]!;
        }
        // Σ(gw·x̂) = invstd · Σ(gw·(x − mean)).
        const centeredCoefficient = (-r * r * r * weightedProjection) / count;
        const constantTerm = (-r * weightedSum) / count;
        for (let c = group * perGroup; c < (group + 1) * perGroup; c++) {
          const p = n * channels + c;
          gradScale[p] = r * w[c]!;
          centeredScale[p] = centeredCoefficient;
          constant[p] = constantTerm;
        }
      }
    }
    const result = allocateFloat(input.dtype, x.length);
    channelBackwardInput(x, g, result, 1, planes, spatial, center, gradScale, centeredScale, constant);
    gradInput = Tensor.fromData(result, input.shape);
  }
  let gradWeight: Tensor | null = null;
  if (mask[1] && weight !== null) {
    const values = new Float64Array(channels);
    for (let n = 0; n < batch; n++) {
      for (let c = 0; c < channels; c++) {
        values[c] += sumGX[n * channels + c]! * rowInvstd[n * groups + Math.floor(c / perGroup)]!;
      }
    }
    gradWeight = tensorOf(values, [channels], weight.dtype);
  }
  let gradBias: Tensor | null = null;
  if (mask[2]) {
    const values = new Float64Array(channels);
    for (let n = 0; n < batch; n++) {
      for (let c = 0; c < channels; c++) values[c] += sumG[n * channels + c]!;
    }
    gradBias = tensorOf(values, [channels], input.dtype);
  }
  return { gradInput, gradWeight, gradBias };
}
