import { type DType, allocate, toFloatingPoint } from '../dtype.js';
import { DTypeError } from '../errors.js';
import { recordOperation } from '../gradient-recording.js';
import { BinaryCode, binaryKernel } from '../kernels/binary.js';
import { clampKernel, whereKernel } from '../kernels/ternary.js';
import { getKernel, registerKernel } from '../registry.js';
import { broadcastShapes } from '../shape.js';
import { Tensor } from '../tensor.js';
import {
  type TensorOrScalar,
  binaryOperands,
  checkOperand,
  describeOperand,
  isBoolOperand,
  operandTensor,
  resultType,
  shapeOf,
} from './promotion.js';
import { describeKind } from '../checks.js';

/** How `div` rounds: `'trunc'` toward zero, `'floor'` down; `null` for true division. */
export type RoundingMode = 'trunc' | 'floor';

registerKernel('add', (input, other, alpha, dtype) => {
  const code =
    dtype === 'bool'
      ? alpha !== 0
        ? BinaryCode.LogicalOr
        : BinaryCode.First
      : alpha === 1
        ? BinaryCode.Add
        : dtype === 'int32'
          ? BinaryCode.AddScaledInteger
          : BinaryCode.AddScaled;
  return binaryKernel('add', code, input, other, dtype, alpha);
});
registerKernel('sub', (input, other, alpha, dtype) => {
  const code = alpha === 1 ? BinaryCode.Subtract : dtype === 'int32' ? BinaryCode.AddScaledInteger : BinaryCode.AddScaled;
  return binaryKernel('sub', code, input, other, dtype, -alpha);
});
registerKernel('mul', (input, other, dtype) => {
  const code = dtype === 'bool' ? BinaryCode.LogicalAnd : dtype === 'int32' ? BinaryCode.MultiplyInteger : BinaryCode.Multiply;
  return binaryKernel('mul', code, input, other, dtype);
});
registerKernel('div', (input, other, roundingMode, dtype) => {
  const integer = dtype === 'int32' || dtype === 'bool';
  const code =
    roundingMode === null
      ? BinaryCode.Divide
      : roundingMode === 'trunc'
        ? integer
          ? BinaryCode.DivideTruncInteger
          : BinaryCode.DivideTruncFloat
        : integer
          ? BinaryCode.DivideFloorInteger
          : BinaryCode.DivideFloorFloat;
  return binaryKernel('div', code, input, other, dtype);
});
registerKernel('pow', (input, other, dtype) =>
  binaryKernel('pow', dtype === 'int32' ? BinaryCode.PowerInteger : BinaryCode.Power, input, other, dtype),
);
registerKernel('maximum', (input, other, dtype) =>
  binaryKernel('maximum', dtype === 'bool' ? BinaryCode.LogicalOr : BinaryCode.Maximum, input, other, dtype),
);
registerKernel('minimum', (input, other, dtype) =>
  binaryKernel('minimum', dtype === 'bool' ? BinaryCode.LogicalAnd : BinaryCode.Minimum, input, other, dtype),
);
registerKernel('where', whereKernel);
registerKernel('clamp', clampKernel);

/** Options of `add` and `sub`. */
export interface AddOptions {
  /**
   * The multiplier of `other`.
   * @defaultValue `1`
   */
  alpha?: number;
}

/** Options of `div`. */
export interface DivOptions {
  /**
   * `'trunc'` rounds the quotient toward zero, `'floor'` down (both keep an
   * integer dtype); `null` is true division (always floating point).
   * @defaultValue `null`
   */
  roundingMode?: RoundingMode | null;
}

/** Bounds of `clamp`: numbers, tensors (broadcast with the input) or `null` for none. */
export interface ClampOptions {
  /** The lower bound. @defaultValue `null` (none) */
  min?: Tensor | number | null;
  /** The upper bound. @defaultValue `null` (none) */
  max?: Tensor | number | null;
}

function checkAlpha(op: string, alpha: unknown, dtype: DType): number {
  if (typeof alpha !== 'number') throw new TypeError(`${op}: expected alpha to be a number, got ${typeof alpha}`);
  if (dtype === 'int32' && !Number.isInteger(alpha)) {
    throw new DTypeError(`${op}: alpha must be an integer for integer tensors, got ${alpha}`);
  }
  return alpha;
}

/**
 * `input + alpha * other`, broadcasting, like `torch.add`. Differentiable.
 * The result dtype follows PyTorch's promotion (a number is a weak operand:
 * an int32 tensor plus 2.5 is float32, a float32 tensor plus 2 stays
 * float32); int32 sums wrap around, bool sums are a logical or.
 *
 * @throws ShapeError when the shapes do not broadcast.
 * @throws DTypeError when `alpha` is not an integer for an integer result.
 * @example
 * ```ts
 * add(tensor([1, 2]), tensor([[10], [20]]));  // [[11, 12], [21, 22]]
 * add(x, y, { alpha: -0.5 });                 // x - 0.5 * y
 * ```
 */
export function add(input: TensorOrScalar, other: TensorOrScalar, options: AddOptions = {}): Tensor {
  const requestedAlpha = options.alpha ?? 1;
  const operands = binaryOperands('add', input, other);
  const alpha = checkAlpha('add', requestedAlpha, operands.dtype);
  const result = getKernel('add')(operands.input, operands.other, alpha, operands.dtype);
  recordOperation('add', [operands.input, operands.other], result, { alpha });
  return result;
}

/**
 * `input - alpha * other`, broadcasting, like `torch.sub`. Differentiable.
 * Bool operands are refused, as in PyTorch.
 *
 * @throws ShapeError when the shapes do not broadcast.
 * @throws DTypeError when an operand is bool, or `alpha` is not an integer
 * for an integer result.
 */
export function sub(input: TensorOrScalar, other: TensorOrScalar, options: AddOptions = {}): Tensor {
  checkOperand(input, 'sub', 'input');
  checkOperand(other, 'sub', 'other');
  if (isBoolOperand(input) && isBoolOperand(other)) {
    throw new DTypeError('sub: subtraction of two bool tensors is not supported; use logicalXor() instead');
  }
  if (isBoolOperand(input) || isBoolOperand(other)) {
    throw new DTypeError(
      `sub: subtraction with a bool tensor is not supported (got ${describeOperand(input)} and ${describeOperand(other)}); to invert a mask, use logicalNot() instead`,
    );
  }
  const requestedAlpha = options.alpha ?? 1;
  const operands = binaryOperands('sub', input, other);
  const alpha = checkAlpha('sub', requestedAlpha, operands.dtype);
  const result = getKernel('sub')(operands.input, operands.other, alpha, operands.dtype);
  recordOperation('sub', [operands.input, operands.other], result, { alpha });
  return result;
}

/**
 * `input * other`, broadcasting, like `torch.mul`. Differentiable. int32
 * products wrap around; bool products are a logical and.
 *
 * @throws ShapeError when the shapes do not broadcast.
 */
export function mul(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  const operands = binaryOperands('mul', input, other);
  const result = getKernel('mul')(operands.input, operands.other, operands.dtype);
  recordOperation('mul', [operands.input, operands.other], result, {});
  return result;
}

/**
 * `input / other`, broadcasting, like `torch.div`. Differentiable. True
 * division always gives floating point (int32 / int32 is float32); with
 * `roundingMode` `'trunc'` or `'floor'` the quotient is rounded and an
 * integer dtype is kept.
 *
 * @throws ShapeError when the shapes do not broadcast.
 * @throws RangeError for an unknown `roundingMode`, or an integer division by zero.
 * @throws DTypeError for a rounded division of bool tensors.
 * @example
 * ```ts
 * div(tensor([7, -7], { dtype: 'int32' }), 2);                          // float32 [3.5, -3.5]
 * div(tensor([7, -7], { dtype: 'int32' }), 2, { roundingMode: 'floor' }); // int32 [3, -4]
 * ```
 */
export function div(input: TensorOrScalar, other: TensorOrScalar, options: DivOptions = {}): Tensor {
  const roundingMode = options.roundingMode ?? null;
  if (roundingMode !== null && roundingMode !== 'trunc' && roundingMode !== 'floor') {
    throw new RangeError(`div: expected roundingMode to be null, 'trunc' or 'floor', got '${String(roundingMode)}'`);
  }
  const operands = binaryOperands('div', input, other);
  if (roundingMode !== null && operands.dtype === 'bool') {
    throw new DTypeError(`div: roundingMode '${roundingMode}' is not supported for bool tensors (expected int32, float32 or float64)`);
  }
  const dtype = roundingMode === null ? toFloatingPoint(operands.dtype) : operands.dtype;
  const result = getKernel('div')(operands.input, operands.other, roundingMode, dtype);
  recordOperation('div', [operands.input, operands.other], result, { roundingMode });
  return result;
}

/**
 * `input` raised to `exponent`, broadcasting, like `torch.pow`. Differentiable.
 * Integer powers stay integer (and wrap around); a negative integer exponent
 * tensor gives 0 except for bases 1 and -1, as in PyTorch.
 *
 * @throws ShapeError when the shapes do not broadcast.
 * @throws DTypeError when both operands are bool.
 * @throws RangeError for an integer tensor raised to a negative integer number.
 */
export function pow(input: TensorOrScalar, exponent: TensorOrScalar): Tensor {
  const operands = binaryOperands('pow', input, exponent);
  if (operands.dtype === 'bool') {
    throw new DTypeError('pow: not supported for bool tensors (got bool and bool; expected int32, float32 or float64)');
  }
  if (operands.dtype === 'int32' && typeof exponent === 'number' && exponent < 0) {
    throw new RangeError(`pow: integers to negative integer powers are not allowed (got exponent ${exponent} for an int32 tensor)`);
  }
  const result = getKernel('pow')(operands.input, operands.other, operands.dtype);
  recordOperation('pow', [operands.input, operands.other], result, {});
  return result;
}

/**
 * The elementwise maximum, broadcasting, like `torch.maximum`: NaN in either
 * operand gives NaN. Differentiable.
 *
 * @throws ShapeError when the shapes do not broadcast.
 */
export function maximum(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  const operands = binaryOperands('maximum', input, other);
  const result = getKernel('maximum')(operands.input, operands.other, operands.dtype);
  recordOperation('maximum', [operands.input, operands.other], result, {});
  return result;
}

/**
 * The elementwise minimum, broadcasting, like `torch.minimum`: NaN in either
 * operand gives NaN. Differentiable.
 *
 * @throws ShapeError when the shapes do not broadcast.
 */
export function minimum(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  const operands = binaryOperands('minimum', input, other);
  const result = getKernel('minimum')(operands.input, operands.other, operands.dtype);
  recordOperation('minimum', [operands.input, operands.other], result, {});
  return result;
}

/**
 * Elements of `input` where `condition` is true and of `other` elsewhere,
 * all three broadcast together, like `torch.where`. Differentiable in
 * `input` and `other`. The dtype is the promotion of `input` and `other`.
 *
 * @throws DTypeError when `condition` is not a bool tensor.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * where(gt(x, 0), x, 0);  // relu
 * ```
 */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  if (!(condition instanceof Tensor)) {
    throw new TypeError(`where: expected condition to be a bool Tensor, got ${typeof condition}`);
  }
  if (condition.dtype !== 'bool') {
    throw new DTypeError(`where: expected condition to be a bool tensor, got dtype ${condition.dtype}`);
  }
  checkOperand(input, 'where', 'input');
  checkOperand(other, 'where', 'other');
  broadcastShapes(broadcastShapes(condition.shape, shapeOf(input), 'where'), shapeOf(other), 'where');
  const dtype = resultType(input, other);
  const first = operandTensor(input, dtype);
  const second = operandTensor(other, dtype);
  const result = getKernel('where')(condition, first, second, dtype);
  recordOperation('where', [condition, first, second], result, {});
  return result;
}

/** A number bound as the result dtype holds it (int32 wraps, float32 rounds), as PyTorch casts a scalar. */
function boundIn(value: number, dtype: DType): number {
  const holder = allocate(dtype, 1);
  holder[0] = value;
  return holder[0]!;
}

function checkBound(value: unknown, name: string): Tensor | number | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Tensor || typeof value === 'number') return value;
  throw new TypeError(`clamp: expected ${name} to be a Tensor, a number or null, got ${describeKind(value)}`);
}

/**
 * Limits every element to `[min, max]`, like `torch.clamp`: `min(max(x, min),
 * max)`, so `max` wins when `min > max`. Bounds are numbers or tensors
 * (broadcast with `input`); give them positionally, `clamp(x, 0, 1)`, or by
 * name, `clamp(x, { max: 1 })`. NaN in `input` stays NaN; a NaN number bound
 * is ignored, a NaN tensor bound propagates (as in PyTorch). The dtype is the
 * promotion of `input` and the bounds. Differentiable.
 *
 * @throws TypeError when neither bound is given, or a bound is not a tensor, a number or null.
 * @throws ShapeError when tensor bounds do not broadcast with `input`.
 * @example
 * ```ts
 * clamp(tensor([-2, 0.5, 3]), 0, 1);    // [0, 0.5, 1]
 * clamp(tensor([-2, 0.5, 3]), { max: 1 }); // [-2, 0.5, 1]
 * ```
 */
export function clamp(input: Tensor, min?: ClampOptions | Tensor | number | null, max?: Tensor | number | null): Tensor {
  checkOperand(input, 'clamp', 'input');
  const named = typeof min === 'object' && min !== null && !(min instanceof Tensor);
  const low = checkBound(named ? (min as ClampOptions).min : min, 'min');
  const high = checkBound(named ? (min as ClampOptions).max : max, 'max');
  if (low === null && high === null) throw new TypeError("clamp: at least one of 'min' or 'max' must be given");
  const bounds = [low, high].filter((bound): bound is Tensor | number => bound !== null);
  let shape = shapeOf(input);
  for (const bound of bounds) shape = broadcastShapes(shape, shapeOf(bound), 'clamp');
  const dtype = resultType(input, ...bounds);
  const x = operandTensor(input, dtype);
  const resolve = (bound: Tensor | number | null): Tensor | number | null =>
    bound instanceof Tensor ? operandTensor(bound, dtype) : bound === null ? null : boundIn(bound, dtype);
  const lowBound = resolve(low);
  const highBound = resolve(high);
  const result = getKernel('clamp')(x, lowBound, highBound, dtype);
  const inputs = [x, lowBound, highBound].filter((value): value is Tensor => value instanceof Tensor);
  recordOperation('clamp', inputs, result, {
    min: lowBound instanceof Tensor ? 'tensor' : lowBound,
    max: highBound instanceof Tensor ? 'tensor' : highBound,
  });
  return result;
}
