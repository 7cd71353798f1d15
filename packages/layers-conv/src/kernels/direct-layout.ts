/**
 * The data layout of the direct convolution kernels (`direct.ts`): one
 * sample zero-padded and stored channels-last, the packed weights, and the
 * offset tables the register tiles walk.
 *
 * Channels-last puts the input channels of one spatial position side by
 * side, so the column-matrix rows (channel c, kernel offset k) ordered
 * k-major are runs of consecutive doubles: a tile reads `groupChannels`
 * contiguous values per kernel offset instead of one value per tap-table
 * entry, and its 4 positions are `channels · stride` apart.
 */
import type { ConvolutionGeometry } from './geometry.js';

type FloatArray = Float32Array | Float64Array;

/**
 * A convolution's sizes for the direct kernels. Unlike the public geometry,
 * `padding` may be negative (the input is then cropped), which is how the
 * input gradient runs as a convolution of the output gradient.
 */
export type DirectGeometry = Pick<ConvolutionGeometry, 'inputSize' | 'outputSize' | 'kernelSize' | 'stride' | 'padding' | 'dilation'>;

/** The padded channels-last layout of one sample and the offsets every loop needs. */
export interface DirectLayout {
  /** Padded spatial sizes: every window of every output position (rounded up to a 4-wide tile) lies inside. */
  padded: number[];
  /** Doubles of one padded sample: padded volume × channels. */
  sampleLength: number;
  outputVolume: number;
  outputLast: number;
  /** Offset between the windows of neighbouring output positions of the last dimension: stride · channels. */
  step: number;
  /** Offset of each outer output row's first window (one entry per row). */
  rowInput: Int32Array;
  /** Output-plane offset of each outer output row. */
  rowOutput: Int32Array;
  /** Offset of each kernel offset k from a window's base: Σ k_d·dilation_d·paddedStride_d · channels. */
  kernelTaps: Int32Array;
  /** Offset of depth row r = k·groupChannels + c from a window's base: kernelTaps[k] + c. */
  taps: Int32Array;
}

/** The layout of `geometry` for samples of `channels` channels in groups of `groupChannels`. */
export function directLayout(geometry: DirectGeometry, channels: number, groupChannels: number): DirectLayout {
  const { inputSize, outputSize, kernelSize, stride, padding, dilation } = geometry;
  const rank = kernelSize.length;
  const last = rank - 1;
  const padded = inputSize.map((size, d) => {
    const tiles = d === last ? Math.ceil(outputSize[d]! / 4) * 4 : outputSize[d]!;
    return Math.max(size + padding[d]!, (tiles - 1) * stride[d]! + (kernelSize[d]! - 1) * dilation[d]! + 1, 1);
  });
  const paddedStrides = new Array<number>(rank);
  const outputStrides = new Array<number>(rank);
  let paddedVolume = 1;
  let outputVolume = 1;
  for (let d = last; d >= 0; d--) {
    paddedStrides[d] = paddedVolume * channels;
    outputStrides[d] = outputVolume;
    paddedVolume *= padded[d]!;
    outputVolume *= outputSize[d]!;
  }
  const outputLast = outputSize[last]!;
  const rows = outputVolume / outputLast;
  const rowInput = new Int32Array(rows);
  const rowOutput = new Int32Array(rows);
  const index = new Array<number>(rank).fill(0);
  for (let row = 0; row < rows; row++) {
    let input = 0;
    let output = 0;
    for (let d = 0; d < last; d++) {
      input += index[d]! * stride[d]! * paddedStrides[d]!;
      output += index[d]! * outputStrides[d]!;
    }
    rowInput[row] = input;
    rowOutput[row] = output;
    for (let d = last - 1; d >= 0; d--) {
      if (++index[d]! < outputSize[d]!) break;
      index[d] = 0;
    }
  }
  let kernelVolume = 1;
  for (let d = 0; d < rank; d++) kernelVolume *= kernelSize[d]!;
  const kernelTaps = new Int32Array(kernelVolume);
  const taps = new Int32Array(kernelVolume * groupChannels);
  const kernelIndex = new Array<number>(rank).fill(0);
  for (let k = 0; k < kernelVolume; k++) {
    let offset = 0;
    for (let d = 0; d < rank; d++) offset += kernelIndex[d]! * dilation[d]! * paddedStrides[d]!;
    kernelTaps[k] = offset;
    for (let c = 0; c < groupChannels; c++) taps[k * groupChannels + c] = offset + c;
    for (let d = last; d >= 0; d--) {
      if (++kernelIndex[d]! < kernelSize[d]!) break;
      kernelIndex[d] = 0;
    }
  }
  return {
    padded, sampleLength: paddedVolume * channels, outputVolume, outputLast, step: stride[last]! * channels,
    rowInput, rowOutput, kernelTaps, taps,
  };
}

/**
 * Writes sample `[channels, ...inputSize]` (from `sourceStart`) into
 * `target` from `targetStart`, zero-padded and channels-last: padded
 * coordinate t holds input coordinate t − padding (zero outside the input,
 * which also crops when the padding is negative).
 */
export function padSample(
  source: FloatArray, sourceStart: number, channels: number, inputSize: readonly number[], padding: readonly number[],
  padded: readonly number[], target: Float64Array, targetStart: number,
): void {
  const rank = inputSize.length;
  const last = rank - 1;
  const inputLast = inputSize[last]!;
  const paddedLast = padded[last]!;
  let paddedVolume = 1;
  let inputVolume = 1;
  for (let d = 0; d < rank; d++) {
    paddedVolume *= padded[d]!;
    inputVolume *= inputSize[d]!;
  }
  target.fill(0, targetStart, targetStart + paddedVolume * channels);
  // The valid stretch of every padded row is the same: [first, end) of the padded row.
  const first = Math.min(Math.max(padding[last]!, 0), paddedLast);
  const end = Math.max(Math.min(padding[last]! + inputLast, paddedLast), first);
  const shift = -padding[last]!;
  const rows = paddedVolume / paddedLast;
  for (let r = 0; r < rows; r++) {
    // The input row this padded row reads, if it reads one.
    let remainder = r;
    let sourceRow = 0;
    let inside = end > first;
    let inputStride = inputLast;
    for (let d = last - 1; d >= 0 && inside; d--) {
      const coordinate = (remainder % padded[d]!) - padding[d]!;
      remainder = Math.floor(remainder / padded[d]!);
      if (coordinate < 0 || coordinate >= inputSize[d]!) inside = false;
      sourceRow += coordinate * inputStride;
      inputStride *= inputSize[d]!;
    }
    if (!inside) continue;
    const row = targetStart + r * paddedLast * channels;
    for (let c = 0; c < channels; c++) {
      const from = sourceStart + c * inputVolume + sourceRow + shift;
      for (let t = first, to = row + first * channels + c; t < end; t++, to += channels) target[to] = source[from + t]!;
    }
  }
}

/**
 * Packs a weight [outChannels, groupChannels, ...kernel] for the forward
 * tile: per group and block of 4 output channels, [depth][4] with depth row
 * r = k·groupChannels + c (missing channels zero). Returns the length written.
 */
export function packWeights(
  weight: FloatArray, outChannels: number, groups: number, groupChannels: number, kernelVolume: number, target: Float64Array,
): number {
  const groupOut = outChannels / groups;
  const blocks = Math.ceil(groupOut / 4);
  const depth = groupChannels * kernelVolume;
  let index = 0;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      for (let k = 0; k < kernelVolume; k++) {
        for (let c = 0; c < groupChannels; c++) {
          for (let i = 0; i < 4; i++) {
            const o = b * 4 + i;
            target[index++] = o < groupOut ? weight[(g * groupOut + o) * depth + c * kernelVolume + k]! : 0;
          }
        }
      }
    }
  }
  return index;
}
