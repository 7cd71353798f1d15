import { isFloatingPoint } from '../dtype.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import { gluKernel, logSoftmaxKernel, softmaxKernel, softminKernel } from '../kernels/softmax.js';
import { getKernel, registerKernel } from '../registry.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from '../checks.js';

registerKernel('softmax', softmaxKernel);
registerKernel('logSoftmax', logSoftmaxKernel);
registerKernel('softmin', softminKernel);
registerKernel('glu', gluKernel);

/**
 * Checks that an activation's input is a float32 or float64 tensor.
 * @throws TypeError naming the op when the input is not a tensor.
 * @throws DTypeError naming the op for int32 and bool input, which PyTorch's
 * kernels of these ops do not implement either.
 */
export function requireFloatingPoint(input: Tensor, op: string): void {
  checkTensor(op, 'input', input);
  if (!isFloatingPoint(input.dtype)) {
    throw new DTypeError(`${op}: not implemented for '${input.dtype}' (expected float32 or float64)`);
  }
}

/**
 * exp(x) / Σ exp(x) along `dim`, like `torch.softmax`: each slice along
 * `dim` becomes a probability distribution. Computed with the slice's
 * maximum subtracted, so large inputs do not overflow.
 *
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when `dim` is out of range.
 * @example
 * ```ts
 * softmax(tensor([[1, 1], [0, Math.log(3)]]), 1); // [[0.5, 0.5], [0.25, 0.75]]
 * ```
 */
export function softmax(input: Tensor, dim: number): Tensor {
  requireFloatingPoint(input, 'softmax');
  const resolved = normalizeDim(dim, input.ndim, 'softmax');
  const result = getKernel('softmax')(input, resolved);
  recordOperation('softmax', [input], result, { dim: resolved });
  return result;
}

/**
 * x - log Σ exp(x) along `dim`, like `torch.log_softmax`: the log of
 * `softmax`, computed directly (max-shifted) so it stays finite where
 * softmax underflows to 0.
 *
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when `dim` is out of range.
 * @example
 * ```ts
 * logSoftmax(logits, -1); // log-probabilities over the last dim, as NLLLoss takes
 * ```
 */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  requireFloatingPoint(input, 'logSoftmax');
  const resolved = normalizeDim(dim, input.ndim, 'logSoftmax');
  const result = getKernel('logSoftmax')(input, resolved);
  recordOperation('logSoftmax', [input], result, { dim: resolved });
  return result;
}

/**
 * softmax(-x) along `dim`, like `torch.nn.functional.softmin`.
 *
 * @throws DTypeError for int32 or bool input.
 * @throws RangeError when `dim` is out of range.
 */
export function softmin(input: Tensor, dim: number): Tensor {
  requireFloatingPoint(input, 'softmin');
  const resolved = normalizeDim(dim, input.ndim, 'softmin');
  const result = getKernel('softmin')(input, resolved);
  recordOperation('softmin', [input], result, { dim: resolved });
  return result;
}

/**
 * The gated linear unit, like `torch.nn.functional.glu`: `dim` is split into
 * halves a and b and the result is a · sigmoid(b).
 *
 * **Shape:** the input's, with `dim` halved.
 *
 * @param dim - @defaultValue `-1`
 * @throws DTypeError for int32 or bool input.
 * @throws ShapeError for a 0-d input or an odd size along `dim`.
 * @throws RangeError when `dim` is out of range.
 */
export function glu(input: Tensor, dim = -1): Tensor {
  requireFloatingPoint(input, 'glu');
  if (input.ndim === 0) throw new ShapeError('glu: does not support 0-d tensors because halving size must be even, got shape []');
  const resolved = normalizeDim(dim, input.ndim, 'glu');
  const size = input.shape[resolved]!;
  if (size % 2 !== 0) {
    throw new ShapeError(
      `glu: halving dimension must be even, but dimension ${resolved} is size ${size} (shape ${formatShape(input.shape)})`,
    );
  }
  const result = getKernel('glu')(input, resolved);
  recordOperation('glu', [input], result, { dim: resolved });
  return result;
}
