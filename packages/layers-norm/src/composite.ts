/**
 * Helpers of the normalizations' backward passes. An ordinary backward runs
 * the registry's kernel (the fused loop, or its default composed of forward
 * ops); a backward that builds a graph of its own (`createGraph`: autograd
 * runs it with grad mode on) runs the composite default instead
 * (`compositeKernel`), on statistics recomputed here with recorded ops, so
 * that the gradient depends on the input through them too and can be
 * differentiated again.
 */
import type { Tensor } from '@strata/tensor';

/** The statistics a normalization's forward kernel saves, recomputed with recorded ops. */
export interface RecordedStatistics {
  /** The mean over the normalized dims. */
  readonly mean: Tensor;
  /** `1 / √(biased variance + eps)` over the normalized dims. */
  readonly invstd: Tensor;
}

/**
 * The mean and inverse standard deviation (biased variance, plus `eps`) of
 * `input` over `dims`, those dims removed, as recorded tensor ops: what the
 * forward kernels save, in a form a `createGraph` backward differentiates.
 */
export function recordedStatistics(input: Tensor, dims: readonly number[], eps: number): RecordedStatistics {
  const reduce = [...dims];
  const mean = input.mean(reduce);
  const invstd = input.sub(input.mean(reduce, true)).square().mean(reduce).add(eps).rsqrt();
  return { mean, invstd };
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
