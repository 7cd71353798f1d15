import { type DType, type TypedArray, allocateForOverwrite } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { RowWalk } from './elementwise.js';
import { hasUnaryFloat32Loop, unaryRowFloat32 } from './float32-loops.js';

/**
 * The unary elementwise loops. The op layer picks the code from the op and
 * the dtypes (`square` of an int32 tensor wraps, `floor` of one is a copy),
 * so each loop body is one expression with no dtype test inside.
 */
export enum UnaryCode {
  Copy,
  Negate,
  Absolute,
  /** `(x > 0) - (x < 0)`: 0 for NaN and -0, as PyTorch's CPU kernel. */
  Sign,
  Square,
  /** `x * x` wrapping like int32 arithmetic. */
  SquareInteger,
  Exp,
  Log,
  Log2,
  Log1p,
  Expm1,
  Sqrt,
  Rsqrt,
  Reciprocal,
  Sin,
  Cos,
  Floor,
  Ceil,
  /** Round half to even, like PyTorch's `round` (C's `nearbyint`). */
  Round,
  Trunc,
  LogicalNot,
  IsNan,
  IsFinite,
  IsInf,
  /** `min(max(x, low), high)` with scalar bounds (the parameters): NaN in `x` propagates, a NaN bound is ignored, as PyTorch's scalar `clamp`. */
  Clamp,
}

/** Rounds half to even; keeps the sign of zero (`round(-0.4)` is `-0`). */
function roundHalfEven(x: number): number {
  const rounded = Math.round(x);
  // Math.round rounds halves up; a tie that landed on an odd integer goes back down.
  return rounded - x === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/**
 * One row of a unary operation: `count` elements of `x` read from `xi` with
 * stride `xs`, written to `out[outIndex ..]`. The `switch` sits outside the
 * loops.
 */
export function unaryRow(
  code: UnaryCode,
  x: TypedArray,
  xi: number,
  xs: number,
  out: TypedArray,
  outIndex: number,
  count: number,
  parameter0: number,
  parameter1: number,
): void {
  const end = outIndex + count;
  switch (code) {
    case UnaryCode.Copy:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = x[xi]!;
      return;
    case UnaryCode.Negate:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = -x[xi]!;
      return;
    case UnaryCode.Absolute:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.abs(x[xi]!);
      return;
    case UnaryCode.Sign:
      for (let o = outIndex; o < end; o++, xi += xs) {
        const value = x[xi]!;
        out[o] = value > 0 ? 1 : value < 0 ? -1 : 0;
      }
      return;
    case UnaryCode.Square:
      for (let o = outIndex; o < end; o++, xi += xs) {
        const value = x[xi]!;
        out[o] = value * value;
      }
      return;
    case UnaryCode.SquareInteger:
      for (let o = outIndex; o < end; o++, xi += xs) {
        const value = x[xi]!;
        out[o] = Math.imul(value, value);
      }
      return;
    case UnaryCode.Exp:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.exp(x[xi]!);
      return;
    case UnaryCode.Log:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.log(x[xi]!);
      return;
    case UnaryCode.Log2:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.log2(x[xi]!);
      return;
    case UnaryCode.Log1p:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.log1p(x[xi]!);
      return;
    case UnaryCode.Expm1:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.expm1(x[xi]!);
      return;
    case UnaryCode.Sqrt:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.sqrt(x[xi]!);
      return;
    case UnaryCode.Rsqrt:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = 1 / Math.sqrt(x[xi]!);
      return;
    case UnaryCode.Reciprocal:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = 1 / x[xi]!;
      return;
    case UnaryCode.Sin:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.sin(x[xi]!);
      return;
    case UnaryCode.Cos:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.cos(x[xi]!);
      return;
    case UnaryCode.Floor:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.floor(x[xi]!);
      return;
    case UnaryCode.Ceil:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.ceil(x[xi]!);
      return;
    case UnaryCode.Round:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = roundHalfEven(x[xi]!);
      return;
    case UnaryCode.Trunc:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.trunc(x[xi]!);
      return;
    case UnaryCode.LogicalNot:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = x[xi] === 0 ? 1 : 0;
      return;
    case UnaryCode.IsNan:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = x[xi] !== x[xi] ? 1 : 0;
      return;
    case UnaryCode.IsFinite:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Number.isFinite(x[xi]) ? 1 : 0;
      return;
    case UnaryCode.IsInf:
      for (let o = outIndex; o < end; o++, xi += xs) {
        const value = x[xi]!;
        out[o] = value === Infinity || value === -Infinity ? 1 : 0;
      }
      return;
    case UnaryCode.Clamp:
      for (let o = outIndex; o < end; o++, xi += xs) {
        const value = x[xi]!;
        const raised = value < parameter0 ? parameter0 : value;
        out[o] = parameter1 < raised ? parameter1 : raised;
      }
      return;
  }
}

/**
 * Runs a unary operation over `input` into a new contiguous tensor of
 * `dtype` and `input`'s shape. A contiguous input is one flat loop; a strided
 * one is walked row by row with no copy first. Float32 in and out runs the
 * float32 copies of the loops (see float32-loops.ts).
 */
export function unaryKernel(code: UnaryCode, input: Tensor, dtype: DType, parameter0 = 0, parameter1 = 0): Tensor {
  const total = input.numel();
  const result = allocateForOverwrite(dtype, total);
  if (total === 0) return Tensor.fromData(result, input.shape);
  const x = input.storage.data;
  const row =
    x instanceof Float32Array && result instanceof Float32Array && hasUnaryFloat32Loop(code)
      ? (unaryRowFloat32 as typeof unaryRow)
      : unaryRow;
  if (input.isContiguous()) {
    row(code, x, input.offset, 1, result, 0, total, parameter0, parameter1);
    return Tensor.fromData(result, input.shape);
  }
  const walk = new RowWalk(input.shape, [input.strides], [input.offset]);
  const stride = walk.rowStrides[0]!;
  const positions = walk.positions;
  const length = walk.rowLength;
  for (let r = 0, o = 0; r < walk.rowCount; r++, o += length) {
    row(code, x, positions[0]!, stride, result, o, length, parameter0, parameter1);
    walk.advance();
  }
  return Tensor.fromData(result, input.shape);
}
