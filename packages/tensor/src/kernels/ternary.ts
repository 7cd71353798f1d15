import { type DType, type TypedArray, allocateForOverwrite } from '../dtype.js';
import { broadcastShapes, numelOf } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';
import { RowWalk, broadcastStrides } from './elementwise.js';
import { whereRowBits32 } from './float32-loops.js';
import { UnaryCode, unaryKernel } from './unary.js';

/** The ternary elementwise loops (`where` and `clamp` with tensor bounds). */
export enum TernaryCode {
  /** `first != 0 ? second : third` */
  Where,
  /** `minimum(maximum(first, second), third)`, NaN-propagating like PyTorch's tensor `clamp`. */
  Clamp,
}

/**
 * One row of a ternary operation: `count` elements, each operand read from
 * its position with its stride (0 for a broadcast operand), written to
 * `out[outIndex ..]`. The `switch` sits outside the loops.
 */
export function ternaryRow(
  code: TernaryCode,
  x: TypedArray,
  xi: number,
  xs: number,
  y: TypedArray,
  yi: number,
  ys: number,
  z: TypedArray,
  zi: number,
  zs: number,
  out: TypedArray,
  outIndex: number,
  count: number,
): void {
  const end = outIndex + count;
  switch (code) {
    case TernaryCode.Where:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys, zi += zs) out[o] = x[xi] !== 0 ? y[yi]! : z[zi]!;
      return;
    case TernaryCode.Clamp:
      for (let o = outIndex; o < end; o++, xi += xs, yi += ys, zi += zs) {
        const value = x[xi]!;
        const low = y[yi]!;
        const high = z[zi]!;
        // NaN in any of the three propagates, as PyTorch's maximum/minimum do.
        const raised = value !== value || low !== low ? NaN : value < low ? low : value;
        out[o] = raised !== raised || high !== high ? NaN : high < raised ? high : raised;
      }
      return;
  }
}

function ternaryKernel(
  op: string,
  code: TernaryCode,
  first: Tensor,
  second: Tensor,
  third: Tensor,
  dtype: DType,
): Tensor {
  const shape = broadcastShapes(broadcastShapes(first.shape, second.shape, op), third.shape, op);
  const total = numelOf(shape);
  const out = allocateForOverwrite(dtype, total);
  if (total === 0) return Tensor.fromData(out, shape);
  const walk = new RowWalk(
    shape,
    [broadcastStrides(first, shape), broadcastStrides(second, shape), broadcastStrides(third, shape)],
    [first.offset, second.offset, third.offset],
  );
  const [xs, ys, zs] = walk.rowStrides as [number, number, number];
  const positions = walk.positions;
  const length = walk.rowLength;
  const x = first.storage.data;
  const y = second.storage.data;
  const z = third.storage.data;
  if (code === TernaryCode.Where && x instanceof Uint8Array && y instanceof Float32Array && z instanceof Float32Array && out instanceof Float32Array) {
    // The branch-free float32 loop (see float32-loops.ts).
    const yBits = new Int32Array(y.buffer, y.byteOffset, y.length);
    const zBits = new Int32Array(z.buffer, z.byteOffset, z.length);
    const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
    for (let row = 0, o = 0; row < walk.rowCount; row++, o += length) {
      whereRowBits32(x, positions[0]!, xs, yBits, positions[1]!, ys, zBits, positions[2]!, zs, outBits, o, length);
      walk.advance();
    }
    return Tensor.fromData(out, shape);
  }
  for (let row = 0, o = 0; row < walk.rowCount; row++, o += length) {
    ternaryRow(code, x, positions[0]!, xs, y, positions[1]!, ys, z, positions[2]!, zs, out, o, length);
    walk.advance();
  }
  return Tensor.fromData(out, shape);
}

/**
 * The `where` kernel: `input` where `condition` is true, else `other`, all
 * three broadcast together, as a new contiguous tensor of `dtype`.
 */
export function whereKernel(condition: Tensor, input: Tensor, other: Tensor, dtype: DType): Tensor {
  return ternaryKernel('where', TernaryCode.Where, condition, input, other, dtype);
}

/** A one-element stand-in for a missing clamp bound. */
function unbounded(value: number): Tensor {
  return new Tensor(new Storage(new Float64Array([value])), []);
}

/**
 * The `clamp` kernel. Number bounds run one unary loop with PyTorch's scalar
 * semantics (a NaN bound is ignored); tensor bounds broadcast with `input`
 * and propagate NaN, as PyTorch's tensor `clamp` does. `null` means no bound.
 */
export function clampKernel(
  input: Tensor,
  min: Tensor | number | null,
  max: Tensor | number | null,
  dtype: DType,
): Tensor {
  if (!(min instanceof Tensor) && !(max instanceof Tensor)) {
    return unaryKernel(UnaryCode.Clamp, input, dtype, min ?? -Infinity, max ?? Infinity);
  }
  const low = min instanceof Tensor ? min : unbounded(min ?? -Infinity);
  const high = max instanceof Tensor ? max : unbounded(max ?? Infinity);
  return ternaryKernel('clamp', TernaryCode.Clamp, input, low, high, dtype);
}
