import { type DType, allocateForOverwrite, isDType, unknownDType } from '../dtype.js';
import { recordOperation } from '../gradient-recording.js';
import { copyStrided } from '../kernels/strided.js';
import { registerKernel, getKernel } from '../registry.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from '../checks.js';

function copyKernel(input: Tensor, dtype: DType): Tensor {
  const count = input.numel();
  if (dtype === input.dtype && dtype !== 'bool' && input.isContiguous()) {
    // A block copy (memcpy speed): gradients and parameters are cloned on every step.
    const data = input.storage.data.slice(input.offset, input.offset + count);
    return new Tensor(new Storage(data), input.shape);
  }
  const data = allocateForOverwrite(dtype, count);
  copyStrided(input.storage.data, input.offset, input.shape, input.strides, data, 0);
  if (dtype === 'bool') {
    // Conversion to bool is "nonzero", not truncation of the value.
    const source = input.contiguousData();
    for (let i = 0; i < data.length; i++) data[i] = source[i] !== 0 ? 1 : 0;
  }
  return new Tensor(new Storage(data), input.shape);
}
registerKernel('copy', copyKernel);

/**
 * A copy of `input` that owns its storage, in row-major order, like `torch.clone`. Differentiable.
 * @throws TypeError when `input` is not a Tensor.
 */
export function clone(input: Tensor): Tensor {
  checkTensor('clone', 'input', input);
  const result = getKernel('copy')(input, input.dtype);
  recordOperation('clone', [input], result, {});
  return result;
}

/**
 * `input` itself when it is contiguous, else a row-major copy, like
 * `torch.Tensor.contiguous`. Differentiable.
 * @example
 * ```ts
 * const x = zeros([2, 3]);
 * contiguous(x) === x;     // true: no copy needed
 * contiguous(x.t()) === x; // false: a transposed view is copied
 * ```
 */
export function contiguous(input: Tensor): Tensor {
  checkTensor('contiguous', 'input', input);
  return input.isContiguous() ? input : clone(input);
}

/**
 * `input` converted to `dtype` (itself when the dtype already matches), like
 * `torch.Tensor.to(dtype)`: floats to int32 truncate toward zero, anything
 * to bool is "nonzero". Differentiable between floating dtypes.
 * @throws DTypeError for an unknown dtype.
 * @throws TypeError when `input` is not a Tensor.
 */
export function to(input: Tensor, dtype: DType): Tensor {
  checkTensor('to', 'input', input);
  if (!isDType(dtype)) throw unknownDType('to', dtype);
  if (dtype === input.dtype) return input;
  const result = getKernel('copy')(input, dtype);
  recordOperation('to', [input], result, { inputDType: input.dtype });
  return result;
}
