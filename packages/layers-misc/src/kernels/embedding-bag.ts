import { Tensor, allocate } from '@strata/tensor';
import { indexCounts } from './embedding.js';

// EmbeddingBag: reductions of bags of weight rows, and their gradients.
// `bounds` is int32 [B + 1]: bag b holds the indices bounds[b] .. bounds[b + 1] − 1
// of the 1-D int32 `indices`, all already checked. `paddingIdx` is -1 for none;
// padding entries take no part in a bag (nor in a mean's count).

/** How `embeddingBag` reduces a bag: 0 sum, 1 mean, 2 max (ATen's mode numbers). */
export type BagMode = 'sum' | 'mean' | 'max';

/** The forward's results: the bags [B, D], the non-padding count of each bag, and for max the row each value came from. */
export interface EmbeddingBagResult {
  /** The reduced bags `[B, D]`, in the weight's dtype (zeros for an empty bag). */
  output: Tensor;
  /** int32 [B]: the number of non-padding entries of each bag. */
  bagSizes: Tensor;
  /** int32 [B, D] for mode max: the weight row of each output value (−1 for an empty bag); else `null`. */
  maxIndices: Tensor | null;
}

/** The bags of `weight` [V, D] reduced by `mode`, each entry's row scaled by its per-sample weight (sum mode only). */
export function embeddingBagKernel(
  weight: Tensor, indices: Tensor, bounds: Tensor, mode: BagMode, perSampleWeights: Tensor | null, paddingIdx: number,
): EmbeddingBagResult {
  const dim = weight.shape[1]!;
  const bags = bounds.shape[0]! - 1;
  const index = indices.contiguousData();
  const bound = bounds.contiguousData();
  const sampleWeights = perSampleWeights === null ? null : perSampleWeights.contiguousData();
  const table = weight.storage.data;
  const rowStride = weight.strides[0]!;
  const columnStride = weight.strides[1]!;
  const output = allocate(weight.dtype, bags * dim);
  const sizes = new Int32Array(bags);
  const maxIndices = mode === 'max' ? new Int32Array(bags * dim).fill(-1) : null;
  for (let bag = 0; bag < bags; bag++) {
    const target = bag * dim;
    let size = 0;
    for (let i = bound[bag]!; i < bound[bag + 1]!; i++) {
      const row = index[i]!;
      if (row === paddingIdx) continue;
      const start = weight.offset + row * rowStride;
      if (maxIndices !== null) {
        // The first maximum wins on ties, as in ATen (strictly greater replaces).
        for (let j = 0, at = start; j < dim; j++, at += columnStride) {
          if (size === 0 || table[at]! > output[target + j]!) {
            output[target + j] = table[at]!;
            maxIndices[target + j] = row;
          }
        }
      } else {
        const scale = sampleWeights === null ? 1 : sampleWeights[i]!;
        for (let j = 0, at = start; j < dim; j++, at += columnStride) output[target + j]! += table[at]! * scale;
      }
      size++;
    }
    sizes[bag] = size;
    if (mode === 'mean' && size > 1) {
      for (let j = 0; j < dim; j++) output[target + j]! /= size;
    }
  }
  return {
    output: Tensor.fromData(output, [bags, dim]),
    bagSizes: Tensor.fromData(sizes, [bags]),
    maxIndices: maxIndices === null ? null : Tensor.fromData(maxIndices, [bags, dim]),
  };
}

/**
 * The weight's gradient [numWeights, D] from the bags' gradient [B, D]: each
 * entry's row gets its bag's gradient (times its per-sample weight; divided
 * by the bag's size for mean; divided by the index's count with
 * `scaleGradByFreq`); for max, each value goes to the row it came from.
 */
export function embeddingBagBackwardKernel(
  gradOutput: Tensor, indices: Tensor, bounds: Tensor, mode: BagMode, perSampleWeights: Tensor | null,
  bagSizes: Tensor, maxIndices: Tensor | null, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean,
): Tensor {
  const dim = gradOutput.shape[1]!;
  const bags = gradOutput.shape[0]!;
  const gradient = gradOutput.contiguousData();
  const result = allocate(gradOutput.dtype, numWeights * dim);
  if (maxIndices !== null) {
    const rows = maxIndices.contiguousData();
    for (let i = 0; i < bags * dim; i++) {
      const row = rows[i]!;
      if (row >= 0) result[row * dim + (i % dim)]! += gradient[i]!;
    }
    return Tensor.fromData(result, [numWeights, dim]);
  }
  const index = indices.contiguousData();
  const bound = bounds.contiguousData();
  const sizes = bagSizes.contiguousData();
  const sampleWeights = perSampleWeights === null ? null : perSampleWeights.contiguousData();
  const counts = scaleGradByFreq ? indexCounts(index, numWeights) : null;
  for (let bag = 0; bag < bags; bag++) {
    const source = bag * dim;
    const bagScale = mode === 'mean' ? 1 / Math.max(sizes[bag]!, 1) : 1;
    for (let i = bound[bag]!; i < bound[bag + 1]!; i++) {
      const row = index[i]!;
      if (row === paddingIdx) continue;
      let scale = bagScale;
      if (sampleWeights !== null) scale *= sampleWeights[i]!;
      if (counts !== null) scale /= counts[row]!;
      const target = row * dim;
      for (let j = 0; j < dim; j++) result[target + j]! += gradient[source + j]! * scale;
    }
  }
  return Tensor.fromData(result, [numWeights, dim]);
}

/**
 * The per-sample weights' gradient [numIndices]: for each entry, the dot
 * product of its bag's gradient with its weight row (0 for padding entries).
 */
export function embeddingBagSampleWeightsBackwardKernel(
  gradOutput: Tensor, weight: Tensor, indices: Tensor, bounds: Tensor, paddingIdx: number,
): Tensor {
  const dim = gradOutput.shape[1]!;
  const bags = gradOutput.shape[0]!;
  const gradient = gradOutput.contiguousData();
  const index = indices.contiguousData();
  const bound = bounds.contiguousData();
  const table = weight.storage.data;
  const rowStride = weight.strides[0]!;
  const columnStride = weight.strides[1]!;
  const result = allocate(gradOutput.dtype, index.length);
  for (let bag = 0; bag < bags; bag++) {
    const source = bag * dim;
    for (let i = bound[bag]!; i < bound[bag + 1]!; i++) {
      const row = index[i]!;
      if (row === paddingIdx) continue;
      let dot = 0;
      for (let j = 0, at = weight.offset + row * rowStride; j < dim; j++, at += columnStride) dot += gradient[source + j]! * table[at]!;
      result[i] = dot;
    }
  }
  return Tensor.fromData(result, [index.length]);
}
