/**
 * The default of every fused `*Backward` kernel of this package, composed of
 * forward tensor ops (sub, mul, mean, sum, pow, …) from the statistics the
 * forward kernel saved. They register under the backend name `'composite'`
 * before the fused CPU kernels, so a backend that lacks a fused backward
 * (or a test that unregisters it) still trains, with the same numbers up to
 * rounding. The ops are recorded only when gradients are on, which backward
 * passes turn off unless they build a graph of their own.
 */
import { type Tensor, cat, zeros } from '@strata/tensor';
import { sumOver } from './composite.js';
import { COMPOSITE_BACKEND } from './kernel-signatures.js';
import type { LocalResponseNormParameters } from './kernels/local-response-norm.js';
import type { GradientMask, NormGradients } from './kernels/support.js';

/**
 * `x̂ = (x − mean) · invstd` and the input gradient of a normalization over
 * `dims` for `weighted` (the output gradient times the weight):
 * `invstd · (gw − mean(gw) − x̂ · mean(gw · x̂))` with batch statistics, or
 * `gw · invstd` when the statistics are constants. `mean` and `invstd`
 * broadcast against `input`.
 */
function normalizedGradient(
  input: Tensor, weighted: Tensor, mean: Tensor, invstd: Tensor, dims: readonly number[], statisticsFromInput: boolean,
): { normalized: Tensor; gradInput: Tensor } {
  const scale = invstd.to(input.dtype);
  const normalized = input.sub(mean.to(input.dtype)).mul(scale);
  if (!statisticsFromInput) return { normalized, gradInput: weighted.mul(scale) };
  const reduce = [...dims];
  const projection = weighted.mul(normalized).mean(reduce, true);
  const gradInput = weighted.sub(weighted.mean(reduce, true)).sub(normalized.mul(projection)).mul(scale);
  return { normalized, gradInput };
}

/** Registration options of the defaults: under the fused CPU kernels, which override them. */
export const COMPOSITE = { backend: COMPOSITE_BACKEND } as const;

function channelView(rank: number, channels: number): number[] {
  return Array.from({ length: rank }, (_, d) => (d === 1 ? channels : 1));
}

function allDimsBut(rank: number, keep: number): number[] {
  return Array.from({ length: rank }, (_, d) => d).filter((d) => d !== keep);
}

/** `batchNormBackward` in forward ops. */
export function batchNormBackwardComposite(
  input: Tensor, gradOutput: Tensor, mean: Tensor, invstd: Tensor, weight: Tensor | null, useInputStats: boolean, mask: GradientMask,
): NormGradients {
  const rank = input.ndim;
  const broadcast = channelView(rank, input.shape[1]!);
  const dims = allDimsBut(rank, 1);
  const weighted = weight === null ? gradOutput : gradOutput.mul(weight.reshape(broadcast));
  const { normalized, gradInput } = normalizedGradient(
    input, weighted, mean.reshape(broadcast), invstd.reshape(broadcast), dims, useInputStats,
  );
  return {
    gradInput: mask[0] ? gradInput : null,
    gradWeight: mask[1] && weight !== null ? gradOutput.mul(normalized).sum(dims) : null,
    gradBias: mask[2] ? gradOutput.sum(dims) : null,
  };
}

/** `layerNormBackward` in forward ops: rows of `length` trailing elements. */
export function layerNormBackwardComposite(
  input: Tensor, gradOutput: Tensor, mean: Tensor, invstd: Tensor, weight: Tensor | null, length: number, mask: GradientMask,
): NormGradients {
  const rows = length === 0 ? 0 : input.numel() / length;
  const x = input.reshape([rows, length]);
  const g = gradOutput.reshape([rows, length]);
  const weighted = weight === null ? g : g.mul(weight.reshape([length]));
  const { normalized, gradInput } = normalizedGradient(x, weighted, mean.reshape([rows, 1]), invstd.reshape([rows, 1]), [1], true);
  return {
    gradInput: mask[0] ? gradInput.reshape(input.shape) : null,
    gradWeight: mask[1] && weight !== null ? sumOver(g.mul(normalized), [0]) : null,
    gradBias: mask[2] ? sumOver(g, [0]) : null,
  };
}

/** `rmsNormBackward` in forward ops: `r · (gw − x · r² · mean(gw · x))`, `gradWeight = Σ g · x · r`. */
export function rmsNormBackwardComposite(
  input: Tensor, gradOutput: Tensor, invrms: Tensor, weight: Tensor | null, length: number,
  mask: readonly [input: boolean, weight: boolean],
): NormGradients {
  const rows = length === 0 ? 0 : input.numel() / length;
  const x = input.reshape([rows, length]);
  const g = gradOutput.reshape([rows, length]);
  const r = invrms.reshape([rows, 1]).to(input.dtype);
  const weighted = weight === null ? g : g.mul(weight.reshape([length]));
  const projection = weighted.mul(x).mean([1], true);
  const gradInput = weighted.sub(x.mul(r.square()).mul(projection)).mul(r);
  return {
    gradInput: mask[0] ? gradInput.reshape(input.shape) : null,
    gradWeight: mask[1] && weight !== null ? sumOver(g.mul(x).mul(r), [0]) : null,
    gradBias: null,
  };
}

/** `groupNormBackward` in forward ops: each (sample, group) normalized over its channels and positions. */
export function groupNormBackwardComposite(
  input: Tensor, gradOutput: Tensor, mean: Tensor, invstd: Tensor, weight: Tensor | null, groups: number, mask: GradientMask,
): NormGradients {
  const [batch, channels] = input.shape as [number, number];
  const rank = input.ndim;
  const perGroup = groups === 0 ? 0 : input.numel() / (batch * groups);
  const weighted = weight === null ? gradOutput : gradOutput.mul(weight.reshape(channelView(rank, channels)));
  const { normalized, gradInput } = normalizedGradient(
    input.reshape([batch, groups, perGroup]), weighted.reshape([batch, groups, perGroup]),
    mean.reshape([batch, groups, 1]), invstd.reshape([batch, groups, 1]), [2], true,
  );
  const dims = allDimsBut(rank, 1);
  return {
    gradInput: mask[0] ? gradInput.reshape(input.shape) : null,
    gradWeight: mask[1] && weight !== null ? gradOutput.mul(normalized.reshape(input.shape)).sum(dims) : null,
    gradBias: mask[2] ? gradOutput.sum(dims) : null,
  };
}

/**
 * `Σ` over the channel window of each channel (zero beyond the edges), as
 * shifted narrows padded with zeros: channel c gets channels c − before … c + after.
 */
export function windowSum(values: Tensor, before: number, after: number): Tensor {
  const channels = values.shape[1]!;
  let total: Tensor | null = null;
  for (let shift = -before; shift <= after; shift++) {
    // Channel c gets channel c + shift.
    const length = channels - Math.abs(shift);
    if (length <= 0) continue;
    const padShape = [...values.shape];
    padShape[1] = Math.abs(shift);
    const padding = zeros(padShape, { dtype: values.dtype });
    const part = values.narrow(1, Math.max(shift, 0), length);
    const shifted = shift === 0 ? values : shift > 0 ? cat([part, padding], 1) : cat([padding, part], 1);
    total = total === null ? shifted : total.add(shifted);
  }
  return total ?? zeros(values.shape, { dtype: values.dtype });
}

/**
 * `localResponseNormBackward` in forward ops, from the saved `denominator`
 * base d: `g · d^−β − 2αβ/size · x · Σ_window(g · x · d^(−β−1))`.
 */
export function localResponseNormBackwardComposite(
  input: Tensor, gradOutput: Tensor, denominator: Tensor, parameters: LocalResponseNormParameters,
): Tensor {
  const { size, alpha, beta } = parameters;
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const d = denominator.to(input.dtype);
  const t = gradOutput.mul(input).mul(d.pow(-beta - 1));
  // Element j of channel c collects t from the channels whose window holds c.
  const collected = windowSum(t, after, before);
  return gradOutput.mul(d.pow(-beta)).sub(input.mul(collected).mul((2 * alpha * beta) / size));
}
