import { BinaryCode } from './binary.js';
import { UnaryCode } from './unary.js';

/*
 * The float32 copies of the elementwise loops: the same bodies as the
 * general loops of binary.ts, unary.ts and ternary.ts, in functions that only
 * ever see Float32Array operands (and a Uint8Array for bool results).
 *
 * Why copies: V8 keeps one set of type feedback per function, so a loop that
 * has read Float32Array, Float64Array, Int32Array and Uint8Array elements
 * checks the array kind on every access and reloads its length and base each
 * iteration (about 40 instructions an element in the CNN step, 6–14 ns). A
 * function that has only seen float32 compiles to a tight loop, about 1.4 ns
 * an element for a read, an operation and a write. The dispatchers call these
 * only with float32 arrays, so their feedback stays monomorphic; functions made
 * by a factory would share one feedback vector and not help.
 */

/** Whether {@link binaryRowFloat32} has a loop for `code` (float arithmetic with a float32 result). */
export function hasBinaryFloat32Loop(code: BinaryCode): boolean {
  switch (code) {
    case BinaryCode.Add:
    case BinaryCode.Subtract:
    case BinaryCode.AddScaled:
    case BinaryCode.Multiply:
    case BinaryCode.Divide:
    case BinaryCode.Maximum:
    case BinaryCode.Minimum:
      return true;
    default:
      return false;
  }
}

/**
 * One row of a float32 binary operation (see `binaryRow`), for the codes
 * {@link hasBinaryFloat32Loop} accepts. Strides 1 and 0 (a broadcast
 * element) are the common cases; any stride works.
 */
export function binaryRowFloat32(
  code: BinaryCode,
  x: Float32Array,
  xi: number,
  xs: number,
  y: Float32Array,
  yi: number,
  ys: number,
  out: Float32Array,
  outIndex: number,
  count: number,
  parameter0: number,
): void {
  const end = outIndex + count;
  switch (code) {
    case BinaryCode.Add:
      if (xs === 1 && ys === 1) {
        for (let o = outIndex, d = xi - outIndex, e = yi - outIndex; o < end; o++) out[o] = x[o + d]! + y[o + e]!;
        return;
      }
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! + y[yi]!;
      return;
    case BinaryCode.Subtract:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! - y[yi]!;
      return;
    case BinaryCode.AddScaled:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! + parameter0 * y[yi]!;
      return;
    case BinaryCode.Multiply:
      if (xs === 1 && ys === 1) {
        for (let o = outIndex, d = xi - outIndex, e = yi - outIndex; o < end; o++) out[o] = x[o + d]! * y[o + e]!;
        return;
      }
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! * y[yi]!;
      return;
    case BinaryCode.Divide:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys) out[o] = x[xi]! / y[yi]!;
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
    default:
      throw new Error(`binaryRowFloat32: no float32 loop for code ${code}`);
  }
}

/** Whether {@link compareRowFloat32} has a loop for `code` (a comparison with a bool result). */
export function hasCompareFloat32Loop(code: BinaryCode): boolean {
  switch (code) {
    case BinaryCode.Equal:
    case BinaryCode.NotEqual:
    case BinaryCode.Less:
    case BinaryCode.LessEqual:
    case BinaryCode.Greater:
    case BinaryCode.GreaterEqual:
      return true;
    default:
      return false;
  }
}

/**
 * One row of a comparison of float32 operands into a bool (Uint8Array)
 * result; see `binaryRow`. `+(a <= b)` compiles without a branch, where
 * `a <= b ? 1 : 0` branches and, on random signs, is 4× slower.
 */
export function compareRowFloat32(
  code: BinaryCode,
  x: Float32Array,
  xi: number,
  xs: number,
  y: Float32Array,
  yi: number,
  ys: number,
  out: Uint8Array,
  outIndex: number,
  count: number,
): void {
  const end = outIndex + count;
  switch (code) {
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
    default:
      throw new Error(`compareRowFloat32: no float32 loop for code ${code}`);
  }
}

/** Whether {@link unaryRowFloat32} has a loop for `code` (float math with a float32 result). */
export function hasUnaryFloat32Loop(code: UnaryCode): boolean {
  switch (code) {
    case UnaryCode.Copy:
    case UnaryCode.Negate:
    case UnaryCode.Absolute:
    case UnaryCode.Square:
    case UnaryCode.Exp:
    case UnaryCode.Log:
    case UnaryCode.Sqrt:
    case UnaryCode.Rsqrt:
    case UnaryCode.Reciprocal:
    case UnaryCode.Clamp:
      return true;
    default:
      return false;
  }
}

/** One row of a float32 unary operation (see `unaryRow`), for the codes {@link hasUnaryFloat32Loop} accepts. */
export function unaryRowFloat32(
  code: UnaryCode,
  x: Float32Array,
  xi: number,
  xs: number,
  out: Float32Array,
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
    case UnaryCode.Square:
      for (let o = outIndex; o < end; o++, xi += xs) {
        const value = x[xi]!;
        out[o] = value * value;
      }
      return;
    case UnaryCode.Exp:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.exp(x[xi]!);
      return;
    case UnaryCode.Log:
      for (let o = outIndex; o < end; o++, xi += xs) out[o] = Math.log(x[xi]!);
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
    case UnaryCode.Clamp:
      for (let o = outIndex; o < end; o++, xi += xs) {
        const value = x[xi]!;
        const raised = value < parameter0 ? parameter0 : value;
        out[o] = parameter1 < raised ? parameter1 : raised;
      }
      return;
    default:
      throw new Error(`unaryRowFloat32: no float32 loop for code ${code}`);
  }
}

/**
 * One row of `where` with a bool condition and float32 values (see
 * `ternaryRow`), on the values' bit patterns (Int32Array views of the float32
 * storages) and without a branch: conditions such as `x > 0` over layer
 * outputs are random, and a branch on them is mispredicted half the time.
 */
export function whereRowBits32(
  condition: Uint8Array,
  ci: number,
  cs: number,
  x: Int32Array,
  xi: number,
  xs: number,
  y: Int32Array,
  yi: number,
  ys: number,
  out: Int32Array,
  outIndex: number,
  count: number,
): void {
  const end = outIndex + count;
  for (let o = outIndex; o < end; o++, ci += cs, xi += xs, yi += ys) {
    const c = condition[ci]!;
    // All ones for a nonzero (true) condition byte, else 0.
    const mask = (c | -c) >> 31;
    out[o] = (x[xi]! & mask) | (y[yi]! & ~mask);
  }
}
