import { type DType, allocate, promoteTypes } from '../dtype.js';
import { ShapeError, formatShape } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import { getKernel, registerKernel } from '../registry.js';
import { normalizeDim } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { narrow, unsqueeze } from './views.js';

function catKernel(tensors: readonly Tensor[], dim: number, dtype: DType): Tensor {
  const first = tensors[0]!;
  const shape = [...first.shape];
  let total = 0;
  for (const part of tensors) total += part.shape[dim]!;
  shape[dim] = total;
  let inner = 1;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  let outer = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  const rowLength = total * inner;
  const data = allocate(dtype, outer * rowLength);
  let columnOffset = 0;
  for (const part of tensors) {
    const block = part.shape[dim]! * inner;
    if (block > 0) {
      const source = part.contiguousData();
      // `set` converts between typed-array kinds, which is exactly the promotion cast.
      for (let row = 0; row < outer; row++) {
        data.set(source.subarray(row * block, (row + 1) * block), row * rowLength + columnOffset);
      }
    }
    columnOffset += block;
  }
  return new Tensor(new Storage(data), shape);
}
registerKernel('cat', catKernel);

/**
 * Concatenates tensors along an existing dimension, like `torch.cat`. All
 * tensors must have the same number of dimensions and the same sizes except
 * at `dim`; the result has their promoted dtype. Differentiable.
 *
 * @throws RangeError when `tensors` is empty or `dim` is out of range.
 * @throws ShapeError when a tensor is 0-d or its shape doesn't match the first one's outside `dim`.
 * @example
 * ```ts
 * cat([zeros([2, 3]), ones([1, 3])]).shape; // [3, 3]
 * ```
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  for (let i = 0; i < tensors.length; i++) {
    if (tensors[i]!.ndim === 0) {
      throw new ShapeError(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    }
  }
  const d = normalizeDim(dim, first.ndim, 'cat');
  let dtype = first.dtype;
  for (let i = 1; i < tensors.length; i++) {
    const part = tensors[i]!;
    dtype = promoteTypes(dtype, part.dtype);
    if (part.ndim !== first.ndim) {
      throw new ShapeError(
        `cat: tensors must have the same number of dimensions: tensor 0 has shape ${formatShape(first.shape)}, tensor ${i} has shape ${formatShape(part.shape)}`,
      );
    }
    for (let axis = 0; axis < first.ndim; axis++) {
      if (axis !== d && part.shape[axis] !== first.shape[axis]) {
        throw new ShapeError(
          `cat: sizes of tensors must match except in dimension ${d}: tensor 0 has shape ${formatShape(first.shape)}, tensor ${i} has shape ${formatShape(part.shape)}`,
        );
      }
    }
  }
  const result = getKernel('cat')(tensors, d, dtype);
  recordOperation('cat', tensors, result, { dim: d, sizes: tensors.map((part) => part.shape[d]!) });
  return result;
}

/**
 * Stacks tensors of equal shape along a new dimension `dim` (in
 * `[-ndim-1, ndim]`), like `torch.stack`. Differentiable.
 *
 * @throws RangeError when `tensors` is empty or `dim` is out of range.
 * @throws ShapeError when the shapes differ.
 * @example
 * ```ts
 * stack([zeros([2, 3]), ones([2, 3])], 1).shape; // [2, 2, 3]
 * ```
 */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack: expected a non-empty list of tensors');
  const first = tensors[0]!;
  for (let i = 1; i < tensors.length; i++) {
    const shape = tensors[i]!.shape;
    if (shape.length !== first.ndim || shape.some((size, axis) => size !== first.shape[axis])) {
      throw new ShapeError(
        `stack: expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(shape)} at entry ${i}`,
      );
    }
  }
  const d = normalizeDim(dim, first.ndim + 1, 'stack');
  return cat(
    tensors.map((part) => unsqueeze(part, d)),
    d,
  );
}

/**
 * Splits a tensor into views along `dim`, like `torch.split`: with a number,
 * into pieces of that size (the last one may be smaller); with an array, into
 * pieces of those sizes (which must sum to the size of `dim`). The pieces
 * share `input`'s storage.
 *
 * @throws ShapeError for a 0-d input, or when the sizes don't sum to the dimension's size.
 * @throws RangeError for a negative or non-integer size, or a `dim` out of range.
 * @example
 * ```ts
 * split(arange(5), 2).map((piece) => piece.tolist()); // [[0, 1], [2, 3], [4]]
 * split(arange(5), [1, 4]).map((piece) => piece.shape); // [[1], [4]]
 * ```
 */
export function split(input: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  if (input.ndim === 0) throw new ShapeError('split: cannot split a 0-dim tensor (expected at least 1 dimension)');
  const d = normalizeDim(dim, input.ndim, 'split');
  const size = input.shape[d]!;
  if (typeof sizeOrSections === 'number') {
    const splitSize = sizeOrSections;
    if (!Number.isInteger(splitSize) || splitSize < 0) {
      throw new RangeError(`split: split size must be a non-negative integer, got ${splitSize}`);
    }
    if (splitSize === 0 && size !== 0) {
      throw new RangeError(`split: split size can only be 0 if the dimension size is 0, but dimension ${d} has size ${size}`);
    }
    const count = splitSize === 0 ? 1 : Math.max(1, Math.ceil(size / splitSize));
    const pieces: Tensor[] = [];
    for (let i = 0; i < count; i++) {
      const start = i * splitSize;
      pieces.push(narrow(input, d, start, Math.min(splitSize, size - start)));
    }
    return pieces;
  }
  let sum = 0;
  for (const section of sizeOrSections) {
    if (!Number.isInteger(section) || section < 0) {
      throw new RangeError(`split: split sizes must be non-negative integers, got ${formatShape(sizeOrSections)}`);
    }
    sum += section;
  }
  if (sum !== size) {
    throw new ShapeError(
      `split: split sizes ${formatShape(sizeOrSections)} must sum exactly to ${size} (the size of dimension ${d} of shape ${formatShape(input.shape)}), but they sum to ${sum}`,
    );
  }
  const pieces: Tensor[] = [];
  let start = 0;
  for (const section of sizeOrSections) {
    pieces.push(narrow(input, d, start, section));
    start += section;
  }
  return pieces;
}

/**
 * Splits a tensor into at most `chunks` views along `dim`, like
 * `torch.chunk`: each piece has `ceil(size / chunks)` elements along `dim`
 * (the last may be smaller), so fewer than `chunks` pieces may come back.
 * The pieces share `input`'s storage.
 *
 * @throws RangeError when `chunks` is not a positive integer or `dim` is out of range.
 * @throws ShapeError for a 0-d input.
 * @example
 * ```ts
 * chunk(arange(6), 4).map((piece) => piece.tolist()); // [[0, 1], [2, 3], [4, 5]]
 * ```
 */
export function chunk(input: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) {
    throw new RangeError(`chunk: number of chunks must be a positive integer, got ${chunks}`);
  }
  if (input.ndim === 0) throw new ShapeError('chunk: cannot chunk a 0-dim tensor (expected at least 1 dimension)');
  const d = normalizeDim(dim, input.ndim, 'chunk');
  const size = input.shape[d]!;
  // PyTorch returns `chunks` empty pieces for an empty dimension.
  if (size === 0) return split(input, new Array<number>(chunks).fill(0), d);
  return split(input, Math.ceil(size / chunks), d);
}
