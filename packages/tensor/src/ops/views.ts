import { ShapeError, formatShape } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import { contiguousStrides, numelOf, normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { contiguous } from './cast.js';

function makeView(input: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(input.storage, shape, strides, offset, input.base ?? input);
}

/**
 * Resolves a requested shape with at most one `-1` against `count` elements.
 * @throws ShapeError naming the op when the sizes don't multiply to `count`.
 */
export function inferShape(shape: readonly number[], count: number, op: string, inputShape: readonly number[]): number[] {
  let inferredIndex = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const size = shape[i]!;
    if (size === -1) {
      if (inferredIndex >= 0) throw new ShapeError(`${op}: only one dimension can be inferred, got ${formatShape(shape)}`);
      inferredIndex = i;
    } else if (!Number.isInteger(size) || size < 0) {
      throw new ShapeError(`${op}: invalid shape dimension ${size} in ${formatShape(shape)}`);
    } else {
      known *= size;
    }
  }
  const result = [...shape];
  if (inferredIndex >= 0) {
    if (known === 0 || count % known !== 0) {
      throw new ShapeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${count} (shape ${formatShape(inputShape)})`);
    }
    result[inferredIndex] = count / known;
  } else if (known !== count) {
    throw new ShapeError(`${op}: shape ${formatShape(shape)} is invalid for input of size ${count} (shape ${formatShape(inputShape)})`);
  }
  return result;
}

/**
 * Strides that let `input`'s elements be read as `shape` without a copy, or
 * `null` when no such strides exist (PyTorch's `computeStride`).
 */
function viewStrides(input: Tensor, shape: readonly number[]): number[] | null {
  const oldShape = input.shape;
  const oldStrides = input.strides;
  if (numelOf(oldShape) === 0) return shape.map(() => 1);
  if (oldShape.length === 0) return contiguousStrides(shape);
  const newStrides = new Array<number>(shape.length);
  let viewDim = shape.length - 1;
  let chunkBaseStride = oldStrides[oldStrides.length - 1] ?? 1;
  let tensorElements = 1;
  let viewElements = 1;
  for (let tensorDim = oldShape.length - 1; tensorDim >= 0; tensorDim--) {
    tensorElements *= oldShape[tensorDim]!;
    if (tensorDim === 0 || (oldShape[tensorDim - 1] !== 1 && oldStrides[tensorDim - 1] !== tensorElements * chunkBaseStride)) {
      while (viewDim >= 0 && (viewElements < tensorElements || shape[viewDim] === 1)) {
        newStrides[viewDim] = viewElements * chunkBaseStride;
        viewElements *= shape[viewDim]!;
        viewDim--;
      }
      if (viewElements !== tensorElements) return null;
      if (tensorDim > 0) {
        chunkBaseStride = oldStrides[tensorDim - 1]!;
        tensorElements = 1;
        viewElements = 1;
      }
    }
  }
  if (viewDim !== -1) return null;
  return newStrides;
}

/**
 * The same elements read as `shape` (one size may be `-1`), without a copy.
 * @throws ShapeError when the sizes don't match, or when the tensor's strides
 * make a view impossible (use `reshape`, which copies then).
 */
export function view(input: Tensor, shape: readonly number[]): Tensor {
  const resolved = inferShape(shape, input.numel(), 'view', input.shape);
  const strides = viewStrides(input, resolved);
  if (strides === null) {
    throw new ShapeError(
      `view: size ${formatShape(resolved)} is not compatible with the input's size ${formatShape(input.shape)} and strides ${formatShape(input.strides)} (at least one dimension spans across two contiguous subspaces); use reshape instead`,
    );
  }
  const result = makeView(input, resolved, strides, input.offset);
  recordOperation('reshape', [input], result, { inputShape: input.shape });
  return result;
}

/**
 * The same elements read as `shape` (one size may be `-1`), like
 * `torch.reshape`: a view when the strides allow one, else a copy.
 * @throws ShapeError when the sizes don't multiply to the number of elements.
 * @example
 * ```ts
 * reshape(arange(6), [2, -1]).shape; // [2, 3], a view of the same storage
 * ```
 */
export function reshape(input: Tensor, shape: readonly number[]): Tensor {
  const resolved = inferShape(shape, input.numel(), 'reshape', input.shape);
  const strides = viewStrides(input, resolved);
  if (strides !== null) {
    const result = makeView(input, resolved, strides, input.offset);
    recordOperation('reshape', [input], result, { inputShape: input.shape });
    return result;
  }
  return view(contiguous(input), resolved);
}

/**
 * Flattens dimensions `startDim..endDim` (inclusive) into one, like
 * `torch.flatten` (a view when possible, else a copy).
 * @throws RangeError when a dim is out of range or `startDim` comes after `endDim`.
 */
export function flatten(input: Tensor, startDim = 0, endDim = -1): Tensor {
  if (input.ndim === 0) return reshape(input, [1]);
  const start = normalizeDim(startDim, input.ndim, 'flatten');
  const end = normalizeDim(endDim, input.ndim, 'flatten');
  if (start > end) throw new RangeError(`flatten: startDim (${startDim}) cannot come after endDim (${endDim})`);
  const shape = [...input.shape.slice(0, start), numelOf(input.shape.slice(start, end + 1)), ...input.shape.slice(end + 1)];
  return reshape(input, shape);
}

/**
 * The dimensions reordered: dimension `i` of the result is dimension
 * `dims[i]` of the input, like `torch.permute`. A view.
 * @throws ShapeError when `dims` does not name every dimension once by count.
 * @throws RangeError when a dim is out of range or repeated.
 * @example
 * ```ts
 * permute(zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 * ```
 */
export function permute(input: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== input.ndim) {
    throw new ShapeError(`permute: number of dims don't match (input has ${input.ndim} dimensions, got ${dims.length} dims ${formatShape(dims)})`);
  }
  const resolved = dims.map((dim) => normalizeDim(dim, input.ndim, 'permute'));
  if (new Set(resolved).size !== resolved.length) throw new RangeError(`permute: repeated dim in ${formatShape(dims)}`);
  const result = makeView(
    input,
    resolved.map((dim) => input.shape[dim]!),
    resolved.map((dim) => input.strides[dim]!),
    input.offset,
  );
  recordOperation('permute', [input], result, { dims: resolved });
  return result;
}

/**
 * Swaps two dimensions, like `torch.transpose`. A view.
 * @throws RangeError when a dim is out of range.
 */
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor {
  const order = input.shape.map((_, i) => i);
  if (input.ndim === 0) return permute(input, []);
  const a = normalizeDim(dim0, input.ndim, 'transpose');
  const b = normalizeDim(dim1, input.ndim, 'transpose');
  order[a] = b;
  order[b] = a;
  return permute(input, order);
}

/**
 * The transpose of a matrix (a 0-d or 1-d tensor is returned as is), like `torch.t`. A view.
 * @throws ShapeError for a tensor of more than 2 dimensions.
 */
export function t(input: Tensor): Tensor {
  if (input.ndim > 2) throw new ShapeError(`t: expects a tensor with <= 2 dimensions, but got shape ${formatShape(input.shape)}`);
  return input.ndim < 2 ? permute(input, input.shape.map((_, i) => i)) : transpose(input, 0, 1);
}

/**
 * Removes size-1 dimensions (all of them, or the given ones; a given
 * dimension of another size is kept), like `torch.squeeze`. A view.
 * @throws RangeError when a dim is out of range.
 */
export function squeeze(input: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? input.shape.map((_, i) => i)
      : (typeof dim === 'number' ? [dim] : dim).map((d) => normalizeDim(d, input.ndim, 'squeeze'));
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < input.ndim; i++) {
    if (input.shape[i] === 1 && dims.includes(i)) continue;
    shape.push(input.shape[i]!);
    strides.push(input.strides[i]!);
  }
  const result = makeView(input, shape, strides, input.offset);
  recordOperation('reshape', [input], result, { inputShape: input.shape });
  return result;
}

/**
 * Inserts a size-1 dimension at `dim` (in `[-ndim-1, ndim]`), like `torch.unsqueeze`. A view.
 * @throws RangeError when `dim` is out of range.
 */
export function unsqueeze(input: Tensor, dim: number): Tensor {
  const position = normalizeDim(dim, input.ndim + 1, 'unsqueeze');
  const shape = [...input.shape];
  const strides = [...input.strides];
  const stride = position < input.ndim ? input.shape[position]! * input.strides[position]! : 1;
  shape.splice(position, 0, 1);
  strides.splice(position, 0, stride);
  const result = makeView(input, shape, strides, input.offset);
  recordOperation('reshape', [input], result, { inputShape: input.shape });
  return result;
}

/**
 * Broadcasts size-1 dimensions to `shape` (`-1` keeps a size; new leading
 * dimensions may be added), like `torch.Tensor.expand`. A view with stride 0
 * on the expanded dimensions.
 * @throws ShapeError when `shape` has fewer dimensions than the input, holds
 * an invalid size, or asks to change a size that is not 1.
 * @example
 * ```ts
 * expand(tensor([[1], [2]]), [2, 3]); // [[1, 1, 1], [2, 2, 2]], no copy
 * ```
 */
export function expand(input: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < input.ndim) {
    throw new ShapeError(
      `expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${input.ndim})`,
    );
  }
  const lead = shape.length - input.ndim;
  const resultShape = new Array<number>(shape.length);
  const strides = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const requested = shape[i]!;
    if (!Number.isInteger(requested) || requested < -1) {
      throw new ShapeError(`expand: invalid size ${requested} at dimension ${i} of ${formatShape(shape)} (expected a non-negative integer, or -1 to keep a size)`);
    }
    if (i < lead) {
      if (requested < 0) throw new ShapeError(`expand: the expanded size ${requested} is not allowed in a leading, non-existing dimension ${i}`);
      resultShape[i] = requested;
      strides[i] = 0;
      continue;
    }
    const size = input.shape[i - lead]!;
    const target = requested === -1 ? size : requested;
    if (size !== target && size !== 1) {
      throw new ShapeError(
        `expand: the expanded size of the tensor (${target}) must match the existing size (${size}) at non-singleton dimension ${i}; target sizes ${formatShape(shape)}, tensor sizes ${formatShape(input.shape)}`,
      );
    }
    resultShape[i] = target;
    strides[i] = size === target ? input.strides[i - lead]! : 0;
  }
  const result = makeView(input, resultShape, strides, input.offset);
  recordOperation('expand', [input], result, { inputShape: input.shape });
  return result;
}

/**
 * `length` elements of dimension `dim` starting at `start` (negative counts
 * from the end), like `torch.narrow`. A view.
 * @throws ShapeError for a 0-d tensor.
 * @throws RangeError when `dim`, `start` or `start + length` is out of range.
 */
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor {
  if (input.ndim === 0) throw new ShapeError('narrow: cannot be applied to a 0-dim tensor');
  const d = normalizeDim(dim, input.ndim, 'narrow');
  const size = input.shape[d]!;
  const begin = start < 0 ? start + size : start;
  if (!Number.isInteger(begin) || begin < 0 || begin > size) {
    throw new RangeError(`narrow: start (${start}) is out of range for dimension ${dim} of size ${size}`);
  }
  if (!Number.isInteger(length) || length < 0 || begin + length > size) {
    throw new RangeError(`narrow: start (${start}) + length (${length}) exceeds dimension ${dim} of size ${size}`);
  }
  return slice(input, d, begin, begin + length, 1);
}

/**
 * Elements `start, start + step, ...` below `end` along `dim`, like Python's
 * `x[..., start:end:step]` (negative `start`/`end` count from the end and are
 * clamped like Python's). A view.
 * @throws ShapeError for a 0-d tensor.
 * @throws RangeError when `dim` is out of range or `step` is not a positive integer.
 * @example
 * ```ts
 * slice(arange(10), 0, 1, 8, 3); // [1, 4, 7], a view with stride 3
 * ```
 */
export function slice(input: Tensor, dim: number, start = 0, end = Number.POSITIVE_INFINITY, step = 1): Tensor {
  if (input.ndim === 0) throw new ShapeError('slice: cannot be applied to a 0-dim tensor');
  const d = normalizeDim(dim, input.ndim, 'slice');
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice: step must be a positive integer, got ${step}`);
  const size = input.shape[d]!;
  const clampIndex = (index: number): number => Math.min(Math.max(index < 0 ? index + size : index, 0), size);
  const begin = clampIndex(start);
  const stop = Math.max(clampIndex(end), begin);
  const length = Math.ceil((stop - begin) / step);
  const shape = [...input.shape];
  const strides = [...input.strides];
  shape[d] = length;
  strides[d] = input.strides[d]! * step;
  const result = makeView(input, shape, strides, input.offset + begin * input.strides[d]!);
  recordOperation('slice', [input], result, { inputShape: input.shape, dim: d, start: begin, step });
  return result;
}

/**
 * The slice at `index` of dimension `dim` (negative counts from the end),
 * with that dimension removed, like `torch.select`. A view.
 * @throws ShapeError for a 0-d tensor.
 * @throws RangeError when `dim` or `index` is out of range.
 */
export function select(input: Tensor, dim: number, index: number): Tensor {
  if (input.ndim === 0) throw new ShapeError('select: cannot be applied to a 0-dim tensor');
  const d = normalizeDim(dim, input.ndim, 'select');
  const size = input.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new RangeError(`select: index ${index} is out of range for dimension ${dim} with size ${size}`);
  }
  const position = index < 0 ? index + size : index;
  const shape = [...input.shape];
  const strides = [...input.strides];
  shape.splice(d, 1);
  strides.splice(d, 1);
  const result = makeView(input, shape, strides, input.offset + position * input.strides[d]!);
  recordOperation('select', [input], result, { inputShape: input.shape, dim: d, index: position });
  return result;
}

/**
 * Expands `input` to `other`'s shape, like `torch.Tensor.expand_as`. A view.
 * @throws ShapeError as {@link expand}.
 */
export function expandAs(input: Tensor, other: Tensor): Tensor {
  return expand(input, other.shape);
}
