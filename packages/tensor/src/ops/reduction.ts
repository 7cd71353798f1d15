import { isFloatingPoint } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import {
  allKernel,
  anyKernel,
  logsumexpKernel,
  meanKernel,
  normKernel,
  prodKernel,
  stdKernel,
  sumKernel,
  varKernel,
} from '../kernels/reduction.js';
import { getKernel, registerKernel } from '../registry.js';
import type { Tensor } from '../tensor.js';
import { type ReductionDim, resolveDims } from './reduction-dims.js';

export { type ReductionDim } from './reduction-dims.js';
export {
  type ValuesAndIndices,
  amax,
  amin,
  argmax,
  argmin,
  max,
  maxWithIndices,
  min,
  minWithIndices,
} from './reduction-extrema.js';

registerKernel('sum', sumKernel);
registerKernel('mean', meanKernel);
registerKernel('prod', prodKernel);
registerKernel('logsumexp', logsumexpKernel);
registerKernel('var', varKernel);
registerKernel('std', stdKernel);
registerKernel('all', allKernel);
registerKernel('any', anyKernel);
registerKernel('norm', normKernel);

/** Options of `var` and `std`. */
export interface VarianceOptions {
  /**
   * How much to subtract from the element count in the divisor: 1 is the
   * unbiased (Bessel-corrected) estimate, 0 the population variance.
   * @defaultValue `1`
   */
  correction?: number;
  /**
   * Keep each reduced dim as size 1.
   * @defaultValue `false`
   */
  keepdim?: boolean;
}

/**
 * The sum of the elements over `dim` (all dims when omitted), like
 * `torch.sum`. Floats keep their dtype; int32 and bool sum to int32
 * (PyTorch gives int64). An empty reduction gives 0.
 *
 * @param dim - one dim or a list of dims; negative dims count from the end.
 * @param keepdim - keep each reduced dim as size 1.
 * @throws RangeError when a dim is out of range or repeated.
 * @example
 * ```ts
 * sum(tensor([[1, 2], [3, 4]]), 1); // [3, 7]
 * ```
 */
export function sum(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  const dims = resolveDims(input, dim, 'sum');
  const result = getKernel('sum')(input, dims, keepdim);
  recordOperation('sum', [input], result, { inputShape: input.shape, dims, keepdim });
  return result;
}

/**
 * The mean of the elements over `dim` (all dims when omitted), like
 * `torch.mean`. An empty reduction gives NaN.
 *
 * @throws DTypeError for int32 or bool input (PyTorch cannot infer the output dtype either).
 * @throws RangeError when a dim is out of range or repeated.
 * @example
 * ```ts
 * mean(tensor([[1, 2], [3, 4]]));                // 2.5 (0-d)
 * mean(tensor([[1, 2], [3, 4]]), 0, true).shape; // [1, 2]
 * ```
 */
export function mean(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  if (!isFloatingPoint(input.dtype)) {
    throw new DTypeError(
      `mean: could not infer output dtype; input dtype must be floating point (float32 or float64), got ${input.dtype}`,
    );
  }
  const dims = resolveDims(input, dim, 'mean');
  const result = getKernel('mean')(input, dims, keepdim);
  recordOperation('mean', [input], result, { inputShape: input.shape, dims, keepdim });
  return result;
}

/**
 * The product of the elements over `dim` (all dims when omitted), like
 * `torch.prod`. Dtypes as for `sum`; an empty reduction gives 1.
 *
 * @throws RangeError when a dim is out of range or repeated.
 */
export function prod(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  const dims = resolveDims(input, dim, 'prod');
  const result = getKernel('prod')(input, dims, keepdim);
  recordOperation('prod', [input], result, { inputShape: input.shape, dims, keepdim });
  return result;
}

/**
 * log Σ exp(x) over `dim` (all dims when omitted), computed stably by
 * shifting with the maximum, like `torch.logsumexp`. int32 and bool inputs
 * give float32. An empty reduction gives -∞.
 *
 * @throws RangeError when a dim is out of range or repeated.
 */
export function logsumexp(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  const dims = resolveDims(input, dim, 'logsumexp');
  const result = getKernel('logsumexp')(input, dims, keepdim);
  recordOperation('logsumexp', [input], result, { inputShape: input.shape, dims, keepdim });
  return result;
}

function resolveCorrection(options: VarianceOptions, op: string): number {
  const correction = options.correction ?? 1;
  if (typeof correction !== 'number' || !Number.isFinite(correction)) {
    throw new RangeError(`${op}: correction must be a finite number, got ${String(correction)}`);
  }
  return correction;
}

function checkVarianceInput(input: Tensor, op: string): void {
  if (!isFloatingPoint(input.dtype)) {
    throw new DTypeError(`${op}: std and var only support floating point dtypes (float32 or float64), got ${input.dtype}`);
  }
}

/**
 * The variance over `dim` (all dims when omitted), like `torch.var`:
 * Σ (x - mean)² / max(N - correction, 0), computed in two passes so a large
 * mean does not cancel a small variance. N - correction <= 0 divides by 0
 * (∞, or NaN for a zero sum), as in PyTorch.
 *
 * Exported from the package as `var` (a reserved word in JavaScript, so it is
 * declared under this name).
 *
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when a dim is out of range or repeated, or `correction` is not finite.
 * @example
 * ```ts
 * variance(tensor([1, 2, 3, 4])).item();                    // 1.6666…
 * variance(tensor([1, 2, 3, 4]), null, { correction: 0 });  // 1.25
 * ```
 */
export function variance(input: Tensor, dim?: ReductionDim, options: VarianceOptions = {}): Tensor {
  checkVarianceInput(input, 'var');
  const correction = resolveCorrection(options, 'var');
  const keepdim = options.keepdim ?? false;
  const dims = resolveDims(input, dim, 'var');
  const result = getKernel('var')(input, dims, correction, keepdim);
  recordOperation('var', [input], result, { inputShape: input.shape, dims, correction, keepdim });
  return result;
}

export { variance as var };

/**
 * The standard deviation over `dim` (all dims when omitted): the square root
 * of `var` with the same `correction`, like `torch.std`.
 *
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when a dim is out of range or repeated, or `correction` is not finite.
 */
export function std(input: Tensor, dim?: ReductionDim, options: VarianceOptions = {}): Tensor {
  checkVarianceInput(input, 'std');
  const correction = resolveCorrection(options, 'std');
  const keepdim = options.keepdim ?? false;
  const dims = resolveDims(input, dim, 'std');
  const result = getKernel('std')(input, dims, correction, keepdim);
  recordOperation('std', [input], result, { inputShape: input.shape, dims, correction, keepdim });
  return result;
}

/**
 * Whether every element over `dim` (all dims when omitted) is nonzero, like
 * `torch.all`; NaN counts as nonzero. A bool tensor; true over an empty
 * reduction.
 *
 * @throws RangeError when a dim is out of range or repeated.
 */
export function all(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  return getKernel('all')(input, resolveDims(input, dim, 'all'), keepdim);
}

/**
 * Whether some element over `dim` (all dims when omitted) is nonzero, like
 * `torch.any`; NaN counts as nonzero. A bool tensor; false over an empty
 * reduction.
 *
 * @throws RangeError when a dim is out of range or repeated.
 */
export function any(input: Tensor, dim?: ReductionDim, keepdim = false): Tensor {
  return getKernel('any')(input, resolveDims(input, dim, 'any'), keepdim);
}

/**
 * The vector p-norm over `dim` (all dims when omitted), like `torch.norm` /
 * `torch.linalg.vector_norm`: (Σ |x|ᵖ)^(1/p); `p = Infinity` is max |x|,
 * `p = -Infinity` is min |x|, `p = 0` counts the nonzero elements, and
 * `'fro'` is the 2-norm. An empty reduction gives 0.
 *
 * @param p - the order. @defaultValue `2`
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when `p` is NaN or an unsupported string (such as
 * `'nuc'`), or a dim is out of range or repeated.
 * @example
 * ```ts
 * norm(tensor([3, 4])).item();               // 5
 * norm(tensor([[1, -2], [3, 0]]), 1, 1);     // [3, 3]
 * ```
 */
export function norm(input: Tensor, p: number | 'fro' = 2, dim?: ReductionDim, keepdim = false): Tensor {
  if (!isFloatingPoint(input.dtype)) {
    throw new DTypeError(`norm: input dtype should be floating point (float32 or float64), got ${input.dtype}`);
  }
  const order = p === 'fro' ? 2 : p;
  if (typeof order !== 'number' || Number.isNaN(order)) {
    throw new RangeError(`norm: p must be a number (Infinity allowed) or 'fro', got ${typeof p === 'string' ? `'${p}'` : String(p)}`);
  }
  const dims = resolveDims(input, dim, 'norm');
  const result = getKernel('norm')(input, order, dims, keepdim);
  recordOperation('norm', [input], result, { inputShape: input.shape, p: order, dims, keepdim });
  return result;
}
