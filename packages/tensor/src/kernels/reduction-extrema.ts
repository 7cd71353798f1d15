import { type TypedArray, allocate } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { type ReductionLayout, reductionLayout } from './reduction-layout.js';

/**
 * Writes the maximum (or minimum) of each output's elements into `values`
 * and, when `indices` is given, the position `r` along the reduced elements
 * where it was found. Like PyTorch: a NaN wins (the result is NaN and its
 * index is the first NaN's) and ties keep the first index. `layout.reduced`
 * must be positive.
 */
export function extremumInto(
  layout: ReductionLayout,
  values: TypedArray,
  indices: Int32Array | null,
  isMax: boolean,
): void {
  const { data, outer, reduced, inner } = layout;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const start = o * reduced;
      const end = start + reduced;
      let best = data[start]!;
      let position = start;
      // best === best: once a NaN is found nothing can replace it.
      if (isMax) {
        for (let p = start + 1; p < end && best === best; p++) {
          const value = data[p]!;
          if (value > best || value !== value) {
            best = value;
            position = p;
          }
        }
      } else {
        for (let p = start + 1; p < end && best === best; p++) {
          const value = data[p]!;
          if (value < best || value !== value) {
            best = value;
            position = p;
          }
        }
      }
      values[o] = best;
      if (indices !== null) indices[o] = position - start;
    }
    return;
  }
  const best = new Float64Array(inner);
  const where = new Int32Array(inner);
  for (let o = 0; o < outer; o++) {
    const block = o * reduced * inner;
    for (let i = 0; i < inner; i++) best[i] = data[block + i]!;
    where.fill(0);
    for (let r = 1; r < reduced; r++) {
      const row = block + r * inner;
      if (isMax) {
        for (let i = 0; i < inner; i++) {
          const value = data[row + i]!;
          const current = best[i]!;
          if (value > current || (value !== value && current === current)) {
            best[i] = value;
            where[i] = r;
          }
        }
      } else {
        for (let i = 0; i < inner; i++) {
          const value = data[row + i]!;
          const current = best[i]!;
          if (value < current || (value !== value && current === current)) {
            best[i] = value;
            where[i] = r;
          }
        }
      }
    }
    const base = o * inner;
    for (let i = 0; i < inner; i++) values[base + i] = best[i]!;
    if (indices !== null) indices.set(where, base);
  }
}

function extremum(input: Tensor, dims: readonly number[], keepdim: boolean, isMax: boolean): Tensor {
  const layout = reductionLayout(input, dims, keepdim);
  const values = allocate(input.dtype, layout.outer * layout.inner);
  if (layout.outer * layout.inner > 0) extremumInto(layout, values, null, isMax);
  return Tensor.fromData(values, layout.outputShape);
}

function extremumWithIndices(
  input: Tensor,
  dims: readonly number[],
  keepdim: boolean,
  isMax: boolean,
): { values: Tensor; indices: Tensor } {
  const layout = reductionLayout(input, dims, keepdim);
  const count = layout.outer * layout.inner;
  const values = allocate(input.dtype, count);
  const indices = new Int32Array(count);
  if (count > 0) extremumInto(layout, values, indices, isMax);
  return { values: Tensor.fromData(values, layout.outputShape), indices: Tensor.fromData(indices, layout.outputShape) };
}

function allDims(input: Tensor): number[] {
  return input.shape.map((_, d) => d);
}

/** The largest element over `dims` (NaN if any is NaN); the dtype is kept. The reduced dims must be non-empty. */
export function amaxKernel(input: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  return extremum(input, dims, keepdim, true);
}

/** The smallest element over `dims` (NaN if any is NaN); the dtype is kept. The reduced dims must be non-empty. */
export function aminKernel(input: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  return extremum(input, dims, keepdim, false);
}

/** The largest of all elements, a 0-d tensor of the input's dtype. The input must be non-empty. */
export function maxKernel(input: Tensor): Tensor {
  return extremum(input, allDims(input), false, true);
}

/** The smallest of all elements, a 0-d tensor of the input's dtype. The input must be non-empty. */
export function minKernel(input: Tensor): Tensor {
  return extremum(input, allDims(input), false, false);
}

/** The maxima along `dim` and their int32 positions (the first on ties, the first NaN if any). */
export function maxWithIndicesKernel(input: Tensor, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  return extremumWithIndices(input, input.ndim === 0 ? [] : [dim], keepdim, true);
}

/** The minima along `dim` and their int32 positions (the first on ties, the first NaN if any). */
export function minWithIndicesKernel(input: Tensor, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  return extremumWithIndices(input, input.ndim === 0 ? [] : [dim], keepdim, false);
}

/** The int32 position of the maximum along `dim`, or in the row-major flattening when `dim` is `null`. */
export function argmaxKernel(input: Tensor, dim: number | null, keepdim: boolean): Tensor {
  const dims = dim === null ? allDims(input) : input.ndim === 0 ? [] : [dim];
  return extremumWithIndices(input, dims, keepdim, true).indices;
}

/** The int32 position of the minimum along `dim`, or in the row-major flattening when `dim` is `null`. */
export function argminKernel(input: Tensor, dim: number | null, keepdim: boolean): Tensor {
  const dims = dim === null ? allDims(input) : input.ndim === 0 ? [] : [dim];
  return extremumWithIndices(input, dims, keepdim, false).indices;
}
