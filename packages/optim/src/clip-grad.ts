import { noGrad } from '@strata/autograd';
import { Tensor, clamp_, describeKind, getKernel, mul_ } from '@strata/tensor';
import { describeValue, isIterable } from './options.js';

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions {
  /**
   * Throw when the total norm is NaN or infinite, instead of scaling the
   * gradients by it (which makes them NaN or zero).
   * @defaultValue `false`
   */
  errorIfNonfinite?: boolean;
}

/** The gradients of `parameters` that exist, after checking the argument. */
function gradientsOf(op: string, parameters: unknown): Tensor[] {
  let list: unknown[];
  if (parameters instanceof Tensor) list = [parameters];
  else if (isIterable(parameters)) list = Array.from(parameters);
  else {
    throw new TypeError(`${op}: expected parameters to be a Tensor or an iterable of Tensors, got ${describeKind(parameters)}`);
  }
  const grads: Tensor[] = [];
  list.forEach((parameter, index) => {
    if (!(parameter instanceof Tensor)) throw new TypeError(`${op}: parameter ${index} is ${describeKind(parameter)}, not a Tensor`);
    if (parameter.grad !== null) grads.push(parameter.grad);
  });
  return grads;
}

/** The p-norm of one gradient's elements, from the `norm` kernel (accumulated in double precision, rounded to the gradient's dtype). */
function gradientNorm(grad: Tensor, normType: number): number {
  const dims = grad.shape.map((_, d) => d);
  return getKernel('norm')(grad, normType, dims, false).item();
}

/**
 * Scales the gradients of `parameters` in place so that their total norm
 * (the norm of all gradients concatenated into one vector) is at most
 * `maxNorm`, like `torch.nn.utils.clip_grad_norm_`: each gradient is
 * multiplied by `min(1, maxNorm / (totalNorm + 1e-6))`. Parameters without a
 * gradient are skipped.
 *
 * @param parameters - a tensor or tensors (e.g. `model.parameters()`) whose `grad` is clipped.
 * @param maxNorm - the largest total norm allowed.
 * @param normType - the p of the p-norm: any p > 0, or `Infinity` for the largest magnitude.
 * @returns the total norm before clipping, as a 0-d tensor of the gradients' dtype
 * (a float32 zero when no parameter has a gradient).
 * @throws TypeError for a non-tensor parameter; RangeError for a negative or NaN
 * `maxNorm`, a `normType` that is not > 0, or, with `errorIfNonfinite`, a total
 * norm that is NaN or infinite (nothing is changed then).
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * optimizer.step();
 * ```
 */
export function clipGradNorm(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): Tensor {
  const op = 'clipGradNorm';
  if (typeof maxNorm !== 'number') throw new TypeError(`${op}: expected maxNorm to be a number, got ${describeValue(maxNorm)}`);
  if (!(maxNorm >= 0)) throw new RangeError(`${op}: expected maxNorm >= 0, got ${maxNorm}`);
  if (typeof normType !== 'number') throw new TypeError(`${op}: expected normType to be a number, got ${describeValue(normType)}`);
  if (!(normType > 0)) throw new RangeError(`${op}: expected normType > 0 (or Infinity), got ${normType}`);
  const grads = gradientsOf(op, parameters);
  if (grads.length === 0) return Tensor.fromData(new Float32Array(1), []);
  const dtype = grads[0]!.dtype;
  for (const grad of grads) {
    if (grad.dtype !== 'float32' && grad.dtype !== 'float64') throw new TypeError(`${op}: expected floating point gradients, got ${grad.dtype}`);
  }
  // PyTorch computes each gradient's norm, then the norm of those norms, in the gradients' dtype.
  const round = dtype === 'float32' ? Math.fround : (value: number): number => value;
  let total = 0;
  if (normType === Number.POSITIVE_INFINITY) {
    for (const grad of grads) {
      const norm = round(gradientNorm(grad, normType));
      if (norm > total || Number.isNaN(norm)) total = norm;
      if (Number.isNaN(total)) break;
    }
  } else {
    for (const grad of grads) total += round(gradientNorm(grad, normType)) ** normType;
    total = total ** (1 / normType);
  }
  total = round(total);
  if (options.errorIfNonfinite === true && !Number.isFinite(total)) {
    throw new RangeError(
      `${op}: the total norm of order ${normType} for gradients from parameters is non-finite (${total}), so it cannot be clipped; to scale the gradients by it anyway, set errorIfNonfinite: false`,
    );
  }
  // PyTorch's `maxNorm / (total + 1e-6)` on a tensor is `reciprocal(total + 1e-6) * maxNorm`.
  const coefficient = round(round(1 / round(total + round(1e-6))) * round(maxNorm));
  // clamp(max = 1): NaN stays NaN, so NaN norms spread to the gradients as in PyTorch.
  if (!(coefficient >= 1)) {
    for (const grad of grads) scaleInPlace(grad, coefficient);
  }
  const result = new (dtype === 'float32' ? Float32Array : Float64Array)(1);
  result[0] = total;
  return Tensor.fromData(result, []);
}

/** `grad *= factor` through the in-place op's kernel. */
function scaleInPlace(grad: Tensor, factor: number): void {
  noGrad(() => mul_(grad, factor));
}

/**
 * Clamps the gradients of `parameters` in place to `[-clipValue, clipValue]`,
 * like `torch.nn.utils.clip_grad_value_`. Parameters without a gradient are
 * skipped; NaN stays NaN.
 *
 * @throws TypeError for a non-tensor parameter; RangeError for a negative or NaN `clipValue`.
 *
 * @example
 * ```ts
 * loss.backward();
 * clipGradValue(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number') throw new TypeError(`${op}: expected clipValue to be a number, got ${describeValue(clipValue)}`);
  if (!(clipValue >= 0)) throw new RangeError(`${op}: expected clipValue >= 0, got ${clipValue}`);
  const grads = gradientsOf(op, parameters);
  for (const grad of grads) noGrad(() => clamp_(grad, { min: -clipValue, max: clipValue }));
}
