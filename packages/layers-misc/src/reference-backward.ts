/**
 * Defaults of this package's fused backward kernels, composed of forward ops
 * (`scatterAdd`, `gather`, `indexSelect`, `where`, comparisons and
 * arithmetic): the embedding lookup's gradient (`embeddingBackward`) and the
 * embedding bags' (`embeddingBagBackward`,
 * `embeddingBagSampleWeightsBackward`). They register under the backend name
 * `'composite'` beneath the CPU loops, so a backend that lacks the fused
 * ones still trains.
 */
import { type Tensor, arange, gather, ge, indexSelect, ne, ones, scatterAdd, where, zeros } from '@strata/tensor';
import type { BagMode } from './kernels/embedding-bag.js';

/** The backend name of the defaults composed of forward ops. */
export const COMPOSITE_BACKEND = 'composite';

type FloatDType = 'float32' | 'float64';

/** How often each of `index`'s entries occurs in `index` (PyTorch's `scale_grad_by_freq` counts), as floats shaped like `index`. */
function occurrences(index: Tensor, numWeights: number, dtype: FloatDType): Tensor {
  const counts = scatterAdd(zeros([numWeights], { dtype }), 0, index, ones([index.shape[0]!], { dtype }));
  return gather(counts, 0, index);
}

/** `rows` [N, D] added into zeros [numWeights, D] at the rows `index` [N] names. */
function addRows(rows: Tensor, index: Tensor, numWeights: number): Tensor {
  const [count, dim] = [rows.shape[0]!, rows.shape[1]!];
  const target = index.reshape([count, 1]).expand([count, dim]);
  return scatterAdd(zeros([numWeights, dim], { dtype: rows.dtype }), 0, target, rows);
}

/** 0 where `index` is `paddingIdx` (−1: none), else `scale`. */
function dropPadding(scale: Tensor, index: Tensor, paddingIdx: number): Tensor {
  return paddingIdx < 0 ? scale : where(ne(index, paddingIdx), scale, 0);
}

/**
 * `embeddingBackward` in forward ops: each row of `gradOutput` scaled by its
 * index's factor (0 for the padding row, 1 / count with `scaleGradByFreq`)
 * and scatter-added into the row its index names.
 */
export function embeddingBackwardComposite(
  gradOutput: Tensor, indices: Tensor, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean,
): Tensor {
  const index = indices.reshape([-1]);
  const dim = gradOutput.shape[gradOutput.ndim - 1]!;
  const dtype = gradOutput.dtype as FloatDType;
  let rows = gradOutput.reshape([index.shape[0]!, dim]);
  if (scaleGradByFreq) rows = rows.mul(occurrences(index, numWeights, dtype).reciprocal().unsqueeze(1));
  if (paddingIdx >= 0) rows = where(ne(index, paddingIdx).unsqueeze(1), rows, 0);
  return addRows(rows, index, numWeights);
}

/** The bag of each entry of the 1-D `indices`: the number of bags that end at or before it (`bounds` [B + 1]). */
function bagOfEntries(count: number, bounds: Tensor): Tensor {
  const ends = bounds.slice(0, 1, bounds.shape[0]!).reshape([1, -1]);
  const positions = arange(count, { dtype: 'int32' }).reshape([count, 1]);
  return ge(positions, ends).to('int32').sum(1).to('int32');
}

/**
 * `embeddingBagBackward` in forward ops. For max, each bag's gradient goes
 * to the row its value came from (`maxIndices`, −1 for an empty bag:
 * nothing). Else each entry's row gets its bag's gradient (`indexSelect`)
 * times its scale: 1 / bag size for mean, its per-sample weight, 1 / its
 * index's count with `scaleGradByFreq`, 0 for padding entries.
 */
export function embeddingBagBackwardComposite(
  gradOutput: Tensor, indices: Tensor, bounds: Tensor, mode: BagMode, perSampleWeights: Tensor | null,
  bagSizes: Tensor, maxIndices: Tensor | null, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean,
): Tensor {
  const dtype = gradOutput.dtype as FloatDType;
  if (maxIndices !== null) {
    const valid = ge(maxIndices, 0);
    const kept = where(valid, gradOutput, 0);
    return scatterAdd(zeros([numWeights, gradOutput.shape[1]!], { dtype }), 0, where(valid, maxIndices, 0), kept);
  }
  const count = indices.shape[0]!;
  const bagOf = bagOfEntries(count, bounds);
  let scale = mode === 'mean'
    ? gather(bagSizes.to(dtype).clamp({ min: 1 }).reciprocal(), 0, bagOf)
    : ones([count], { dtype });
  if (perSampleWeights !== null) scale = scale.mul(perSampleWeights);
  if (scaleGradByFreq) scale = scale.div(occurrences(indices, numWeights, dtype));
  scale = dropPadding(scale, indices, paddingIdx);
  return addRows(indexSelect(gradOutput, 0, bagOf).mul(scale.unsqueeze(1)), indices, numWeights);
}

/**
 * `embeddingBagSampleWeightsBackward` in forward ops: for each entry, the
 * dot product of its bag's gradient with its weight row, 0 for padding entries.
 */
export function embeddingBagSampleWeightsBackwardComposite(
  gradOutput: Tensor, weight: Tensor, indices: Tensor, bounds: Tensor, paddingIdx: number,
): Tensor {
  const bagOf = bagOfEntries(indices.shape[0]!, bounds);
  const dots = indexSelect(gradOutput, 0, bagOf).mul(indexSelect(weight, 0, indices)).sum(1);
  return dropPadding(dots, indices, paddingIdx);
}
