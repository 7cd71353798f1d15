/**
 * Max and min pooling over any number of spatial dimensions, and the
 * index scatter/gather that max pooling's gradient, max unpooling and their
 * gradients are made of. No autograd in here: tensors in, a new contiguous
 * tensor out.
 *
 * Every kernel works plane by plane: a plane is one (sample, channel) pair,
 * the trailing `rank` dimensions of a row-major tensor, so batched and
 * unbatched inputs are the same to it. Indices are int32 flat positions
 * within a plane, laid out as PyTorch's.
 *
 * Max pooling walks the convolution's segment table (see `geometry.ts`):
 * for each kernel offset in row-major order, the contiguous runs of output
 * positions whose window element lies inside the input. Each output
 * position thus meets its window's elements in row-major order, as
 * PyTorch's loop does, so the same comparison gives the same winner: a
 * strictly greater value replaces the current one (the first of equal
 * values wins), and so does any NaN (the last NaN of a window wins).
 */
import { Tensor } from '@strata/tensor';
import { allocate } from '@strata/tensor/backend';
import { type ConvolutionGeometry, segmentTable } from './geometry.js';
import { extremumPool2d, pooling2dApplies } from './pooling-2d.js';

type FloatArray = Float32Array | Float64Array;

/** The number of planes: the product of the dimensions before the trailing `rank` spatial ones. */
export function planeCount(shape: readonly number[], rank: number): number {
  let count = 1;
  for (let d = 0; d < shape.length - rank; d++) count *= shape[d]!;
  return count;
}

function volume(sizes: readonly number[]): number {
  let count = 1;
  for (const size of sizes) count *= size;
  return count;
}

/**
 * PyTorch's starting index of each window: the flat position of its first
 * element along each dimension at or after 0 (stepping by the dilation out
 * of the left padding). It is the window's first element when the window
 * reaches the input, and the index PyTorch reports for a window that holds
 * only -∞ (or lies wholly in the padding).
 */
function startIndices(geometry: ConvolutionGeometry): Int32Array {
  const { inputSize, outputSize, stride, padding, dilation } = geometry;
  const rank = outputSize.length;
  const starts = new Int32Array(volume(outputSize));
  const position = new Array<number>(rank).fill(0);
  for (let o = 0; o < starts.length; o++) {
    let flat = 0;
    for (let d = 0; d < rank; d++) {
      let start = position[d]! * stride[d]! - padding[d]!;
      while (start < 0) start += dilation[d]!;
      flat = flat * inputSize[d]! + start;
    }
    starts[o] = flat;
    for (let d = rank - 1; d >= 0; d--) {
      if (++position[d]! < outputSize[d]!) break;
      position[d] = 0;
    }
  }
  return starts;
}

/**
 * Max pooling (or min pooling with `minimum`) of every plane of `input`
 * `[..., ...geometry.inputSize]`: the extreme value of each window, and its
 * int32 index within the plane, both `[..., ...geometry.outputSize]`.
 */
export function maxPoolKernel(input: Tensor, geometry: ConvolutionGeometry, minimum: boolean): { values: Tensor; indices: Tensor } {
  const rank = geometry.kernelSize.length;
  const planes = planeCount(input.shape, rank);
  const outputShape = [...input.shape.slice(0, input.ndim - rank), ...geometry.outputSize];
  if (pooling2dApplies(geometry, input.dtype)) {
    const values = allocate('float32', planes * volume(geometry.outputSize)) as Float32Array;
    const indices = new Int32Array(values.length);
    extremumPool2d(input.contiguousData() as Float32Array, values, indices, planes, geometry, minimum);
    return { values: Tensor.fromData(values, outputShape), indices: Tensor.fromData(indices, outputShape) };
  }
  const table = segmentTable(geometry);
  const { inputVolume, outputVolume, kernelVolume, step, first, source, target, count } = table;
  const x = input.contiguousData() as FloatArray;
  const values = allocate(input.dtype as 'float32' | 'float64', planes * outputVolume);
  const indices = new Int32Array(planes * outputVolume);
  const starts = startIndices(geometry);
  const initial = minimum ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (let p = 0; p < planes; p++) {
    const inBase = p * inputVolume;
    const outBase = p * outputVolume;
    values.fill(initial, outBase, outBase + outputVolume);
    indices.set(starts, outBase);
    for (let k = 0; k < kernelVolume; k++) {
      const end = first[k + 1]!;
      for (let s = first[k]!; s < end; s++) {
        let at = source[s]!;
        let o = outBase + target[s]!;
        const stop = o + count[s]!;
        if (minimum) {
          for (; o < stop; o++, at += step) {
            const value = x[inBase + at]!;
            if (value < values[o]! || value !== value) {
              values[o] = value;
              indices[o] = at;
            }
          }
        } else {
          for (; o < stop; o++, at += step) {
            const value = x[inBase + at]!;
            if (value > values[o]! || value !== value) {
              values[o] = value;
              indices[o] = at;
            }
          }
        }
      }
    }
  }
  return { values: Tensor.fromData(values, outputShape), indices: Tensor.fromData(indices, outputShape) };
}

/**
 * Zeros of `shape` with each plane of `values` added at its `indices`
 * (`values` and `indices` share a shape whose last `rank` dimensions make a
 * plane): the gradient of max pooling. An index outside the plane (only a
 * window wholly in the padding has one) adds nothing.
 */
export function maxPoolBackwardKernel(values: Tensor, indices: Tensor, shape: readonly number[], rank: number): Tensor {
  const planes = planeCount(values.shape, rank);
  const sourceVolume = volume(values.shape.slice(values.ndim - rank));
  const targetVolume = volume(shape.slice(shape.length - rank));
  const g = values.contiguousData() as FloatArray;
  const at = indices.contiguousData() as Int32Array;
  const result = allocate(values.dtype as 'float32' | 'float64', planes * targetVolume);
  for (let p = 0; p < planes; p++) {
    const sourceBase = p * sourceVolume;
    const targetBase = p * targetVolume;
    for (let o = 0; o < sourceVolume; o++) {
      const index = at[sourceBase + o]!;
      if (index >= 0 && index < targetVolume) result[targetBase + index]! += g[sourceBase + o]!;
    }
  }
  return Tensor.fromData(result, shape);
}

/**
 * Zeros of `shape` with each plane of `values` written at its `indices`
 * (max unpooling; of two values sent to one position the later one stays).
 * The indices must lie inside the plane: the op checks them first.
 */
export function maxUnpoolKernel(values: Tensor, indices: Tensor, shape: readonly number[], rank: number): Tensor {
  const planes = planeCount(values.shape, rank);
  const sourceVolume = volume(values.shape.slice(values.ndim - rank));
  const targetVolume = volume(shape.slice(shape.length - rank));
  const v = values.contiguousData() as FloatArray;
  const at = indices.contiguousData() as Int32Array;
  const result = allocate(values.dtype as 'float32' | 'float64', planes * targetVolume);
  for (let p = 0; p < planes; p++) {
    const sourceBase = p * sourceVolume;
    const targetBase = p * targetVolume;
    for (let o = 0; o < sourceVolume; o++) result[targetBase + at[sourceBase + o]!] = v[sourceBase + o]!;
  }
  return Tensor.fromData(result, shape);
}

/**
 * Each plane of `source` read at `indices` (the gradient of max unpooling,
 * and of `maxPoolBackward`): the result has `indices`' shape. An index
 * outside the plane reads 0.
 */
export function maxUnpoolBackwardKernel(source: Tensor, indices: Tensor, rank: number): Tensor {
  const planes = planeCount(indices.shape, rank);
  const sourceVolume = volume(source.shape.slice(source.ndim - rank));
  const targetVolume = volume(indices.shape.slice(indices.ndim - rank));
  const s = source.contiguousData() as FloatArray;
  const at = indices.contiguousData() as Int32Array;
  const result = allocate(source.dtype as 'float32' | 'float64', planes * targetVolume);
  for (let p = 0; p < planes; p++) {
    const sourceBase = p * sourceVolume;
    const targetBase = p * targetVolume;
    for (let o = 0; o < targetVolume; o++) {
      const index = at[targetBase + o]!;
      if (index >= 0 && index < sourceVolume) result[targetBase + o] = s[sourceBase + index]!;
    }
  }
  return Tensor.fromData(result, indices.shape);
}
