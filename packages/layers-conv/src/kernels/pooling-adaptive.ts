/**
 * Adaptive average and max pooling over 1 to 3 spatial dimensions, and the
 * average's gradient. No autograd in here: tensors in, a new contiguous
 * tensor out. Planes as in `pooling-max.ts`.
 *
 * Output position `o` of a dimension of input size `n` and output size `m`
 * pools the input range `[floor(o·n/m), ceil((o+1)·n/m))`, as PyTorch's
 * `start_index`/`end_index`. Windows differ in size, so instead of segment
 * tables these kernels loop over each window directly; lower ranks run as
 * rank 3 with leading dimensions of size 1, which costs one-iteration loops.
 */
import { Tensor } from '@strata/tensor';
import { allocate } from '@strata/tensor/backend';
import { planeCount } from './pooling-max.js';

type FloatArray = Float32Array | Float64Array;

/** The window bounds along one dimension: `start[o]` (inclusive) to `end[o]` (exclusive). */
interface Ranges {
  start: Int32Array;
  end: Int32Array;
}

function ranges(inputSize: number, outputSize: number): Ranges {
  const start = new Int32Array(outputSize);
  const end = new Int32Array(outputSize);
  for (let o = 0; o < outputSize; o++) {
    start[o] = Math.floor((o * inputSize) / outputSize);
    end[o] = Math.ceil(((o + 1) * inputSize) / outputSize);
  }
  return { start, end };
}

/** Sizes padded to 3 dimensions with leading 1s. */
function asRank3(sizes: readonly number[]): [number, number, number] {
  const padded = [1, 1, 1, ...sizes].slice(-3);
  return [padded[0]!, padded[1]!, padded[2]!];
}

interface Plan {
  planes: number;
  inputSize: [number, number, number];
  outputSize: [number, number, number];
  depth: Ranges;
  height: Ranges;
  width: Ranges;
  inputVolume: number;
  outputVolume: number;
}

function plan(shape: readonly number[], inputSize: readonly number[], outputSize: readonly number[]): Plan {
  const rank = outputSize.length;
  const input3 = asRank3(inputSize);
  const output3 = asRank3(outputSize);
  return {
    planes: planeCount(shape, rank),
    inputSize: input3,
    outputSize: output3,
    depth: ranges(input3[0], output3[0]),
    height: ranges(input3[1], output3[1]),
    width: ranges(input3[2], output3[2]),
    inputVolume: input3[0] * input3[1] * input3[2],
    outputVolume: output3[0] * output3[1] * output3[2],
  };
}

/** Adaptive average pooling of every plane of `input` `[..., ...inputSize]` to `[..., ...outputSize]`. */
export function adaptiveAvgPoolKernel(input: Tensor, outputSize: readonly number[]): Tensor {
  const rank = outputSize.length;
  const { planes, inputSize, outputSize: size, depth, height, width, inputVolume, outputVolume } = plan(
    input.shape, input.shape.slice(input.ndim - rank), outputSize,
  );
  const [, inputHeight, inputWidth] = inputSize;
  const x = input.contiguousData() as FloatArray;
  const result = allocate(input.dtype as 'float32' | 'float64', planes * outputVolume);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inputVolume;
    for (let od = 0; od < size[0]; od++) {
      const d0 = depth.start[od]!;
      const d1 = depth.end[od]!;
      for (let oh = 0; oh < size[1]; oh++) {
        const h0 = height.start[oh]!;
        const h1 = height.end[oh]!;
        for (let ow = 0; ow < size[2]; ow++) {
          const w0 = width.start[ow]!;
          const w1 = width.end[ow]!;
          let sum = 0;
          for (let d = d0; d < d1; d++) {
            for (let h = h0; h < h1; h++) {
              const row = base + (d * inputHeight + h) * inputWidth;
              for (let w = w0; w < w1; w++) sum += x[row + w]!;
            }
          }
          result[o++] = sum / ((d1 - d0) * (h1 - h0) * (w1 - w0));
        }
      }
    }
  }
  return Tensor.fromData(result, [...input.shape.slice(0, input.ndim - rank), ...outputSize]);
}

/**
 * The gradient of {@link adaptiveAvgPoolKernel}: each output gradient
 * divided by its window's size and added to the window's input elements.
 * `gradOutput` `[..., ...outputSize]` → `[..., ...inputSize]`.
 */
export function adaptiveAvgPoolBackwardKernel(gradOutput: Tensor, inputSize: readonly number[]): Tensor {
  const rank = inputSize.length;
  const { planes, inputSize: input3, outputSize: size, depth, height, width, inputVolume } = plan(
    gradOutput.shape, inputSize, gradOutput.shape.slice(gradOutput.ndim - rank),
  );
  const [, inputHeight, inputWidth] = input3;
  const g = gradOutput.contiguousData() as FloatArray;
  const result = allocate(gradOutput.dtype as 'float32' | 'float64', planes * inputVolume);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inputVolume;
    for (let od = 0; od < size[0]; od++) {
      const d0 = depth.start[od]!;
      const d1 = depth.end[od]!;
      for (let oh = 0; oh < size[1]; oh++) {
        const h0 = height.start[oh]!;
        const h1 = height.end[oh]!;
        for (let ow = 0; ow < size[2]; ow++) {
          const w0 = width.start[ow]!;
          const w1 = width.end[ow]!;
          const share = g[o++]! / ((d1 - d0) * (h1 - h0) * (w1 - w0));
          for (let d = d0; d < d1; d++) {
            for (let h = h0; h < h1; h++) {
              const row = base + (d * inputHeight + h) * inputWidth;
              for (let w = w0; w < w1; w++) result[row + w]! += share;
            }
          }
        }
      }
    }
  }
  return Tensor.fromData(result, [...gradOutput.shape.slice(0, gradOutput.ndim - rank), ...inputSize]);
}

/**
 * Adaptive max pooling of every plane of `input` `[..., ...inputSize]`: the
 * maximum of each window and its int32 index within the plane (first of
 * equal values, last NaN, as PyTorch), both `[..., ...outputSize]`.
 */
export function adaptiveMaxPoolKernel(input: Tensor, outputSize: readonly number[]): { values: Tensor; indices: Tensor } {
  const rank = outputSize.length;
  const { planes, inputSize, outputSize: size, depth, height, width, inputVolume, outputVolume } = plan(
    input.shape, input.shape.slice(input.ndim - rank), outputSize,
  );
  const [, inputHeight, inputWidth] = inputSize;
  const x = input.contiguousData() as FloatArray;
  const values = allocate(input.dtype as 'float32' | 'float64', planes * outputVolume);
  const indices = new Int32Array(planes * outputVolume);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inputVolume;
    for (let od = 0; od < size[0]; od++) {
      const d0 = depth.start[od]!;
      const d1 = depth.end[od]!;
      for (let oh = 0; oh < size[1]; oh++) {
        const h0 = height.start[oh]!;
        const h1 = height.end[oh]!;
        for (let ow = 0; ow < size[2]; ow++) {
          const w0 = width.start[ow]!;
          const w1 = width.end[ow]!;
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = (d0 * inputHeight + h0) * inputWidth + w0;
          for (let d = d0; d < d1; d++) {
            for (let h = h0; h < h1; h++) {
              const row = (d * inputHeight + h) * inputWidth;
              for (let w = w0; w < w1; w++) {
                const value = x[base + row + w]!;
                if (value > best || value !== value) {
                  best = value;
                  bestIndex = row + w;
                }
              }
            }
          }
          values[o] = best;
          indices[o++] = bestIndex;
        }
      }
    }
  }
  const shape = [...input.shape.slice(0, input.ndim - rank), ...outputSize];
  return { values: Tensor.fromData(values, shape), indices: Tensor.fromData(indices, shape) };
}
