/**
 * Defaults of this package's fused index kernels of max pooling's gradient
 * (`maxPoolBackward`), max unpooling's (`maxUnpoolBackward`) and the
 * reading paddings' (`convolutionPadBackward`), composed of forward ops
 * (`scatterAdd`, `gather`, `where`, and the padding itself). They register under the
 * backend name `'composite'` beneath the CPU loops, so a backend that lacks
 * the fused ones still trains.
 */
import { type Tensor, arange, gather, ge, getKernel, logicalAnd, lt, scatterAdd, where, zeros } from '@strata/tensor';
import type { PaddingSpec } from './kernels/padding.js';

/** The backend name of the defaults composed of forward ops. */
export const COMPOSITE_BACKEND = 'composite';

/** `tensor` with its last `rank` dims flattened into one: [planes, volume]. */
function planes(tensor: Tensor, rank: number): Tensor {
  const product = (sizes: readonly number[]): number => sizes.reduce((total, size) => total * size, 1);
  return tensor.reshape([product(tensor.shape.slice(0, tensor.ndim - rank)), product(tensor.shape.slice(tensor.ndim - rank))]);
}

/** Whether each index lies in [0, size), and the indices with the others replaced by 0. */
function validIndices(indices: Tensor, size: number): { valid: Tensor; clamped: Tensor } {
  const valid = logicalAnd(ge(indices, 0), lt(indices, size));
  return { valid, clamped: where(valid, indices, 0) };
}

/** `maxPoolBackward` in forward ops: `values` scatter-added into zero planes at `indices`; indices outside a plane add nothing. */
export function maxPoolBackwardComposite(values: Tensor, indices: Tensor, shape: readonly number[], rank: number): Tensor {
  const targetVolume = shape.slice(shape.length - rank).reduce((product, size) => product * size, 1);
  const planeCount = shape.slice(0, shape.length - rank).reduce((product, size) => product * size, 1);
  const { valid, clamped } = validIndices(planes(indices, rank), targetVolume);
  const kept = where(valid, planes(values, rank), 0);
  return scatterAdd(zeros([planeCount, targetVolume], { dtype: values.dtype }), 1, clamped, kept).reshape([...shape]);
}

/** `maxUnpoolBackward` in forward ops: each plane of `source` gathered at `indices`; indices outside a plane read 0. */
export function maxUnpoolBackwardComposite(source: Tensor, indices: Tensor, rank: number): Tensor {
  const flatSource = planes(source, rank);
  const { valid, clamped } = validIndices(planes(indices, rank), flatSource.shape[1]!);
  return where(valid, gather(flatSource, 1, clamped), 0).reshape([...indices.shape]);
}

/**
 * `convolutionPadBackward` in forward ops. A reading padding copies input
 * positions, so padding a plane that holds each position's own index (exact
 * in float64) gives, for every padded position, the input position it
 * reads; the gradient adds each padded position's gradient there (`scatterAdd`).
 */
export function convolutionPadBackwardComposite(gradOutput: Tensor, padding: PaddingSpec): Tensor {
  const rank = padding.before.length;
  const lead = gradOutput.shape.slice(0, gradOutput.ndim - rank);
  const padded = gradOutput.shape.slice(gradOutput.ndim - rank);
  const spatial = padded.map((size, d) => size - padding.before[d]! - padding.after[d]!);
  const volume = spatial.reduce((product, size) => product * size, 1);
  const positions = arange(volume, { dtype: 'float64' }).reshape([1, 1, ...spatial]);
  const sources = getKernel('convolutionPad')(positions, padding).reshape([1, -1]).to('int32');
  const flatGradient = planes(gradOutput, rank);
  const index = sources.expand([flatGradient.shape[0]!, sources.shape[1]!]);
  const result = scatterAdd(zeros([flatGradient.shape[0]!, volume], { dtype: gradOutput.dtype }), 1, index, flatGradient);
  return result.reshape([...lead, ...spatial]);
}
