import { type TypedArray, allocateForOverwrite } from '../dtype.js';
import { Tensor } from '../tensor.js';
import { RowWalk } from './elementwise.js';

/**
 * ReLU's backward in one pass, like PyTorch's `threshold_backward(grad,
 * output, 0)`: 0 where the saved output is at most 0, `gradOutput` elsewhere
 * (a NaN output lets the gradient through). `gradOutput` and `output` have
 * one shape and may be any strided views; the result is a new contiguous
 * tensor of `gradOutput`'s dtype.
 *
 * It replaces the `le` + `where` pair the formula would run (two passes, a
 * bool temporary). Float32 operands run a branch-free loop on their bits.
 */
export function reluBackwardKernel(gradOutput: Tensor, output: Tensor): Tensor {
  const total = gradOutput.numel();
  const result = allocateForOverwrite(gradOutput.dtype, total);
  if (total === 0) return Tensor.fromData(result, gradOutput.shape);
  const g = gradOutput.storage.data;
  const y = output.storage.data;
  if (gradOutput.isContiguous() && output.isContiguous()) {
    if (g instanceof Float32Array && y instanceof Float32Array && result instanceof Float32Array) {
      reluBackwardContiguousFloat32(bitsOf(g), gradOutput.offset, bitsOf(y), output.offset, bitsOf(result), total);
    } else {
      reluBackwardRow(g, gradOutput.offset, 1, y, output.offset, 1, result, 0, total);
    }
    return Tensor.fromData(result, gradOutput.shape);
  }
  const walk = new RowWalk(gradOutput.shape, [gradOutput.strides, output.strides], [gradOutput.offset, output.offset]);
  const [gs, ys] = walk.rowStrides as [number, number];
  const positions = walk.positions;
  const length = walk.rowLength;
  if (g instanceof Float32Array && y instanceof Float32Array && result instanceof Float32Array) {
    const [gBits, yBits, resultBits] = [bitsOf(g), bitsOf(y), bitsOf(result)];
    for (let row = 0, o = 0; row < walk.rowCount; row++, o += length) {
      reluBackwardFloat32(gBits, positions[0]!, gs, yBits, positions[1]!, ys, resultBits, o, length);
      walk.advance();
    }
  } else {
    for (let row = 0, o = 0; row < walk.rowCount; row++, o += length) {
      reluBackwardRow(g, positions[0]!, gs, y, positions[1]!, ys, result, o, length);
      walk.advance();
    }
  }
  return Tensor.fromData(result, gradOutput.shape);
}

/**
 * The float32 loop, on the bit patterns (Int32Array views of the float32
 * storages) and without a branch (outputs have random
 * signs, so a branch would be mispredicted half the time). The gradient's
 * bits are kept where the output is positive (sign bit clear, magnitude
 * nonzero) or a NaN, and zeroed where it is ±0 or negative.
 */
function reluBackwardFloat32(
  g: Int32Array,
  gi: number,
  gs: number,
  y: Int32Array,
  yi: number,
  ys: number,
  out: Int32Array,
  outIndex: number,
  count: number,
): void {
  const end = outIndex + count;
  for (let o = outIndex; o < end; o++, gi += gs, yi += ys) {
    const bits = y[yi]!;
    const magnitude = bits & 0x7fffffff;
    // ~(bits >> 31) & (-magnitude >> 31): sign clear and nonzero; (0x7f800000 - magnitude) >> 31: NaN.
    out[o] = g[gi]! & ((~(bits >> 31) & (-magnitude >> 31)) | ((0x7f800000 - magnitude) >> 31));
  }
}

/**
 * {@link reluBackwardKernel} written into `gradOutput` itself, for a caller
 * that alone holds it (the autograd engine, for a gradient no one else has
 * seen): saves the new array and its first-touch page faults. Declines
 * (returns false, having written nothing) unless both are contiguous and
 * float32 or float64 of one dtype.
 */
export function reluBackwardInPlaceKernel(gradOutput: Tensor, output: Tensor): boolean {
  if (!gradOutput.isContiguous() || !output.isContiguous()) return false;
  const g = gradOutput.storage.data;
  const y = output.storage.data;
  const total = gradOutput.numel();
  if (g instanceof Float32Array && y instanceof Float32Array) {
    const gBits = bitsOf(g);
    reluBackwardContiguousFloat32(gBits, gradOutput.offset, bitsOf(y), output.offset, gBits.subarray(gradOutput.offset), total);
    return true;
  }
  if (g instanceof Float64Array && y instanceof Float64Array) {
    reluBackwardRow(g, gradOutput.offset, 1, y, output.offset, 1, g, gradOutput.offset, total);
    return true;
  }
  return false;
}

/** {@link reluBackwardFloat32} for contiguous operands: one index, no strides. */
function reluBackwardContiguousFloat32(g: Int32Array, gOffset: number, y: Int32Array, yOffset: number, out: Int32Array, count: number): void {
  for (let k = 0; k < count; k++) {
    const bits = y[yOffset + k]!;
    const magnitude = bits & 0x7fffffff;
    out[k] = g[gOffset + k]! & ((~(bits >> 31) & (-magnitude >> 31)) | ((0x7f800000 - magnitude) >> 31));
  }
}

/** The bit patterns of a float32 array's elements: an Int32Array over the same memory. */
function bitsOf(array: Float32Array): Int32Array {
  return new Int32Array(array.buffer, array.byteOffset, array.length);
}

function reluBackwardRow(
  g: TypedArray,
  gi: number,
  gs: number,
  y: TypedArray,
  yi: number,
  ys: number,
  out: TypedArray,
  outIndex: number,
  count: number,
): void {
  const end = outIndex + count;
  for (let o = outIndex; o < end; o++, gi += gs, yi += ys) out[o] = y[yi]! <= 0 ? 0 : g[gi]!;
}

/** One row of a pointwise backward: `count` gradient and input elements (with their strides) into `out[outIndex ..]`. */
type BackwardRow = (
  g: TypedArray,
  gi: number,
  gs: number,
  x: TypedArray,
  xi: number,
  xs: number,
  out: TypedArray,
  outIndex: number,
  count: number,
  parameter0: number,
  parameter1: number,
) => void;

/**
 * Runs `row` over same-shape `gradOutput` and `input` (any layouts) into a
 * new contiguous tensor of `gradOutput`'s dtype: one call for contiguous
 * operands, else one per row of a walk.
 */
function pointwiseBackward(gradOutput: Tensor, input: Tensor, row: BackwardRow, parameter0: number, parameter1: number): Tensor {
  const total = gradOutput.numel();
  const result = allocateForOverwrite(gradOutput.dtype, total);
  if (total === 0) return Tensor.fromData(result, gradOutput.shape);
  const g = gradOutput.storage.data;
  const x = input.storage.data;
  if (gradOutput.isContiguous() && input.isContiguous()) {
    row(g, gradOutput.offset, 1, x, input.offset, 1, result, 0, total, parameter0, parameter1);
    return Tensor.fromData(result, gradOutput.shape);
  }
  const walk = new RowWalk(gradOutput.shape, [gradOutput.strides, input.strides], [gradOutput.offset, input.offset]);
  const [gs, xs] = walk.rowStrides as [number, number];
  const positions = walk.positions;
  const length = walk.rowLength;
  for (let r = 0, o = 0; r < walk.rowCount; r++, o += length) {
    row(g, positions[0]!, gs, x, positions[1]!, xs, result, o, length, parameter0, parameter1);
    walk.advance();
  }
  return Tensor.fromData(result, gradOutput.shape);
}

function hardtanhBackwardRow(
  g: TypedArray, gi: number, gs: number, x: TypedArray, xi: number, xs: number,
  out: TypedArray, outIndex: number, count: number, minVal: number, maxVal: number,
): void {
  const end = outIndex + count;
  for (let o = outIndex; o < end; o++, gi += gs, xi += xs) {
    const value = x[xi]!;
    out[o] = value <= minVal || value >= maxVal ? 0 : g[gi]!;
  }
}

function leakyReluBackwardRow(
  g: TypedArray, gi: number, gs: number, x: TypedArray, xi: number, xs: number,
  out: TypedArray, outIndex: number, count: number, negativeSlope: number,
): void {
  const end = outIndex + count;
  for (let o = outIndex; o < end; o++, gi += gs, xi += xs) {
    const gradient = g[gi]!;
    out[o] = x[xi]! > 0 ? gradient : gradient * negativeSlope;
  }
}

/**
 * hardtanh's (and relu6's) backward in one pass, like PyTorch's
 * `hardtanh_backward`: 0 where the input is at or outside `[minVal,
 * maxVal]`, `gradOutput` elsewhere (a NaN input lets it through). Replaces
 * `le`, `ge`, `logicalOr` and `where` (four passes, three bool temporaries).
 */
export function hardtanhBackwardKernel(gradOutput: Tensor, input: Tensor, minVal: number, maxVal: number): Tensor {
  return pointwiseBackward(gradOutput, input, hardtanhBackwardRow, minVal, maxVal);
}

/**
 * leakyRelu's backward in one pass, like PyTorch's `leaky_relu_backward`:
 * `gradOutput` where the input is positive, `negativeSlope · gradOutput`
 * elsewhere (NaN inputs included).
 */
export function leakyReluBackwardKernel(gradOutput: Tensor, input: Tensor, negativeSlope: number): Tensor {
  // PyTorch multiplies by the slope converted to the gradient's dtype (as `mul` by a number does).
  const slope = gradOutput.dtype === 'float32' ? Math.fround(negativeSlope) : negativeSlope;
  return pointwiseBackward(gradOutput, input, leakyReluBackwardRow, slope, 0);
}
