import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import {
  gatherKernel,
  indexSelectKernel,
  maskedFillKernel,
  scatterAddKernel,
  scatterKernel,
} from '../kernels/indexing.js';
import { getKernel, registerKernel } from '../registry.js';
import { broadcastShapes, contiguousStrides, normalizeDim, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { select, slice } from './views.js';
import { describeKind } from '../checks.js';

registerKernel('gather', gatherKernel);
registerKernel('scatter', scatterKernel);
registerKernel('scatterAdd', scatterAddKernel);
registerKernel('indexSelect', indexSelectKernel);
registerKernel('maskedFill', maskedFillKernel);

/** @throws DTypeError unless `index` is an int32 tensor. */
export function checkIndexDType(index: Tensor, op: string): void {
  if (index.dtype !== 'int32') throw new DTypeError(`${op}: expected index to have dtype int32, got ${index.dtype}`);
}

/**
 * Checks every index lies in `[0, size)`, before the op writes anything.
 * @throws RangeError naming the op, the first bad index and the size.
 */
export function checkIndexRange(index: Tensor, size: number, dim: number, op: string): void {
  const indices = index.contiguousData();
  for (let i = 0; i < indices.length; i++) {
    const value = indices[i]!;
    if (value < 0 || value >= size) {
      throw new RangeError(`${op}: index ${value} is out of bounds for dimension ${dim} with size ${size}`);
    }
  }
}

/** The size of `dim`, where a 0-d tensor counts as one element. */
function sizeAt(tensor: Tensor, dim: number): number {
  return tensor.ndim === 0 ? 1 : tensor.shape[dim]!;
}

/**
 * PyTorch's `gather`/`scatter` shape rule: `index` has as many dimensions as
 * `input` (0-d counts as 1-d) and is no larger than `input` except at `dim`
 * (and no larger than `source`, when given, at any dimension).
 */
function checkIndexShape(op: string, input: Tensor, dim: number, index: Tensor, source: Tensor | null): void {
  const rank = Math.max(input.ndim, 1);
  if (Math.max(index.ndim, 1) !== rank) {
    throw new ShapeError(
      `${op}: index must have the same number of dimensions as input, got index shape ${formatShape(index.shape)} and input shape ${formatShape(input.shape)}`,
    );
  }
  if (source !== null && Math.max(source.ndim, 1) !== rank) {
    throw new ShapeError(
      `${op}: src must have the same number of dimensions as input, got src shape ${formatShape(source.shape)} and input shape ${formatShape(input.shape)}`,
    );
  }
  for (let d = 0; d < rank; d++) {
    const size = sizeAt(index, d);
    if (d !== dim && size > sizeAt(input, d)) {
      throw new ShapeError(
        `${op}: index shape ${formatShape(index.shape)} is larger than input shape ${formatShape(input.shape)} at dimension ${d} (only dimension ${dim} may be larger)`,
      );
    }
    if (source !== null && size > sizeAt(source, d)) {
      throw new ShapeError(
        `${op}: index shape ${formatShape(index.shape)} is larger than src shape ${formatShape(source.shape)} at dimension ${d}`,
      );
    }
  }
}

/**
 * Gathers values along `dim` at the positions `index` holds, like
 * `torch.gather`: for a 3-d input, `out[i][j][k] = input[index[i][j][k]][j][k]`
 * when `dim` is 0 (and likewise for the other dims). The result has
 * `index`'s shape. Differentiable with respect to `input`.
 *
 * @throws DTypeError when `index` is not int32.
 * @throws ShapeError when `index` has another number of dimensions, or is larger than `input` outside `dim`.
 * @throws RangeError when an index is outside `[0, input.shape[dim])` or `dim` is out of range.
 * @example
 * ```ts
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]], { dtype: 'int32' })).tolist(); // [[1, 1], [4, 3]]
 * ```
 */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, input.ndim, 'gather');
  checkIndexDType(index, 'gather');
  checkIndexShape('gather', input, d, index, null);
  checkIndexRange(index, sizeAt(input, d), d, 'gather');
  const result = getKernel('gather')(input, d, index);
  recordOperation('gather', [input], result, { dim: d, index, inputShape: input.shape });
  return result;
}

function checkSourceDType(op: string, input: Tensor, source: Tensor): void {
  if (source.dtype !== input.dtype) {
    throw new DTypeError(`${op}: expected src to have the same dtype as input (${input.dtype}), got ${source.dtype}`);
  }
}

/**
 * A copy of `input` with the values of `source` written at the positions
 * `index` holds along `dim`, like `torch.scatter`: for a 2-d input and `dim`
 * 0, `out[index[i][j]][j] = source[i][j]`. `source` may be a number, written
 * at every indexed position. When an index repeats, one of its values wins
 * (the last one here). Differentiable.
 *
 * @throws DTypeError when `index` is not int32, or `source` has another dtype than `input`.
 * @throws ShapeError when the shapes break `torch.scatter`'s rule.
 * @throws RangeError when an index is outside `[0, input.shape[dim])` or `dim` is out of range.
 */
export function scatter(input: Tensor, dim: number, index: Tensor, source: Tensor | number): Tensor {
  const d = normalizeDim(dim, input.ndim, 'scatter');
  checkIndexDType(index, 'scatter');
  if (source instanceof Tensor) checkSourceDType('scatter', input, source);
  checkIndexShape('scatter', input, d, index, source instanceof Tensor ? source : null);
  checkIndexRange(index, sizeAt(input, d), d, 'scatter');
  const result = getKernel('scatter')(input, d, index, source);
  const sourceTensor = source instanceof Tensor ? source : null;
  recordOperation('scatter', sourceTensor === null ? [input] : [input, sourceTensor], result, {
    dim: d,
    index,
    sourceShape: sourceTensor === null ? null : sourceTensor.shape,
  });
  return result;
}

/**
 * A copy of `input` with the values of `source` added at the positions
 * `index` holds along `dim`, like `torch.scatter_add`: for a 2-d input and
 * `dim` 0, `out[index[i][j]][j] += source[i][j]`; repeated indices
 * accumulate. Differentiable.
 *
 * @throws DTypeError when `index` is not int32, or `source` has another dtype than `input`.
 * @throws ShapeError when the shapes break `torch.scatter_add`'s rule.
 * @throws RangeError when an index is outside `[0, input.shape[dim])` or `dim` is out of range.
 * @example
 * ```ts
 * scatterAdd(zeros([3]), 0, tensor([0, 2, 0], { dtype: 'int32' }), tensor([1, 2, 3])).tolist(); // [4, 0, 2]
 * ```
 */
export function scatterAdd(input: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  const d = normalizeDim(dim, input.ndim, 'scatterAdd');
  checkIndexDType(index, 'scatterAdd');
  checkSourceDType('scatterAdd', input, source);
  checkIndexShape('scatterAdd', input, d, index, source);
  checkIndexRange(index, sizeAt(input, d), d, 'scatterAdd');
  const result = getKernel('scatterAdd')(input, d, index, source);
  recordOperation('scatterAdd', [input, source], result, { dim: d, index, sourceShape: source.shape });
  return result;
}

/**
 * The slices of `input` along `dim` at the positions of the 1-d `index`, in
 * that order, like `torch.index_select`. Differentiable with respect to `input`.
 *
 * @throws DTypeError when `index` is not int32.
 * @throws ShapeError when `index` has more than one dimension.
 * @throws RangeError when an index is outside `[0, input.shape[dim])` or `dim` is out of range.
 * @example
 * ```ts
 * indexSelect(arange(6).reshape(2, 3), 1, tensor([2, 0], { dtype: 'int32' })).tolist(); // [[2, 0], [5, 3]]
 * ```
 */
export function indexSelect(input: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, input.ndim, 'indexSelect');
  checkIndexDType(index, 'indexSelect');
  if (index.ndim > 1) {
    throw new ShapeError(`indexSelect: index must be 0-d or 1-d, got shape ${formatShape(index.shape)}`);
  }
  checkIndexRange(index, sizeAt(input, d), d, 'indexSelect');
  const result = getKernel('indexSelect')(input, d, index);
  recordOperation('indexSelect', [input], result, { dim: d, index, inputShape: input.shape });
  return result;
}

/** `tensor` read as `shape` through stride-0 dimensions: an unrecorded view handed to kernels only. */
export function broadcastView(tensor: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(tensor.shape, shape)) return tensor;
  const lead = shape.length - tensor.ndim;
  const strides = contiguousStrides(shape).map((_, d) => {
    if (d < lead) return 0;
    return tensor.shape[d - lead] === 1 ? 0 : tensor.strides[d - lead]!;
  });
  return new Tensor(tensor.storage, shape, strides, tensor.offset, tensor.base ?? tensor);
}

/**
 * The fill value of `maskedFill` as a number.
 * @throws TypeError when the value is not a number, a boolean or a tensor.
 * @throws ShapeError when a tensor value is not 0-d.
 */
export function fillValue(value: number | boolean | Tensor, op: string): number {
  if (typeof value === 'number' || typeof value === 'boolean') return Number(value);
  if (!(value instanceof Tensor)) {
    throw new TypeError(`${op}: expected value to be a number, a boolean or a 0-d Tensor, got ${describeKind(value)}`);
  }
  if (value.ndim !== 0) {
    throw new ShapeError(`${op}: only supports a 0-dimensional value tensor, but got a tensor of shape ${formatShape(value.shape)}`);
  }
  return value.item();
}

/** @throws TypeError unless `mask` is a Tensor; DTypeError unless it is bool. */
export function checkMask(mask: Tensor, op: string): void {
  if (!(mask instanceof Tensor)) throw new TypeError(`${op}: expected mask to be a bool Tensor, got ${describeKind(mask)}`);
  if (mask.dtype !== 'bool') throw new DTypeError(`${op}: expected mask to have dtype bool, got ${mask.dtype}`);
}

/**
 * A copy of `input` with `value` where `mask` is true, like
 * `torch.masked_fill`. `input` and the bool `mask` broadcast together; the
 * result keeps `input`'s dtype. `value` is a number or a 0-d tensor.
 * Differentiable with respect to `input` and a tensor `value`.
 *
 * @throws DTypeError when `mask` is not bool.
 * @throws ShapeError when `input` and `mask` don't broadcast, or `value` is a tensor that is not 0-d.
 * @example
 * ```ts
 * maskedFill(tensor([1, 2, 3]), tensor([true, false, true]), 0).tolist(); // [0, 2, 0]
 * ```
 */
export function maskedFill(input: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  checkMask(mask, 'maskedFill');
  const shape = broadcastShapes(input.shape, mask.shape, 'maskedFill');
  const fill = fillValue(value, 'maskedFill');
  const result = getKernel('maskedFill')(broadcastView(input, shape), broadcastView(mask, shape), fill);
  const inputs = value instanceof Tensor ? [input, value] : [input];
  recordOperation('maskedFill', inputs, result, { mask, inputShape: input.shape });
  return result;
}

/**
 * One entry of an {@link index} spec, per dimension: a number selects that
 * position (and drops the dimension), `null` keeps the whole dimension, and
 * `[start, end, step]` slices like Python's `start:end:step` (`null` or a
 * missing entry takes the default).
 */
export type IndexSpecEntry = number | null | readonly [start?: number | null, end?: number | null, step?: number | null];

/**
 * Basic indexing like Python's `x[1, :, 0:2]`: `index(x, [1, null, [0, 2]])`.
 * Each entry applies to the next dimension; dimensions left over are kept
 * whole. The result is a view built from `select` and `slice`, so it shares
 * `x`'s storage and is differentiable.
 *
 * @throws RangeError when the spec has more entries than `x` has dimensions, or an index is out of range.
 * @example
 * ```ts
 * index(arange(24).reshape(2, 3, 4), [1, null, [0, 2]]).shape; // [3, 2]
 * index(arange(10), [[null, null, 3]]).tolist(); // [0, 3, 6, 9]
 * ```
 */
export function index(input: Tensor, spec: readonly IndexSpecEntry[]): Tensor {
  if (spec.length > input.ndim) {
    throw new RangeError(`index: too many indices for a tensor of dimension ${input.ndim} (got ${spec.length})`);
  }
  // Validate the whole spec first, so the error names `index` and the input's dimension.
  for (let d = 0; d < spec.length; d++) {
    const entry = spec[d]!;
    const size = input.shape[d]!;
    if (typeof entry === 'number') {
      if (!Number.isInteger(entry) || entry < -size || entry >= size) {
        throw new RangeError(`index: index ${entry} is out of bounds for dimension ${d} with size ${size}`);
      }
    } else if (entry !== null) {
      const [start, end, step = 1] = entry;
      for (const bound of [start, end]) {
        if (bound !== null && bound !== undefined && !Number.isInteger(bound)) {
          throw new RangeError(`index: slice bounds must be integers, got ${bound} at dimension ${d}`);
        }
      }
      if (step !== null && (!Number.isInteger(step) || step <= 0)) {
        throw new RangeError(`index: step must be a positive integer, got ${step} at dimension ${d}`);
      }
    }
  }
  let result = input;
  let dim = 0;
  for (const entry of spec) {
    if (entry === null) {
      dim++;
    } else if (typeof entry === 'number') {
      result = select(result, dim, entry);
    } else {
      const [start, end, step] = entry;
      result = slice(result, dim, start ?? undefined, end ?? undefined, step ?? undefined);
      dim++;
    }
  }
  return result;
}
