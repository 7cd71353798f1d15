import { DTypeError } from '../errors.js';
import { BinaryCode, binaryKernel } from '../kernels/binary.js';
import { UnaryCode, unaryKernel } from '../kernels/unary.js';
import { getKernel, registerKernel } from '../registry.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';
import { checkTensor } from '../checks.js';
import { type TensorOrScalar, binaryOperands } from './promotion.js';

/** The binary ops with a bool result. */
type ComparisonName = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr' | 'logicalXor';

/** The unary ops with a bool result. */
type PredicateName = 'logicalNot' | 'isnan' | 'isfinite' | 'isinf';

const comparisonCodes: Record<ComparisonName, BinaryCode> = {
  eq: BinaryCode.Equal,
  ne: BinaryCode.NotEqual,
  lt: BinaryCode.Less,
  le: BinaryCode.LessEqual,
  gt: BinaryCode.Greater,
  ge: BinaryCode.GreaterEqual,
  logicalAnd: BinaryCode.LogicalAnd,
  logicalOr: BinaryCode.LogicalOr,
  logicalXor: BinaryCode.LogicalXor,
};
for (const name of Object.keys(comparisonCodes) as ComparisonName[]) {
  const code = comparisonCodes[name];
  registerKernel(name, (input, other) => binaryKernel(name, code, input, other, 'bool'));
}
const predicateCodes: Record<PredicateName, UnaryCode> = {
  logicalNot: UnaryCode.LogicalNot,
  isnan: UnaryCode.IsNan,
  isfinite: UnaryCode.IsFinite,
  isinf: UnaryCode.IsInf,
};
for (const name of Object.keys(predicateCodes) as PredicateName[]) {
  const code = predicateCodes[name];
  registerKernel(name, (input) => unaryKernel(code, input, 'bool'));
}
registerKernel('isclose', (input, other, rtol, atol, equalNan) =>
  binaryKernel('isclose', equalNan ? BinaryCode.IsCloseEqualNan : BinaryCode.IsClose, input, other, 'bool', rtol, atol),
);

/** Options of `isclose` and `allclose`. */
export interface IsCloseOptions {
  /**
   * The relative tolerance.
   * @defaultValue `1e-5`
   */
  rtol?: number;
  /**
   * The absolute tolerance.
   * @defaultValue `1e-8`
   */
  atol?: number;
  /**
   * Whether two NaNs count as close.
   * @defaultValue `false`
   */
  equalNan?: boolean;
}

function compare(op: ComparisonName, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  // Operands meet in their common dtype (an int32 tensor against 2.5 compares as float32).
  const operands = binaryOperands(op, input, other);
  return getKernel(op)(operands.input, operands.other);
}

function predicate(op: PredicateName, input: Tensor): Tensor {
  checkTensor(op, 'input', input);
  return getKernel(op)(input);
}

/** `input == other` elementwise, broadcasting, like `torch.eq`: a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function eq(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('eq', input, other);
}

/** `input != other` elementwise, broadcasting, like `torch.ne`: a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function ne(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('ne', input, other);
}

/** `input < other` elementwise, broadcasting, like `torch.lt`: a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function lt(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('lt', input, other);
}

/** `input <= other` elementwise, broadcasting, like `torch.le`: a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function le(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('le', input, other);
}

/** `input > other` elementwise, broadcasting, like `torch.gt`: a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function gt(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('gt', input, other);
}

/** `input >= other` elementwise, broadcasting, like `torch.ge`: a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function ge(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('ge', input, other);
}

/** Both nonzero, elementwise, broadcasting, like `torch.logical_and` (any dtypes): a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function logicalAnd(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('logicalAnd', input, other);
}

/** Either nonzero, elementwise, broadcasting, like `torch.logical_or` (any dtypes): a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function logicalOr(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('logicalOr', input, other);
}

/** Exactly one nonzero, elementwise, broadcasting, like `torch.logical_xor` (any dtypes): a bool tensor. @throws ShapeError when the shapes do not broadcast. */
export function logicalXor(input: TensorOrScalar, other: TensorOrScalar): Tensor {
  return compare('logicalXor', input, other);
}

/** Whether each element is zero, like `torch.logical_not` (any dtype; NaN is nonzero): a bool tensor. */
export function logicalNot(input: Tensor): Tensor {
  return predicate('logicalNot', input);
}

/** Whether each element is NaN, like `torch.isnan` (always false for int32 and bool): a bool tensor. */
export function isnan(input: Tensor): Tensor {
  return predicate('isnan', input);
}

/** Whether each element is neither infinite nor NaN, like `torch.isfinite`: a bool tensor. */
export function isfinite(input: Tensor): Tensor {
  return predicate('isfinite', input);
}

/** Whether each element is `Infinity` or `-Infinity`, like `torch.isinf`: a bool tensor. */
export function isinf(input: Tensor): Tensor {
  return predicate('isinf', input);
}

/**
 * Whether each pair of elements is close, like `torch.isclose`:
 * `|input - other| <= atol + rtol * |other|`, or equal (so equal infinities
 * are close); NaNs are close to each other only with `equalNan`. Broadcasts.
 * A bool tensor.
 *
 * @throws DTypeError when the dtypes differ (as PyTorch refuses to compare int32 with float32 here).
 * @throws RangeError when `rtol` or `atol` is negative.
 * @throws ShapeError when the shapes do not broadcast.
 */
export function isclose(input: Tensor, other: Tensor, options: IsCloseOptions = {}): Tensor {
  return closeness('isclose', input, other, options);
}

function closeness(op: string, input: Tensor, other: Tensor, options: IsCloseOptions): Tensor {
  checkTensor(op, 'input', input);
  checkTensor(op, 'other', other);
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-8;
  if (input.dtype !== other.dtype) {
    throw new DTypeError(`${op}: expected both tensors to have the same dtype, got ${input.dtype} and ${other.dtype}`);
  }
  if (!(rtol >= 0)) throw new RangeError(`${op}: rtol must be greater than or equal to zero, got ${rtol}`);
  if (!(atol >= 0)) throw new RangeError(`${op}: atol must be greater than or equal to zero, got ${atol}`);
  broadcastShapes(input.shape, other.shape, op);
  return getKernel('isclose')(input, other, rtol, atol, options.equalNan ?? false);
}

function allTrue(mask: Tensor): boolean {
  const data = mask.contiguousData();
  for (let i = 0; i < data.length; i++) if (data[i] === 0) return false;
  return true;
}

/**
 * Whether every pair of elements is close (see {@link isclose}), like
 * `torch.allclose`: a JS boolean.
 *
 * @throws DTypeError when the dtypes differ.
 * @throws RangeError when `rtol` or `atol` is negative.
 * @throws ShapeError when the shapes do not broadcast.
 * @example
 * ```ts
 * allclose(tensor([1, 2]), tensor([1, 2.000001]));  // true
 * ```
 */
export function allclose(input: Tensor, other: Tensor, options: IsCloseOptions = {}): boolean {
  return allTrue(closeness('allclose', input, other, options));
}

/**
 * Whether the two tensors have the same shape and equal elements, like
 * `torch.equal`: a JS boolean (false for different shapes; values of
 * different dtypes are compared as numbers; NaN equals nothing).
 */
export function equal(input: Tensor, other: Tensor): boolean {
  checkTensor('equal', 'input', input);
  checkTensor('equal', 'other', other);
  if (!shapesEqual(input.shape, other.shape)) return false;
  return allTrue(getKernel('eq')(input, other));
}
