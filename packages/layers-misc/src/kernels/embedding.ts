import { Tensor, type TypedArray, allocate } from '@strata/tensor';
import { allocateForOverwrite } from '@strata/tensor/backend';

// Embedding lookups and their gradient: row copies and row scatter-adds over
// the weight table. Indices are int32 and already checked to lie in
// [0, numEmbeddings); `paddingIdx` is -1 for none.

/** The rows of `weight` [V, D] at `indices` (any shape) → [...indices.shape, D]. */
export function embeddingKernel(weight: Tensor, indices: Tensor): Tensor {
  const dim = weight.shape[1]!;
  const index = indices.contiguousData();
  const count = index.length;
  // Every element is written below: no zero fill first.
  const output = allocateForOverwrite(weight.dtype, count * dim);
  const table = weight.storage.data;
  const rowStride = weight.strides[0]!;
  const columnStride = weight.strides[1]!;
  if (columnStride === 1) {
    for (let i = 0, target = 0; i < count; i++, target += dim) {
      const start = weight.offset + index[i]! * rowStride;
      output.set(table.subarray(start, start + dim), target);
    }
  } else {
    for (let i = 0, target = 0; i < count; i++, target += dim) {
      let position = weight.offset + index[i]! * rowStride;
      for (let j = 0; j < dim; j++, position += columnStride) output[target + j] = table[position]!;
    }
  }
  return Tensor.fromData(output, [...indices.shape, dim]);
}

/** How often each row index occurs in `index` (PyTorch's `scale_grad_by_freq` counts). */
export function indexCounts(index: TypedArray, numWeights: number): Int32Array {
  const counts = new Int32Array(numWeights);
  for (let i = 0; i < index.length; i++) counts[index[i]!]!++;
  return counts;
}

/**
 * The weight's gradient [numWeights, D]: each row of `gradOutput`
 * [...indices.shape, D] added into the row its index names, except the
 * padding row; divided by the index's count with `scaleGradByFreq`. A
 * scatter-add of rows: the cost follows the number of indices, not the table.
 */
export function embeddingBackwardKernel(
  gradOutput: Tensor, indices: Tensor, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean,
): Tensor {
  const index = indices.contiguousData();
  const count = index.length;
  const dim = gradOutput.shape[gradOutput.ndim - 1]!;
  const gradient = gradOutput.contiguousData();
  if (scaleGradByFreq) {
    const result = allocate(gradOutput.dtype, numWeights * dim);
    scatterAddScaledRows(result, gradient, index, count, dim, paddingIdx, indexCounts(index, numWeights));
    return Tensor.fromData(result, [numWeights, dim]);
  }
  // The table is written whole below (each row by its first index, or zeros), so it is not zero-filled
  // first: a zero fill and then a read of every target row would double the traffic through the table.
  const result = allocateForOverwrite(gradOutput.dtype, numWeights * dim);
  const written = new Uint8Array(numWeights);
  scatterRowsIntoTable(result, gradient, index, count, dim, paddingIdx, written);
  zeroUnwrittenRows(result, dim, written);
  return Tensor.fromData(result, [numWeights, dim]);
}

// The scatter-adds live in functions of typed arrays and numbers only, so V8
// compiles each loop once; four columns a step keep the adds independent.

/**
 * `result[index[i]] += gradient[i]` row by row (rows of `dim`) into a table
 * of zeros, skipping `paddingIdx`, without reading the zeros: a row's first
 * index stores `gradient + 0` (the sum with the zero it replaces, so −0
 * becomes +0 as before), later ones add, in index order as always. Marks
 * the rows it writes in `written`.
 */
function scatterRowsIntoTable(
  result: TypedArray, gradient: TypedArray, index: TypedArray, count: number, dim: number, paddingIdx: number, written: Uint8Array,
): void {
  const wide = dim - (dim % 4);
  for (let i = 0, source = 0; i < count; i++, source += dim) {
    const row = index[i]!;
    if (row === paddingIdx) continue;
    const target = row * dim;
    let j = 0;
    if (written[row] === 0) {
      written[row] = 1;
      for (; j < dim; j++) result[target + j] = gradient[source + j]! + 0;
      continue;
    }
    for (; j < wide; j += 4) {
      const t = target + j;
      const s = source + j;
      const a0 = result[t]! + gradient[s]!;
      const a1 = result[t + 1]! + gradient[s + 1]!;
      const a2 = result[t + 2]! + gradient[s + 2]!;
      const a3 = result[t + 3]! + gradient[s + 3]!;
      result[t] = a0;
      result[t + 1] = a1;
      result[t + 2] = a2;
      result[t + 3] = a3;
    }
    for (; j < dim; j++) result[target + j]! += gradient[source + j]!;
  }
}

/** Zeros the rows of `result` (rows of `dim`) not marked in `written`, a run of consecutive rows at a time. */
function zeroUnwrittenRows(result: TypedArray, dim: number, written: Uint8Array): void {
  const rows = written.length;
  let row = 0;
  while (row < rows) {
    if (written[row] !== 0) {
      row++;
      continue;
    }
    const start = row;
    while (row < rows && written[row] === 0) row++;
    result.fill(0, start * dim, row * dim);
  }
}

/** {@link scatterRowsIntoTable} with each row divided by its index's count (`scaleGradByFreq`). */
function scatterAddScaledRows(
  result: TypedArray, gradient: TypedArray, index: TypedArray, count: number, dim: number, paddingIdx: number, counts: Int32Array,
): void {
  for (let i = 0, source = 0; i < count; i++, source += dim) {
    const row = index[i]!;
    if (row === paddingIdx) continue;
    const target = row * dim;
    const scale = 1 / counts[row]!;
    for (let j = 0; j < dim; j++) result[target + j]! += gradient[source + j]! * scale;
  }
}

/**
 * For each index of `gradOutput`'s rows, the factor its gradient row got in
 * `embeddingBackwardKernel` (0 for the padding row, 1 / count with
 * `scaleGradByFreq`, else 1), shaped [...indices.shape, 1]: the double
 * backward multiplies the looked-up rows by it.
 */
export function embeddingRowFactorsKernel(
  indices: Tensor, numWeights: number, paddingIdx: number, scaleGradByFreq: boolean, dtype: 'float32' | 'float64',
): Tensor {
  const index = indices.contiguousData();
  const factors = allocate(dtype, index.length);
  const counts = scaleGradByFreq ? indexCounts(index, numWeights) : null;
  for (let i = 0; i < index.length; i++) {
    const row = index[i]!;
    factors[i] = row === paddingIdx ? 0 : counts === null ? 1 : 1 / counts[row]!;
  }
  return Tensor.fromData(factors, [...indices.shape, 1]);
}

/** The p-norm of `count` elements of `data` from `start` by `stride`, accumulated in float64. */
function rowNorm(data: TypedArray, start: number, count: number, stride: number, p: number): number {
  let accumulator = 0;
  if (p === Number.POSITIVE_INFINITY) {
    for (let j = 0, at = start; j < count; j++, at += stride) accumulator = Math.max(accumulator, Math.abs(data[at]!));
    return accumulator;
  }
  if (p === Number.NEGATIVE_INFINITY) {
    accumulator = count === 0 ? 0 : Number.POSITIVE_INFINITY;
    for (let j = 0, at = start; j < count; j++, at += stride) accumulator = Math.min(accumulator, Math.abs(data[at]!));
    return accumulator;
  }
  if (p === 0) {
    for (let j = 0, at = start; j < count; j++, at += stride) if (data[at] !== 0) accumulator++;
    return accumulator;
  }
  if (p === 2) {
    for (let j = 0, at = start; j < count; j++, at += stride) accumulator += data[at]! * data[at]!;
    return Math.sqrt(accumulator);
  }
  if (p === 1) {
    for (let j = 0, at = start; j < count; j++, at += stride) accumulator += Math.abs(data[at]!);
    return accumulator;
  }
  for (let j = 0, at = start; j < count; j++, at += stride) accumulator += Math.abs(data[at]!) ** p;
  return accumulator ** (1 / p);
}

/**
 * PyTorch's `embedding_renorm_`: every distinct row of `weight` named in
 * `indices` whose `normType`-norm exceeds `maxNorm` is scaled in place by
 * maxNorm / (norm + 1e-7). Returns the number of rows scaled (the caller
 * bumps the storage version when it is not zero).
 */
export function embeddingRenormKernel(weight: Tensor, indices: Tensor, maxNorm: number, normType: number): number {
  const sorted = Int32Array.from(indices.contiguousData()).sort();
  const data = weight.storage.data;
  const dim = weight.shape[1]!;
  const rowStride = weight.strides[0]!;
  const columnStride = weight.strides[1]!;
  const float32 = weight.dtype === 'float32';
  let scaled = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    const start = weight.offset + sorted[i]! * rowStride;
    const norm = rowNorm(data, start, dim, columnStride, normType);
    if (norm > maxNorm) {
      // ATen multiplies by the scale as a scalar of the tensor's own precision.
      const scale = float32 ? Math.fround(maxNorm / (norm + 1e-7)) : maxNorm / (norm + 1e-7);
      for (let j = 0, at = start; j < dim; j++, at += columnStride) data[at] = data[at]! * scale;
      scaled++;
    }
  }
  return scaled;
}
