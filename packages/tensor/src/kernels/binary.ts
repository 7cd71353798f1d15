import { type DType, type TypedArray, allocateForOverwrite } from '../dtype.js';
import { broadcastShapes, numelOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { RowWalk, broadcastStrides, isContiguousAs } from './elementwise.js';
import { binaryRowFloat32, compareRowFloat32, hasBinaryFloat32Loop, hasCompareFloat32Loop } from './float32-loops.js';

/**
 * The binary elementwise loops. The op layer picks the code from the op and
 * the result dtype (integer multiply wraps, bool add is a logical or, ...),
 * so each loop body is one expression with no dtype test inside.
 */
export enum BinaryCode {
  Add,
  Subtract,
  /** `x + alpha * y` in floating point (`alpha` is the first parameter). */
  AddScaled,
  /** `x + alpha * y` wrapping like int32 arithmetic. */
  AddScaledInteger,
  Multiply,
  /** `x * y` wrapping like int32 arithmetic. */
  MultiplyInteger,
  Divide,
  DivideTruncFloat,
  DivideFloorFloat,
  /** Integer division rounded toward zero; throws on a zero divisor. */
  DivideTruncInteger,
  /** Integer division rounded down; throws on a zero divisor. */
  DivideFloorInteger,
  Power,
  /** Integer power by repeated squaring, wrapping like int32 arithmetic. */
  PowerInteger,
  /** NaN-propagating maximum; on ties (`-0` vs `0`) the first operand, like PyTorch. */
  Maximum,
  Minimum,
  Equal,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  LogicalAnd,
  LogicalOr,
  LogicalXor,
  /** PyTorch's `isclose` (`rtol`, `atol` are the parameters). */
  IsClose,
  /** `isclose` with `equal_nan=True`. */
  IsCloseEqualNan,
  /** The first operand (bool `add` with `alpha` false). */
  First,
}

/**
 * C's `pow` where JavaScript's differs: `1 ** NaN` and `(-1) ** ±Infinity`
 * are 1 in C (and PyTorch), NaN in JavaScript.
 */
function powerFloat(x: number, y: number): number {
  const result = x ** y;
  if (result === result) return result;
  return x === 1 || (x === -1 && (y === Infinity || y === -Infinity)) ? 1 : result;
}

/** PyTorch's integer power: negative exponents give 0 except for bases 1 and -1. */
function powerInteger(x: number, y: number): number {
  if (y < 0) {
    if (x === 1) return 1;
    if (x === -1) return (-y) % 2 === 1 ? -1 : 1;
    return 0;
  }
  let result = 1;
  let base = x | 0;
  for (let exponent = y; exponent > 0; exponent = Math.floor(exponent / 2)) {
    if (exponent % 2 === 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
  }
  return result;
}

/** PyTorch's `div_floor_floating`: floor division that stays exact where `floor(x / y)` would round wrongly. */
function divideFloorFloat(x: number, y: number): number {
  if (y === 0) return x / y;
  const remainder = x % y;
  let quotient = (x - remainder) / y;
  if (remainder !== 0 && y < 0 !== remainder < 0) quotient -= 1;
  if (quotient === 0) {
    const sign = x / y;
    return sign < 0 || Object.is(sign, -0) ? -0 : 0;
  }
  const floored = Math.floor(quotient);
  return quotient - floored > 0.5 ? floored + 1 : floored;
}

function integerDivisor(y: number): number {
  if (y === 0) throw new RangeError('div: integer division by zero (ZeroDivisionError)');
  return y;
}

function isClose(x: number, y: number, rtol: number, atol: number): boolean {
  if (x === y) return true;
  const error = Math.abs(x - y);
  return error !== Infinity && error <= atol + Math.abs(rtol * y);
}

/**
 * One row of a binary operation: `count` elements of `x` and `y`, each read
 * from its position with its stride (0 broadcasts one element), written to
 * `out[outIndex ..]`. The `switch` sits outside the loops.
 */
export function binaryRow(
  code: BinaryCode,
  x: TypedArray,
  xi: number,
  xs: number,
  y: TypedArray,
  yi: number,
  ys: number,
  out: TypedArray,
  outIndex: number,
  count: number,
  parameter0: number,
  parameter1: number,
): void {
  const end = outIndex + count;
  switch (code) {
    case BinaryCode.Add:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! + y[yi]!;
      return;
    case BinaryCode.Subtract:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! - y[yi]!;
      return;
    case BinaryCode.AddScaled:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! + parameter0 * y[yi]!;
      return;
    case BinaryCode.AddScaledInteger:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! + Math.imul(parameter0, y[yi]!);
      return;
    case BinaryCode.Multiply:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! * y[yi]!;
      return;
    case BinaryCode.MultiplyInteger:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = Math.imul(x[xi]!, y[yi]!);
      return;
    case BinaryCode.Divide:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! / y[yi]!;
      return;
    case BinaryCode.DivideTruncFloat:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = Math.trunc(x[xi]! / y[yi]!);
      return;
    case BinaryCode.DivideFloorFloat:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = divideFloorFloat(x[xi]!, y[yi]!);
      return;
    case BinaryCode.DivideTruncInteger:
      // int32 / int32 in float64 is never close enough to an integer to round onto it.
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = Math.trunc(x[xi]! / integerDivisor(y[yi]!));
      return;
    case BinaryCode.DivideFloorInteger:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = Math.floor(x[xi]! / integerDivisor(y[yi]!));
      return;
    case BinaryCode.Power:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = powerFloat(x[xi]!, y[yi]!);
      return;
    case BinaryCode.PowerInteger:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = powerInteger(x[xi]!, y[yi]!);
      return;
    case BinaryCode.Maximum:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) {
        const a = x[xi]!;
        const b = y[yi]!;
        out[o] = a !== a ? a : b !== b ? b : a < b ? b : a;
      }
      return;
    case BinaryCode.Minimum:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) {
        const a = x[xi]!;
        const b = y[yi]!;
        out[o] = a !== a ? a : b !== b ? b : b < a ? b : a;
      }
      return;
    // The comparisons write `+(a < b)`, which compiles without a branch (a
    // `? 1 : 0` branch is mispredicted half the time on random data).
    case BinaryCode.Equal:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = +(x[xi] === y[yi]);
      return;
    case BinaryCode.NotEqual:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = +(x[xi] !== y[yi]);
      return;
    case BinaryCode.Less:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = +(x[xi]! < y[yi]!);
      return;
    case BinaryCode.LessEqual:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = +(x[xi]! <= y[yi]!);
      return;
    case BinaryCode.Greater:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = +(x[xi]! > y[yi]!);
      return;
    case BinaryCode.GreaterEqual:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = +(x[xi]! >= y[yi]!);
      return;
    case BinaryCode.LogicalAnd:
      // NaN is nonzero, hence true, as in PyTorch; `!== 0` keeps it so.
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi] !== 0 && y[yi] !== 0 ? 1 : 0;
      return;
    case BinaryCode.LogicalOr:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi] !== 0 || y[yi] !== 0 ? 1 : 0;
      return;
    case BinaryCode.LogicalXor:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = (x[xi] !== 0) !== (y[yi] !== 0) ? 1 : 0;
      return;
    case BinaryCode.IsClose:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = isClose(x[xi]!, y[yi]!, parameter0, parameter1) ? 1 : 0;
      return;
    case BinaryCode.IsCloseEqualNan:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) {
        const a = x[xi]!;
        const b = y[yi]!;
        out[o] = isClose(a, b, parameter0, parameter1) || (a !== a && b !== b) ? 1 : 0;
      }
      return;
    case BinaryCode.First:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = x[xi]!;
      return;
  }
}

/**
 * Runs a binary operation over two broadcastable tensors into a new
 * contiguous tensor of `dtype`. Inputs of other dtypes are read as numbers
 * through their typed arrays, so no cast copy is made first.
 *
 * Fast paths: both operands contiguous with the output's shape (one flat
 * loop), one operand a single element and the other contiguous (one flat loop
 * with stride 0); otherwise a row walk with per-operand strides. Float32
 * operands run the float32 copies of the loops (see float32-loops.ts).
 *
 * @param op - the op name, for the broadcast error message
 */
export function binaryKernel(
  op: string,
  code: BinaryCode,
  first: Tensor,
  second: Tensor,
  dtype: DType,
  parameter0 = 0,
  parameter1 = 0,
): Tensor {
  const resultShape = broadcastShapes(first.shape, second.shape, op);
  const total = numelOf(resultShape);
  const result = allocateForOverwrite(dtype, total);
  if (total === 0) return Tensor.fromData(result, resultShape);
  const row = rowFunction(code, first.storage.data, second.storage.data, result);
  const x = first.storage.data;
  const y = second.storage.data;
  const xContiguous = isContiguousAs(first, resultShape);
  const yContiguous = isContiguousAs(second, resultShape);
  if (xContiguous && (yContiguous || second.numel() === 1)) {
    row(code, x, first.offset, 1, y, second.offset, yContiguous ? 1 : 0, result, 0, total, parameter0, parameter1);
    return Tensor.fromData(result, resultShape);
  }
  if (yContiguous && first.numel() === 1) {
    row(code, x, first.offset, 0, y, second.offset, 1, result, 0, total, parameter0, parameter1);
    return Tensor.fromData(result, resultShape);
  }
  const walk = new RowWalk(
    resultShape,
    [broadcastStrides(first, resultShape), broadcastStrides(second, resultShape)],
    [first.offset, second.offset],
  );
  const [xs, ys] = walk.rowStrides as [number, number];
  const positions = walk.positions;
  const length = walk.rowLength;
  for (let r = 0, o = 0; r < walk.rowCount; r++, o += length) {
    row(code, x, positions[0]!, xs, y, positions[1]!, ys, result, o, length, parameter0, parameter1);
    walk.advance();
  }
  return Tensor.fromData(result, resultShape);
}

/** A row loop with `binaryRow`'s parameters. */
type BinaryRowLoop = typeof binaryRow;

/**
 * The float32 loop when all three arrays are float32 (or the result bool for
 * a comparison) and it has one for `code`, else the general `binaryRow`.
 */
function rowFunction(code: BinaryCode, x: TypedArray, y: TypedArray, out: TypedArray): BinaryRowLoop {
  if (x instanceof Float32Array && y instanceof Float32Array) {
    if (out instanceof Float32Array && hasBinaryFloat32Loop(code)) return binaryRowFloat32 as BinaryRowLoop;
    if (out instanceof Uint8Array && hasCompareFloat32Loop(code)) return compareRowFloat32 as BinaryRowLoop;
  }
  return binaryRow;
}
