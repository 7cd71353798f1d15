import { isFloatingPoint, toFloatingPoint } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { addInPlaceKernel, addcdivInPlaceKernel, addcmulInPlaceKernel, divInPlaceKernel, expInPlaceKernel, mulInPlaceKernel, negInPlaceKernel, sqrtInPlaceKernel } from '../kernels/in-place.js';
import { getKernel, registerKernel } from '../registry.js';
import { Tensor } from '../tensor.js';
import { relu } from './activation.js';
import { type AddOptions, type ClampOptions, type DivOptions, add, clamp, div, mul, pow, sub } from './elementwise.js';
import { checkBroadcastInto, checkCastable, checkSelf, runInPlace, substitute } from './in-place-support.js';
import { checkTensor } from '../checks.js';
import { type TensorOrScalar, checkOperand, resultType, shapeOf } from './promotion.js';
import { exp, neg, sqrt } from './unary.js';

// In-place arithmetic. Each op validates everything first (operand kinds,
// that broadcasting keeps `self`'s shape, that the result dtype can be
// written into `self`), then writes into `self`'s storage through
// `runInPlace`: the op's in-place kernel (`add_`, `mul_`, …: a tight loop
// for a contiguous floating-point `self` with a number or a matching
// contiguous operand, which may decline), otherwise the out-of-place op's
// result written in by the `copyInto` kernel. Every op bumps `self.storage.version` and returns `self`.

registerKernel('add_', addInPlaceKernel);
registerKernel('mul_', mulInPlaceKernel);
registerKernel('div_', divInPlaceKernel);
registerKernel('addcmul_', addcmulInPlaceKernel);
registerKernel('addcdiv_', addcdivInPlaceKernel);
registerKernel('exp_', expInPlaceKernel);
registerKernel('sqrt_', sqrtInPlaceKernel);
registerKernel('neg_', negInPlaceKernel);

/** Options of `addcmul_` and `addcdiv_`. */
export interface AddcOptions {
  /**
   * The multiplier of the product or quotient.
   * @defaultValue `1`
   */
  value?: number;
}

function checkBinary(op: string, self: Tensor, other: unknown): asserts other is TensorOrScalar {
  checkSelf(op, self);
  checkOperand(other, op, 'other');
  checkBroadcastInto(op, self, [shapeOf(other)]);
}

function tensorOperands(...values: readonly unknown[]): Tensor[] {
  return values.filter((value): value is Tensor => value instanceof Tensor);
}

/**
 * `self += alpha * other` in place, like `Tensor.add_`; `other` broadcasts to
 * `self`'s shape. Returns `self`.
 *
 * @throws ShapeError when broadcasting would change `self`'s shape.
 * @throws DTypeError when the result dtype can't be written into `self` (a float into an int32 tensor).
 * @throws Error for a leaf that requires grad in grad mode (see `noGrad`), or a view in the graph.
 * @example
 * ```ts
 * const x = zeros([2, 3]);
 * add_(x, tensor([1, 2, 3]), { alpha: 2 }); // x is [[2, 4, 6], [2, 4, 6]]
 * ```
 */
export function add_(self: Tensor, other: TensorOrScalar, options: AddOptions = {}): Tensor {
  checkBinary('add_', self, other);
  checkCastable('add_', resultType(self, other), self);
  const alpha = options.alpha ?? 1;
  return runInPlace(self, {
    op: 'add_',
    operands: tensorOperands(other),
    outOfPlace: (input) => add(input, substitute(other, self, input), { alpha }),
    write: () => typeof alpha === 'number' && typeof other !== 'boolean' && getKernel('add_')(self, other, alpha),
    outOfPlaceGivesValues: true,
  });
}

/** `self -= alpha * other` in place, like `Tensor.sub_`. Returns `self`. @throws as {@link add_}. */
export function sub_(self: Tensor, other: TensorOrScalar, options: AddOptions = {}): Tensor {
  checkBinary('sub_', self, other);
  checkCastable('sub_', resultType(self, other), self);
  const alpha = options.alpha ?? 1;
  return runInPlace(self, {
    op: 'sub_',
    operands: tensorOperands(other),
    outOfPlace: (input) => sub(input, substitute(other, self, input), { alpha }),
    // x + (-alpha) * y is exactly x - alpha * y in floating point.
    write: () => typeof alpha === 'number' && typeof other !== 'boolean' && getKernel('add_')(self, other, -alpha),
    outOfPlaceGivesValues: true,
  });
}

/** `self *= other` in place, like `Tensor.mul_`. Returns `self`. @throws as {@link add_}. */
export function mul_(self: Tensor, other: TensorOrScalar): Tensor {
  checkBinary('mul_', self, other);
  checkCastable('mul_', resultType(self, other), self);
  return runInPlace(self, {
    op: 'mul_',
    operands: tensorOperands(other),
    outOfPlace: (input) => mul(input, substitute(other, self, input)),
    write: () => typeof other !== 'boolean' && getKernel('mul_')(self, other),
    outOfPlaceGivesValues: true,
  });
}

/**
 * `self /= other` in place, like `Tensor.div_`; with `roundingMode` the
 * quotient is rounded (and may then be written into an int32 tensor).
 * Returns `self`. @throws as {@link add_}; true division into an int32 tensor is a DTypeError.
 */
export function div_(self: Tensor, other: TensorOrScalar, options: DivOptions = {}): Tensor {
  checkBinary('div_', self, other);
  const roundingMode = options.roundingMode ?? null;
  const promoted = resultType(self, other);
  checkCastable('div_', roundingMode === null ? toFloatingPoint(promoted) : promoted, self);
  return runInPlace(self, {
    op: 'div_',
    operands: tensorOperands(other),
    outOfPlace: (input) => div(input, substitute(other, self, input), { roundingMode }),
    write: () => roundingMode === null && typeof other !== 'boolean' && getKernel('div_')(self, other),
    outOfPlaceGivesValues: true,
  });
}

/** `self = self ** exponent` in place, like `Tensor.pow_`. Returns `self`. @throws as {@link add_}. */
export function pow_(self: Tensor, exponent: TensorOrScalar): Tensor {
  checkBinary('pow_', self, exponent);
  checkCastable('pow_', resultType(self, exponent), self);
  return runInPlace(self, {
    op: 'pow_',
    operands: tensorOperands(exponent),
    outOfPlace: (input) => pow(input, substitute(exponent, self, input)),
    outOfPlaceGivesValues: true,
  });
}

function checkAddc(op: string, self: Tensor, first: unknown, second: unknown): asserts first is Tensor {
  checkSelf(op, self);
  for (const [value, name] of [
    [first, 'tensor1'],
    [second, 'tensor2'],
  ] as const) {
    checkTensor(op, name, value);
  }
  checkBroadcastInto(op, self, [(first as Tensor).shape, (second as Tensor).shape]);
  checkCastable(op, resultType(self, first as Tensor, second as Tensor), self);
}

/**
 * `self += value * tensor1 * tensor2` in place, like `Tensor.addcmul_`
 * (Adam's second-moment update). Returns `self`. @throws as {@link add_}.
 */
export function addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, options: AddcOptions = {}): Tensor {
  checkAddc('addcmul_', self, tensor1, tensor2);
  const value = options.value ?? 1;
  return runInPlace(self, {
    op: 'addcmul_',
    operands: [tensor1, tensor2],
    outOfPlace: (input) => add(input, mul(substitute(tensor1, self, input), substitute(tensor2, self, input)), { alpha: value }),
    write: () => getKernel('addcmul_')(self, tensor1, tensor2, value),
    outOfPlaceGivesValues: true,
  });
}

/**
 * `self += value * tensor1 / tensor2` in place, like `Tensor.addcdiv_`
 * (Adam's step). Returns `self`.
 * @throws DTypeError when both tensors are integers (integer division is refused, as in PyTorch).
 * @throws as {@link add_}.
 */
export function addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, options: AddcOptions = {}): Tensor {
  checkAddc('addcdiv_', self, tensor1, tensor2);
  if (!isFloatingPoint(tensor1.dtype) && !isFloatingPoint(tensor2.dtype)) {
    throw new DTypeError(
      `addcdiv_: integer division of tensors is not supported (got ${tensor1.dtype} and ${tensor2.dtype}); use floating point tensors`,
    );
  }
  const value = options.value ?? 1;
  return runInPlace(self, {
    op: 'addcdiv_',
    operands: [tensor1, tensor2],
    outOfPlace: (input) => add(input, div(substitute(tensor1, self, input), substitute(tensor2, self, input)), { alpha: value }),
    write: () => getKernel('addcdiv_')(self, tensor1, tensor2, value),
    outOfPlaceGivesValues: true,
  });
}

/**
 * Limits `self`'s elements to `[min, max]` in place, like `Tensor.clamp_`;
 * the bounds are given as for `clamp` (positionally or `{ min, max }`).
 * Returns `self`.
 * @throws TypeError when neither bound is given, or a bound is not a tensor or a number.
 * @throws as {@link add_}.
 */
export function clamp_(self: Tensor, min?: ClampOptions | Tensor | number | null, max?: Tensor | number | null): Tensor {
  checkSelf('clamp_', self);
  const named = typeof min === 'object' && min !== null && !(min instanceof Tensor);
  const given = (named ? [(min as ClampOptions).min, (min as ClampOptions).max] : [min, max]).filter(
    (bound) => bound !== undefined && bound !== null,
  );
  for (const bound of given) {
    if (!(bound instanceof Tensor) && typeof bound !== 'number') {
      throw new TypeError(`clamp_: expected the bounds to be Tensors, numbers or null, got ${typeof bound}`);
    }
  }
  if (given.length === 0) throw new TypeError("clamp_: at least one of 'min' or 'max' must be given");
  const bounds = given as (Tensor | number)[];
  checkBroadcastInto('clamp_', self, bounds.map(shapeOf));
  checkCastable('clamp_', resultType(self, ...bounds), self);
  return runInPlace(self, {
    op: 'clamp_',
    operands: tensorOperands(...bounds),
    outOfPlace: (input) => clamp(input, min, max),
    outOfPlaceGivesValues: true,
  });
}

function unaryInPlace(op: string, self: Tensor, outOfPlace: (input: Tensor) => Tensor, fast: 'exp_' | 'sqrt_' | 'neg_' | null): Tensor {
  checkSelf(op, self);
  return runInPlace(self, {
    op,
    operands: [],
    outOfPlace,
    write: () => fast !== null && getKernel(fast)(self),
    outOfPlaceGivesValues: true,
  });
}

/** `e ** self` in place, like `Tensor.exp_`. Returns `self`. @throws DTypeError for an int32 or bool tensor. */
export function exp_(self: Tensor): Tensor {
  checkSelf('exp_', self);
  checkCastable('exp_', toFloatingPoint(self.dtype), self);
  return unaryInPlace('exp_', self, exp, 'exp_');
}

/** The square root in place, like `Tensor.sqrt_`. Returns `self`. @throws DTypeError for an int32 or bool tensor. */
export function sqrt_(self: Tensor): Tensor {
  checkSelf('sqrt_', self);
  checkCastable('sqrt_', toFloatingPoint(self.dtype), self);
  return unaryInPlace('sqrt_', self, sqrt, 'sqrt_');
}

/** `-self` in place, like `Tensor.neg_`. Returns `self`. @throws DTypeError for a bool tensor. */
export function neg_(self: Tensor): Tensor {
  checkSelf('neg_', self);
  if (self.dtype === 'bool') {
    throw new DTypeError('neg_: negation of a bool tensor is not supported (got dtype bool); to invert a mask, use logicalNot() instead');
  }
  return unaryInPlace('neg_', self, neg, 'neg_');
}

/** `max(self, 0)` in place, like `Tensor.relu_`. Returns `self`. @throws DTypeError for a bool tensor. */
export function relu_(self: Tensor): Tensor {
  checkSelf('relu_', self);
  if (self.dtype === 'bool') throw new DTypeError('relu_: bool inputs are not supported (expected float32, float64 or int32)');
  return unaryInPlace('relu_', self, relu, null);
}
