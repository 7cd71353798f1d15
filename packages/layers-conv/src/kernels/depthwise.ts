/**
 * Direct kernels for convolutions with one input channel per group
 * (depthwise, with any channel multiplier). Each output plane is a weighted
 * sum of shifted copies of one input plane, so it is computed in place as
 * `output += w · shifted input` over the segments: no column matrix, and no
 * matrix product whose inner dimension would be the kernel volume alone.
 *
 * Layouts: input [N, C, inputVolume], output [N, C·multiplier,
 * outputVolume], weight [C·multiplier, 1, kernelVolume]; output channel `o`
 * reads input channel `floor(o / multiplier)`.
 */
import type { SegmentTable } from './geometry.js';

type FloatArray = Float32Array | Float64Array;

/** `output += conv(input, weight)` for `batch` samples; `output` holds the bias (or zeros) on entry. */
export function depthwiseForward(
  input: FloatArray, weight: FloatArray, output: FloatArray,
  batch: number, channels: number, multiplier: number, table: SegmentTable,
): void {
  const { kernelVolume, inputVolume, outputVolume, step, first, source, target, count } = table;
  const outChannels = channels * multiplier;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const inPlane = (n * channels + Math.floor(o / multiplier)) * inputVolume;
      const outPlane = (n * outChannels + o) * outputVolume;
      for (let k = 0; k < kernelVolume; k++) {
        const w = weight[o * kernelVolume + k]!;
        const end = first[k + 1]!;
        for (let s = first[k]!; s < end; s++) {
          let from = inPlane + source[s]!;
          const to = outPlane + target[s]!;
          const length = count[s]!;
          for (let t = 0; t < length; t++, from += step) output[to + t]! += w * input[from]!;
        }
      }
    }
  }
}

/** The input gradient (or a transposed convolution's output): `gradInput += convᵀ(gradOutput, weight)`. */
export function depthwiseBackwardInput(
  gradOutput: FloatArray, weight: FloatArray, gradInput: FloatArray,
  batch: number, channels: number, multiplier: number, table: SegmentTable,
): void {
  const { kernelVolume, inputVolume, outputVolume, step, first, source, target, count } = table;
  const outChannels = channels * multiplier;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const inPlane = (n * channels + Math.floor(o / multiplier)) * inputVolume;
      const outPlane = (n * outChannels + o) * outputVolume;
      for (let k = 0; k < kernelVolume; k++) {
        const w = weight[o * kernelVolume + k]!;
        const end = first[k + 1]!;
        for (let s = first[k]!; s < end; s++) {
          let to = inPlane + source[s]!;
          const from = outPlane + target[s]!;
          const length = count[s]!;
          for (let t = 0; t < length; t++, to += step) gradInput[to]! += w * gradOutput[from + t]!;
        }
      }
    }
  }
}

/** The weight gradient: `gradWeight[o, 0, k] = Σ gradOutput · shifted input`, written (not accumulated). */
export function depthwiseBackwardWeight(
  input: FloatArray, gradOutput: FloatArray, gradWeight: FloatArray,
  batch: number, channels: number, multiplier: number, table: SegmentTable,
): void {
  const { kernelVolume, inputVolume, outputVolume, step, first, source, target, count } = table;
  const outChannels = channels * multiplier;
  for (let o = 0; o < outChannels; o++) {
    for (let k = 0; k < kernelVolume; k++) {
      const end = first[k + 1]!;
      let sum = 0;
      for (let n = 0; n < batch; n++) {
        const inPlane = (n * channels + Math.floor(o / multiplier)) * inputVolume;
        const outPlane = (n * outChannels + o) * outputVolume;
        for (let s = first[k]!; s < end; s++) {
          let from = inPlane + source[s]!;
          const at = outPlane + target[s]!;
          const length = count[s]!;
          for (let t = 0; t < length; t++, from += step) sum += gradOutput[at + t]! * input[from]!;
        }
      }
      gradWeight[o * kernelVolume + k] = sum;
    }
  }
}
