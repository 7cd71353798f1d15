import { type DType, allocate, promoteTypes } from '../dtype.js';
import { broadcastShapes } from '../shape.js';
import { Storage } from '../storage.js';
import { describeKind } from '../checks.js';
import { Tensor } from '../tensor.js';
import { to } from './cast.js';

/**
 * An operand of an elementwise op: a tensor, or a JS number or boolean that
 * acts like PyTorch's Python scalar (a "weak" operand in type promotion).
 */
export type TensorOrScalar = Tensor | number | boolean;

/** The dtype a scalar stands for: a boolean is bool, an integer int32, any other number float32 (the default dtype). */
function scalarDType(value: number | boolean): DType {
  if (typeof value === 'boolean') return 'bool';
  return Number.isInteger(value) ? 'int32' : 'float32';
}

/** bool < integer < floating point. */
function category(dtype: DType): number {
  return dtype === 'bool' ? 0 : dtype === 'int32' ? 1 : 2;
}

/**
 * PyTorch's `combine_categories`: a lower-priority group of operands changes
 * the result only when it is of a higher category (an int tensor with a float
 * scalar gives float; a float32 tensor with a float64 0-d tensor stays
 * float32).
 */
function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null) return higher;
  return category(lower) > category(higher) ? promoteTypes(higher, lower) : higher;
}

/**
 * The dtype PyTorch's `torch.result_type` gives for these operands: tensors
 * with dimensions decide first, then 0-d tensors, then scalars; a later group
 * only counts when its category (bool < integer < floating point) is higher.
 * Integers count as int32 and other numbers as float32.
 *
 * @example
 * ```ts
 * resultType(tensor([1, 2], { dtype: 'int32' }), 2.5);  // 'float32'
 * resultType(tensor([1, 2]), tensor(1, { dtype: 'float64' })); // 'float32'
 * resultType(tensor([true]), 2);  // 'int32'
 * ```
 * @throws TypeError when an operand is not a tensor, a number or a boolean.
 */
export function resultType(...operands: readonly TensorOrScalar[]): DType {
  operands.forEach((operand, i) => checkOperand(operand, 'resultType', `operand ${i}`));
  let dimensioned: DType | null = null;
  let zeroDimensional: DType | null = null;
  let scalars: DType | null = null;
  for (const operand of operands) {
    if (operand instanceof Tensor) {
      if (operand.ndim > 0) dimensioned = dimensioned === null ? operand.dtype : promoteTypes(dimensioned, operand.dtype);
      else zeroDimensional = zeroDimensional === null ? operand.dtype : promoteTypes(zeroDimensional, operand.dtype);
    } else {
      const dtype = scalarDType(operand);
      scalars = scalars === null ? dtype : promoteTypes(scalars, dtype);
    }
  }
  return combine(dimensioned, combine(zeroDimensional, scalars)) ?? 'float32';
}

/** How error messages name a value of the wrong kind: `null`, `an array`, `number`, `object`. */
/**
 * Throws a TypeError naming the op and the argument unless `value` is a
 * tensor, a number or a boolean.
 */
export function checkOperand(value: unknown, op: string, name: string): asserts value is TensorOrScalar {
  if (value instanceof Tensor || typeof value === 'number' || typeof value === 'boolean') return;
  throw new TypeError(`${op}: expected ${name} to be a Tensor, a number or a boolean, got ${describeKind(value)}`);
}

/**
 * The operand as a tensor in an op whose arithmetic runs in `dtype`: a scalar
 * becomes a 0-d tensor of `dtype` (so `int32` wraps it, `float32` rounds it,
 * as PyTorch casts a Python scalar), and a float64 0-d tensor in float32
 * arithmetic is cast to float32 first, as PyTorch computes in the common
 * dtype. Other tensors are returned as they are and read as numbers by the
 * kernels.
 */
export function operandTensor(value: TensorOrScalar, dtype: DType): Tensor {
  if (value instanceof Tensor) {
    return value.dtype === 'float64' && dtype === 'float32' ? to(value, 'float32') : value;
  }
  const data = allocate(dtype, 1);
  data[0] = typeof value === 'boolean' ? Number(value) : dtype === 'bool' ? Number(value !== 0) : value;
  return new Tensor(new Storage(data), []);
}

/** Whether an operand is bool: a bool tensor or a JS boolean. */
export function isBoolOperand(value: TensorOrScalar): boolean {
  return value instanceof Tensor ? value.dtype === 'bool' : typeof value === 'boolean';
}

/** The dtype name of an operand, for error messages (`int32`, or `number` for a scalar). */
export function describeOperand(value: TensorOrScalar): string {
  return value instanceof Tensor ? value.dtype : typeof value;
}

/** Two operands of a binary op, as tensors, with the dtype their arithmetic runs in. */
export interface BinaryOperands {
  input: Tensor;
  other: Tensor;
  /** PyTorch's `result_type` of the two. */
  dtype: DType;
}

/**
 * Validates two operands of a binary elementwise op (their kinds, then that
 * their shapes broadcast) and converts scalars to 0-d tensors of the common
 * dtype.
 * @throws TypeError when an operand is not a tensor, number or boolean.
 * @throws ShapeError naming the op when the shapes do not broadcast.
 */
export function binaryOperands(op: string, input: unknown, other: unknown): BinaryOperands {
  checkOperand(input, op, 'input');
  checkOperand(other, op, 'other');
  broadcastShapes(shapeOf(input), shapeOf(other), op);
  const dtype = resultType(input, other);
  return { input: operandTensor(input, dtype), other: operandTensor(other, dtype), dtype };
}

/** The shape of an operand: a scalar is 0-d. */
export function shapeOf(value: TensorOrScalar): readonly number[] {
  return value instanceof Tensor ? value.shape : [];
}
