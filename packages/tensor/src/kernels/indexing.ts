import { type TypedArray, allocate } from '../dtype.js';
import { contiguousStrides } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { copyStrided } from './strided.js';

// The CPU kernels of the index ops. They trust their inputs: the ops in
// ops/indexing.ts check shapes, dtypes and index ranges before calling them.

/** A 0-d tensor is walked as a 1-d tensor of one element (PyTorch's `ensure_nonempty_dim`). */
function atLeast1d(values: readonly number[], fill: number): readonly number[] {
  return values.length === 0 ? [fill] : values;
}

/**
 * The storage position where each innermost row starts when `shape` is
 * walked in row-major order with `strides` from `offset`. The kernels then
 * run a tight loop along each row.
 */
function rowStarts(shape: readonly number[], strides: readonly number[], offset: number): Float64Array {
  const rank = shape.length;
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= shape[d]!;
  if (shape[rank - 1] === 0) rows = 0;
  const starts = new Float64Array(rows);
  const counter = new Array<number>(rank).fill(0);
  let position = offset;
  for (let row = 0; row < rows; row++) {
    starts[row] = position;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]!++;
      position += strides[d]!;
      if (counter[d]! < shape[d]!) break;
      position -= strides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
  return starts;
}

/** Strides of `tensor` with the step along `dim` removed: the position of a row, whatever its index along `dim`. */
function stridesWithout(tensor: Tensor, dim: number): number[] {
  const strides = [...atLeast1d(tensor.strides, 0)];
  strides[dim] = 0;
  return strides;
}

/** A row-major copy of `input` that the scatter kernels write into. */
function contiguousCopy(input: Tensor): TypedArray {
  const data = allocate(input.dtype, input.numel());
  copyStrided(input.storage.data, input.offset, input.shape, input.strides, data, 0);
  return data;
}

/** `out[i][j] = input[index[i][j]][j]` (for `dim` 0), with `out` shaped like `index`. */
export function gatherKernel(input: Tensor, dim: number, index: Tensor): Tensor {
  const shape = atLeast1d(index.shape, 1);
  const rank = shape.length;
  const out = allocate(input.dtype, index.numel());
  const indices = index.contiguousData();
  const source = input.storage.data;
  const walkStrides = stridesWithout(input, dim);
  const dimStride = atLeast1d(input.strides, 0)[dim]!;
  const inner = shape[rank - 1]!;
  const innerStride = walkStrides[rank - 1]!;
  const starts = rowStarts(shape, walkStrides, input.offset);
  for (let row = 0, k = 0; row < starts.length; row++) {
    const start = starts[row]!;
    for (let i = 0; i < inner; i++, k++) out[k] = source[start + i * innerStride + indices[k]! * dimStride]!;
  }
  return new Tensor(new Storage(out), index.shape);
}

/**
 * A copy of `input` with `source`'s elements (or the number `source`)
 * written, or added when `accumulate` is set, at the positions `index` names
 * along `dim`.
 */
function scatterInto(input: Tensor, dim: number, index: Tensor, source: Tensor | number, accumulate: boolean): Tensor {
  const out = contiguousCopy(input);
  const shape = atLeast1d(index.shape, 1);
  const rank = shape.length;
  const indices = index.contiguousData();
  const outStrides = contiguousStrides(atLeast1d(input.shape, 1));
  const dimStride = outStrides[dim]!;
  outStrides[dim] = 0;
  const inner = shape[rank - 1]!;
  const outInnerStride = outStrides[rank - 1]!;
  const outStarts = rowStarts(shape, outStrides, 0);
  if (typeof source === 'number') {
    for (let row = 0, k = 0; row < outStarts.length; row++) {
      const start = outStarts[row]!;
      for (let i = 0; i < inner; i++, k++) out[start + i * outInnerStride + indices[k]! * dimStride] = source;
    }
  } else {
    const sourceData = source.storage.data;
    const sourceStrides = atLeast1d(source.strides, 0);
    const sourceInnerStride = sourceStrides[rank - 1]!;
    const sourceStarts = rowStarts(shape, sourceStrides, source.offset);
    for (let row = 0, k = 0; row < outStarts.length; row++) {
      const start = outStarts[row]!;
      const sourceStart = sourceStarts[row]!;
      if (accumulate) {
        for (let i = 0; i < inner; i++, k++) {
          out[start + i * outInnerStride + indices[k]! * dimStride]! += sourceData[sourceStart + i * sourceInnerStride]!;
        }
      } else {
        for (let i = 0; i < inner; i++, k++) {
          out[start + i * outInnerStride + indices[k]! * dimStride] = sourceData[sourceStart + i * sourceInnerStride]!;
        }
      }
    }
  }
  return new Tensor(new Storage(out), input.shape);
}

/** `out = input.clone(); out[index[i][j]][j] = source[i][j]` (for `dim` 0); `source` may be a number. */
export function scatterKernel(input: Tensor, dim: number, index: Tensor, source: Tensor | number): Tensor {
  return scatterInto(input, dim, index, source, false);
}

/** `out = input.clone(); out[index[i][j]][j] += source[i][j]` (for `dim` 0). */
export function scatterAddKernel(input: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  return scatterInto(input, dim, index, source, true);
}

/** The slices of `input` at positions `index` (1-d or 0-d) along `dim`, in that order. */
export function indexSelectKernel(input: Tensor, dim: number, index: Tensor): Tensor {
  const inputShape = atLeast1d(input.shape, 1);
  const count = index.numel();
  let outer = 1;
  for (let d = 0; d < dim; d++) outer *= inputShape[d]!;
  let inner = 1;
  for (let d = dim + 1; d < inputShape.length; d++) inner *= inputShape[d]!;
  const size = inputShape[dim]!;
  const source = input.contiguousData();
  const indices = index.contiguousData();
  const out = allocate(input.dtype, outer * count * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const from = (o * size + indices[j]!) * inner;
      out.set(source.subarray(from, from + inner), (o * count + j) * inner);
    }
  }
  const shape = [...input.shape];
  if (shape.length > 0) shape[dim] = count;
  return new Tensor(new Storage(out), shape);
}

/** A row-major copy of `input` with `value` where `mask` (a bool tensor of the same shape) is true. */
export function maskedFillKernel(input: Tensor, mask: Tensor, value: number): Tensor {
  const out = contiguousCopy(input);
  const flags = mask.contiguousData();
  const fill = input.dtype === 'bool' ? (value !== 0 ? 1 : 0) : value;
  for (let i = 0; i < out.length; i++) if (flags[i] !== 0) out[i] = fill;
  return new Tensor(new Storage(out), input.shape);
}
