/**
 * Average pooling of float32 planes over two spatial dimensions with no
 * dilation (the inputs `pooling2dApplies` accepts), and its gradient. The
 * general kernels of `pooling-avg.ts` walk the segment table one kernel
 * offset at a time, sweeping the planes K times; these loops visit each
 * output once, with window bounds computed once per call and a straight
 * line for windows three wide. Only Float32Array, so each loop stays
 * monomorphic.
 *
 * Numerics: the forward sums each window in float64 and rounds once, so it
 * can differ from the general kernel's float32 running sums in the last bit
 * (toward the exact value); the gradient adds in the general kernel's order.
 * Measured on avgpool2d_fwd_bwd (x[32, 32, 32, 32], 3×3 windows, stride 2,
 * padding 1), CPU time: forward 5.5 → 3.0 ms, gradient 6.0 → 3.9 ms.
 */
import type { ConvolutionGeometry } from './geometry.js';

/**
 * The clipped window of each output index along one dimension: input
 * indices [start[o], end[o]).
 */
function windowBounds(size: number, outSize: number, kernel: number, stride: number, padding: number): { start: Int32Array; end: Int32Array } {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const first = o * stride - padding;
    start[o] = Math.max(first, 0);
    end[o] = Math.max(Math.min(first + kernel, size), start[o]!);
  }
  return { start, end };
}

/** What both loops need of the geometry: the planes' sizes and each output row's and column's clipped window. */
function windowPlan(geometry: ConvolutionGeometry) {
  const [height, width] = geometry.inputSize as [number, number];
  const [outHeight, outWidth] = geometry.outputSize as [number, number];
  return {
    width, outHeight, outWidth, inputVolume: height * width, outputVolume: outHeight * outWidth,
    rows: windowBounds(height, outHeight, geometry.kernelSize[0]!, geometry.stride[0]!, geometry.padding[0]!),
    columns: windowBounds(width, outWidth, geometry.kernelSize[1]!, geometry.stride[1]!, geometry.padding[1]!),
  };
}

/**
 * Average pooling of `planes` float32 planes: each window's sum, in
 * row-major window order, divided by its entry of `divisors`. Windows three
 * wide (the usual 3×3) sum each row in one expression.
 */
export function avgPool2d(
  x: Float32Array, result: Float32Array, planes: number, geometry: ConvolutionGeometry, divisors: Float64Array,
): void {
  const { width, outHeight, outWidth, inputVolume, outputVolume, rows, columns } = windowPlan(geometry);
  for (let p = 0; p < planes; p++) {
    const inBase = p * inputVolume;
    const outBase = p * outputVolume;
    let o = 0;
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = inBase + rows.start[oh]! * width;
      const rowEnd = inBase + rows.end[oh]! * width;
      for (let ow = 0; ow < outWidth; ow++, o++) {
        const w0 = columns.start[ow]!;
        const w1 = columns.end[ow]!;
        let sum = 0;
        if (w1 - w0 === 3) {
          for (let row = rowStart + w0; row < rowEnd + w0; row += width) sum = sum + x[row]! + x[row + 1]! + x[row + 2]!;
        } else {
          for (let row = rowStart; row < rowEnd; row += width) {
            for (let w = w0; w < w1; w++) sum += x[row + w]!;
          }
        }
        result[outBase + o] = sum / divisors[o]!;
      }
    }
  }
}

/**
 * The gradient of {@link avgPool2d}: each output gradient divided by its
 * divisor and added to every input element of its window, in row-major
 * window order (so in float32 after every addition, as the general
 * kernel). `result` holds zeros. Windows three wide (the usual 3×3) add
 * each row in one straight line.
 */
export function avgPool2dBackward(
  g: Float32Array, result: Float32Array, planes: number, geometry: ConvolutionGeometry, divisors: Float64Array,
): void {
  const { width, outHeight, outWidth, inputVolume, outputVolume, rows, columns } = windowPlan(geometry);
  for (let p = 0; p < planes; p++) {
    const inBase = p * inputVolume;
    const outBase = p * outputVolume;
    let o = 0;
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = inBase + rows.start[oh]! * width;
      const rowEnd = inBase + rows.end[oh]! * width;
      for (let ow = 0; ow < outWidth; ow++, o++) {
        const w0 = columns.start[ow]!;
        const w1 = columns.end[ow]!;
        const share = g[outBase + o]! / divisors[o]!;
        if (w1 - w0 === 3) {
          for (let row = rowStart + w0; row < rowEnd + w0; row += width) {
            result[row]! += share;
            result[row + 1]! += share;
            result[row + 2]! += share;
          }
        } else {
          for (let row = rowStart; row < rowEnd; row += width) {
            for (let w = w0; w < w1; w++) result[row + w]! += share;
          }
        }
      }
    }
  }
}
