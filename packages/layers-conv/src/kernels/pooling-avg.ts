/**
 * Average pooling over any number of spatial dimensions, and its gradient
 * (its adjoint). No autograd in here: tensors in, a new contiguous tensor
 * out. Planes and segments as in `pooling-max.ts`.
 *
 * The divisor of each window follows PyTorch: `divisorOverride` when set;
 * else, with `countIncludePad`, the window's size clipped to the padded
 * input (a ceil-mode window that runs past the right padding counts only
 * what lies inside it); else the number of its elements inside the input.
 */
import { Tensor } from '@strata/tensor';
import { allocate } from '@strata/tensor/backend';
import { type ConvolutionGeometry, segmentTable } from './geometry.js';
import { pooling2dApplies } from './pooling-2d.js';
import { avgPool2d, avgPool2dBackward } from './pooling-avg-2d.js';
import { planeCount } from './pooling-max.js';

type FloatArray = Float32Array | Float64Array;

/** The divisor of every output position of one plane, row-major. */
export function avgPoolDivisors(geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null): Float64Array {
  const { inputSize, outputSize, kernelSize, stride, padding } = geometry;
  const rank = outputSize.length;
  let outputVolume = 1;
  for (const size of outputSize) outputVolume *= size;
  const divisors = new Float64Array(outputVolume);
  if (divisorOverride !== null) return divisors.fill(divisorOverride);
  // Per dimension and output index: the factor that dimension contributes.
  const factors = outputSize.map((size, d) => {
    const factor = new Float64Array(size);
    for (let o = 0; o < size; o++) {
      const start = o * stride[d]! - padding[d]!;
      const end = Math.min(start + kernelSize[d]!, inputSize[d]! + padding[d]!);
      factor[o] = countIncludePad ? end - start : Math.min(end, inputSize[d]!) - Math.max(start, 0);
    }
    return factor;
  });
  const position = new Array<number>(rank).fill(0);
  for (let o = 0; o < outputVolume; o++) {
    let divisor = 1;
    for (let d = 0; d < rank; d++) divisor *= factors[d]![position[d]!]!;
    divisors[o] = divisor;
    for (let d = rank - 1; d >= 0; d--) {
      if (++position[d]! < outputSize[d]!) break;
      position[d] = 0;
    }
  }
  return divisors;
}

/**
 * Average pooling of every plane of `input` `[..., ...geometry.inputSize]`
 * (float, or int32 with the quotient truncated toward zero as PyTorch's
 * integer division): `[..., ...geometry.outputSize]`.
 */
export function avgPoolKernel(
  input: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null,
): Tensor {
  const rank = geometry.kernelSize.length;
  const planes = planeCount(input.shape, rank);
  const { inputVolume, outputVolume, kernelVolume, step, first, source, target, count } = segmentTable(geometry);
  const divisors = avgPoolDivisors(geometry, countIncludePad, divisorOverride);
  const outputShape = [...input.shape.slice(0, input.ndim - rank), ...geometry.outputSize];
  if (pooling2dApplies(geometry, input.dtype)) {
    const result = allocate('float32', planes * outputVolume) as Float32Array;
    avgPool2d(input.contiguousData() as Float32Array, result, planes, geometry, divisors);
    return Tensor.fromData(result, outputShape);
  }
  const x = input.contiguousData() as FloatArray | Int32Array;
  const result = allocate(input.dtype as 'float32' | 'float64' | 'int32', planes * outputVolume);
  // Floats sum in place in the output, in its precision (as PyTorch's kernel); int32 sums in float64, exact.
  const integer = input.dtype === 'int32';
  const sums = integer ? new Float64Array(outputVolume) : (result as FloatArray);
  for (let p = 0; p < planes; p++) {
    const inBase = p * inputVolume;
    const outBase = p * outputVolume;
    const sumBase = integer ? 0 : outBase;
    if (integer) sums.fill(0);
    for (let k = 0; k < kernelVolume; k++) {
      const end = first[k + 1]!;
      for (let s = first[k]!; s < end; s++) {
        let at = inBase + source[s]!;
        let o = sumBase + target[s]!;
        const stop = o + count[s]!;
        for (; o < stop; o++, at += step) sums[o]! += x[at]!;
      }
    }
    if (integer) {
      for (let o = 0; o < outputVolume; o++) result[outBase + o] = Math.trunc(sums[o]! / divisors[o]!);
    } else {
      for (let o = 0; o < outputVolume; o++) result[outBase + o]! /= divisors[o]!;
    }
  }
  return Tensor.fromData(result, outputShape);
}

/**
 * The gradient of {@link avgPoolKernel}: each output gradient divided by its
 * window's divisor and added to every input element of the window.
 * `gradOutput` `[..., ...geometry.outputSize]` → `[..., ...geometry.inputSize]`.
 */
export function avgPoolBackwardKernel(
  gradOutput: Tensor, geometry: ConvolutionGeometry, countIncludePad: boolean, divisorOverride: number | null,
): Tensor {
  const rank = geometry.kernelSize.length;
  const planes = planeCount(gradOutput.shape, rank);
  const { inputVolume, outputVolume, kernelVolume, step, first, source, target, count } = segmentTable(geometry);
  const divisors = avgPoolDivisors(geometry, countIncludePad, divisorOverride);
  const inputShape = [...gradOutput.shape.slice(0, gradOutput.ndim - rank), ...geometry.inputSize];
  if (pooling2dApplies(geometry, gradOutput.dtype)) {
    const result = allocate('float32', planes * inputVolume) as Float32Array;
    avgPool2dBackward(gradOutput.contiguousData() as Float32Array, result, planes, geometry, divisors);
    return Tensor.fromData(result, inputShape);
  }
  const g = gradOutput.contiguousData() as FloatArray;
  const result = allocate(gradOutput.dtype as 'float32' | 'float64', planes * inputVolume);
  const scaled = new Float64Array(outputVolume);
  for (let p = 0; p < planes; p++) {
    const outBase = p * outputVolume;
    for (let o = 0; o < outputVolume; o++) scaled[o] = g[outBase + o]! / divisors[o]!;
    const inBase = p * inputVolume;
    for (let k = 0; k < kernelVolume; k++) {
      const end = first[k + 1]!;
      for (let s = first[k]!; s < end; s++) {
        let at = inBase + source[s]!;
        let o = target[s]!;
        const stop = o + count[s]!;
        for (; o < stop; o++, at += step) result[at]! += scaled[o]!;
      }
    }
  }
  return Tensor.fromData(result, inputShape);
}
