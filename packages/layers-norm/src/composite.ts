/**
 * The normalization gradients written with differentiable tensor ops. The
 * ops' backward passes run the fused kernels; when a backward runs with grad
 * mode on (`createGraph`, for higher-order derivatives) they use these
 * instead, so the gradients get a graph of their own: same values, slower.
 */
import type { Tensor } from '@strata/tensor';

/** The gradient of a normalization with batch statistics, and the normalized input it used. */
export interface CompositeNormalization {
  readonly normalized: Tensor;
  readonly gradInput: Tensor;
}

/**
 * Normalizes `input` over `dims` with its own mean and biased variance, and
 * returns the input gradient for `weighted` (the output gradient times the
 * affine weight): `invstd · (gw − mean(gw) − x̂ · mean(gw · x̂))`.
 */
export function batchStatisticsGradient(input: Tensor, weighted: Tensor, dims: readonly number[], eps: number): CompositeNormalization {
  const reduce = [...dims];
  const centered = input.sub(input.mean(reduce, true));
  const invstd = centered.square().mean(reduce, true).add(eps).rsqrt();
  const normalized = centered.mul(invstd);
  const projection = weighted.mul(normalized).mean(reduce, true);
  const gradInput = weighted.sub(weighted.mean(reduce, true)).sub(normalized.mul(projection)).mul(invstd);
  return { normalized, gradInput };
}

/**
 * Sums `tensor` over `dims`; no dims leaves it as it is (where PyTorch's
 * `sum(dim=[])` would reduce everything).
 */
export function sumOver(tensor: Tensor, dims: readonly number[]): Tensor {
  return dims.length === 0 ? tensor : tensor.sum([...dims]);
}

/** Every dim of a rank-`rank` tensor but `keep`. */
export function dimsExcept(rank: number, keep: number): number[] {
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) if (d !== keep) dims.push(d);
  return dims;
}

/** The shape `[1, C, 1, ...]` that broadcasts a per-channel vector over `[N, C, *]`. */
export function channelShape(rank: number, channels: number): number[] {
  return Array.from({ length: rank }, (_, d) => (d === 1 ? channels : 1));
}
