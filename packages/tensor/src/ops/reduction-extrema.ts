import { DTypeError } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import {
  amaxKernel,
  aminKernel,
  argmaxKernel,
  argminKernel,
  maxKernel,
  maxWithIndicesKernel,
  minKernel,
  minWithIndicesKernel,
} from '../kernels/reduction-extrema.js';
import { getKernel, registerKernel } from '../registry.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { type ReductionDim, checkReducible, isDimSpecified, resolveDims } from './reduction-dims.js';

registerKernel('amax', amaxKernel);
registerKernel('amin', aminKernel);
registerKernel('max', maxKernel);
registerKernel('min', minKernel);
registerKernel('maxWithIndices', maxWithIndicesKernel);
registerKernel('minWithIndices', minWithIndicesKernel);
registerKernel('argmax', argmaxKernel);
registerKernel('argmin', argminKernel);

/** The result of `maxWithIndices` / `minWithIndices`, like PyTorch's `(values, indices)` named tuple. */
export interface ValuesAndIndices {
  /** The extreme values, in the input's dtype. */
  values: Tensor;
  /** Their positions along the reduced dim, int32. */
  indices: Tensor;
}

/**
 * The largest element over `dim` (all dims when omitted), like
 * `torch.amax`. The dtype is kept (bool included). NaN propagates: a
 * reduction that meets a NaN gives NaN. Its gradient is shared evenly among
 * the elements equal to the maximum.
 *
 * @throws RangeError when the input is empty and `dim` is omitted, or a
 * reduced dim has size 0 (a maximum of nothing has no value), or a dim is out
 * of range or repeated.
 */
export function amax(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  const dims = resolveDims(input, dim, 'amax');
  checkReducible(input, dims, isDimSpecified(dim), 'amax');
  const result = getKernel('amax')(input, dims, keepdim);
  recordOperation('amax', [input], result, { inputShape: input.shape, dims, keepdim });
  return result;
}

/**
 * The smallest element over `dim` (all dims when omitted), like
 * `torch.amin`; see `amax` for NaN, dtypes and errors.
 *
 * @throws RangeError as `amax` does.
 */
export function amin(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  const dims = resolveDims(input, dim, 'amin');
  checkReducible(input, dims, isDimSpecified(dim), 'amin');
  const result = getKernel('amin')(input, dims, keepdim);
  recordOperation('amin', [input], result, { inputShape: input.shape, dims, keepdim });
  return result;
}

/**
 * Like `torch.max`: without `dim`, the largest of all elements as a 0-d
 * tensor; with `dim`, the maxima along it (the `values` of
 * `maxWithIndices`). NaN propagates. `keepdim` applies only with a `dim`.
 *
 * @throws RangeError when the input is empty and `dim` is omitted, the dim
 * has size 0, or the dim is out of range.
 * @example
 * ```ts
 * max(tensor([[1, 5], [7, 2]])).item(); // 7
 * max(tensor([[1, 5], [7, 2]]), 1);      // [5, 7]
 * ```
 */
export function max(input: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim !== undefined && dim !== null) return extremumAlongDim(input, dim, keepdim, 'maxWithIndices', 'max').values;
  const dims = resolveDims(input, null, 'max');
  checkReducible(input, dims, false, 'max');
  const result = getKernel('max')(input);
  recordOperation('max', [input], result, { inputShape: input.shape, dims, keepdim: false });
  return result;
}

/**
 * Like `torch.min`: without `dim`, the smallest of all elements as a 0-d
 * tensor; with `dim`, the minima along it. NaN propagates. `keepdim`
 * applies only with a `dim`.
 *
 * @throws RangeError as `max` does.
 */
export function min(input: Tensor, dim?: number | null, keepdim = false): Tensor {
  if (dim !== undefined && dim !== null) return extremumAlongDim(input, dim, keepdim, 'minWithIndices', 'min').values;
  const dims = resolveDims(input, null, 'min');
  checkReducible(input, dims, false, 'min');
  const result = getKernel('min')(input);
  recordOperation('min', [input], result, { inputShape: input.shape, dims, keepdim: false });
  return result;
}

function extremumAlongDim(
  input: Tensor,
  dim: number,
  keepdim: boolean,
  kernel: 'maxWithIndices' | 'minWithIndices',
  op: string,
): ValuesAndIndices {
  const resolved = normalizeDim(dim, input.ndim, op);
  checkReducible(input, input.ndim === 0 ? [] : [resolved], true, op);
  const result = getKernel(kernel)(input, resolved, keepdim);
  recordOperation(kernel, [input], result.values, {
    inputShape: input.shape,
    dim: resolved,
    keepdim,
    indices: result.indices,
  });
  return result;
}

/**
 * The maxima along `dim` and their int32 positions, like `torch.max(x, dim)`
 * returning `(values, indices)`. On ties the first position wins; a NaN wins
 * over every number (the first NaN's position).
 *
 * @throws RangeError when the dim is out of range or has size 0.
 * @example
 * ```ts
 * const { values, indices } = maxWithIndices(tensor([[1, 5, 5], [7, 2, 7]]), 1);
 * // values [5, 7], indices [1, 0]
 * ```
 */
export function maxWithIndices(input: Tensor, dim: number, keepdim = false): ValuesAndIndices {
  return extremumAlongDim(input, dim, keepdim, 'maxWithIndices', 'maxWithIndices');
}

/**
 * The minima along `dim` and their int32 positions, like `torch.min(x, dim)`;
 * ties and NaN as in `maxWithIndices`.
 *
 * @throws RangeError when the dim is out of range or has size 0.
 */
export function minWithIndices(input: Tensor, dim: number, keepdim = false): ValuesAndIndices {
  return extremumAlongDim(input, dim, keepdim, 'minWithIndices', 'minWithIndices');
}

function argExtremum(input: Tensor, dim: number | null | undefined, keepdim: boolean, op: 'argmax' | 'argmin'): Tensor {
  if (input.dtype === 'bool') {
    throw new DTypeError(`${op}: not implemented for dtype bool (expected float32, float64 or int32)`);
  }
  if (dim === undefined || dim === null) {
    checkReducible(input, [], false, op);
    return getKernel(op)(input, null, keepdim);
  }
  const resolved = normalizeDim(dim, input.ndim, op);
  checkReducible(input, input.ndim === 0 ? [] : [resolved], true, op);
  return getKernel(op)(input, resolved, keepdim);
}

/**
 * The int32 position of the largest element along `dim`, or in the
 * row-major flattening when `dim` is omitted, like `torch.argmax`. On ties
 * the first position wins; a NaN wins over every number. Not differentiable.
 *
 * @throws DTypeError for bool input (as in PyTorch).
 * @throws RangeError when the input is empty and `dim` is omitted, the dim
 * has size 0, or the dim is out of range.
 * @example
 * ```ts
 * argmax(tensor([[1, 5, 2], [7, 0, 7]]), 1); // int32 [1, 0]
 * ```
 */
export function argmax(input: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argExtremum(input, dim, keepdim, 'argmax');
}

/**
 * The int32 position of the smallest element along `dim`, or in the
 * row-major flattening when `dim` is omitted, like `torch.argmin`; ties and
 * NaN as in `argmax`.
 *
 * @throws DTypeError for bool input.
 * @throws RangeError as `argmax` does.
 */
export function argmin(input: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argExtremum(input, dim, keepdim, 'argmin');
}
