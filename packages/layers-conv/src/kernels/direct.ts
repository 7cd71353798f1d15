/**
 * Register-tiled direct convolution ("implicit GEMM"): the forward and the
 * weight gradient of any rank without a column matrix.
 *
 * A convolution is the product of the weight [O, C·K] with the column
 * matrix [C·K, positions]; im2col writes that matrix out (K times the
 * input), then the matrix product packs it again. Here the product's 4×4
 * micro-kernel reads the column matrix where it already lies: column-matrix
 * row `r = (c, k)` at output position `p` is the input element at
 * `base(p) + tap[r]` of a zero-padded copy of the sample, so only that
 * copy (one input's size) is written. The register tile is 4 output
 * channels × 4 neighbouring output positions along the last dimension
 * (the matrix product's 4×4, which the tensor package measured fastest in
 * V8), summed in float64 over the whole depth C·K, stored once with the
 * bias.
 *
 * Both operands sit in one Float64Array scratch (packed weights, then the
 * padded sample), so the inner loop pays one map and bounds check per array
 * as the matrix product's kernel does, and a float32 input is converted once.
 */
import type { ConvolutionGeometry } from './geometry.js';

type FloatArray = Float32Array | Float64Array;

/**
 * A convolution's sizes for the direct kernels. Unlike the public geometry,
 * `padding` may be negative (the input is then cropped), which is how the
 * input gradient runs as a convolution of the output gradient.
 */
export type DirectGeometry = Pick<ConvolutionGeometry, 'inputSize' | 'outputSize' | 'kernelSize' | 'stride' | 'padding' | 'dilation'>;

/** The padded layout of one sample and the offsets every loop needs. */
interface Layout {
  /** Padded spatial sizes: every window of every output position (rounded up to a 4-wide tile) lies inside. */
  padded: number[];
  paddedVolume: number;
  outputVolume: number;
  outputLast: number;
  /** Input step between neighbouring output positions of the last dimension. */
  step: number;
  /** Padded-plane offset of each outer output row's first window (one entry per row). */
  rowInput: Int32Array;
  /** Output-plane offset of each outer output row. */
  rowOutput: Int32Array;
  /** Offset of tap r = (channel c, kernel offset k) from a window's base: c·paddedVolume + Σ k_d·dilation_d·paddedStride_d. */
  taps: Int32Array;
}

function layout(geometry: DirectGeometry, groupChannels: number): Layout {
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
    paddedStrides[d] = paddedVolume;
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
  const taps = new Int32Array(groupChannels * kernelVolume);
  const kernelIndex = new Array<number>(rank).fill(0);
  for (let k = 0; k < kernelVolume; k++) {
    let offset = 0;
    for (let d = 0; d < rank; d++) offset += kernelIndex[d]! * dilation[d]! * paddedStrides[d]!;
    for (let c = 0; c < groupChannels; c++) taps[c * kernelVolume + k] = c * paddedVolume + offset;
    for (let d = last; d >= 0; d--) {
      if (++kernelIndex[d]! < kernelSize[d]!) break;
      kernelIndex[d] = 0;
    }
  }
  return { padded, paddedVolume, outputVolume, outputLast, step: stride[last]!, rowInput, rowOutput, taps };
}

/** Output positions per block of the weight gradient: their packed gradient (4 doubles each) takes 16 KiB. */
const POSITION_BLOCK = 512;

/** Grow-only scratch shared by the calls (never two at once: kernels do not nest). */
let scratch = new Float64Array(0);
function scratchOf(length: number): Float64Array {
  if (scratch.length < length) scratch = new Float64Array(length);
  return scratch;
}
/** Receives partial tiles (last positions of a row, last channels of a group). */
const edgeTile = new Float64Array(16);

/**
 * Copies `channels` planes of one sample into `target` from `targetStart`,
 * zero-padded to the layout's sizes: padded coordinate t holds input
 * coordinate t − padding (zero outside the input, which also crops when
 * the padding is negative).
 */
function padSample(
  source: FloatArray, sourceStart: number, channels: number, inputSize: readonly number[], padding: readonly number[],
  padded: readonly number[], target: Float64Array, targetStart: number, paddedVolume: number,
): void {
  const rank = inputSize.length;
  const last = rank - 1;
  const inputLast = inputSize[last]!;
  const paddedLast = padded[last]!;
  const rows = paddedVolume / paddedLast;
  let inputVolume = 1;
  for (let d = 0; d < rank; d++) inputVolume *= inputSize[d]!;
  // The valid stretch of every padded row is the same: [first, end) of the padded row.
  const first = Math.min(Math.max(padding[last]!, 0), paddedLast);
  const end = Math.max(Math.min(padding[last]! + inputLast, paddedLast), first);
  const shift = -padding[last]!;
  for (let c = 0; c < channels; c++) {
    const plane = sourceStart + c * inputVolume;
    let row = targetStart + c * paddedVolume;
    for (let r = 0; r < rows; r++, row += paddedLast) {
      // The input row this padded row reads, or -1 when it lies in the padding.
      let remainder = r;
      let sourceRow = 0;
      let inside = true;
      let inputStride = inputLast;
      for (let d = last - 1; d >= 0; d--) {
        const coordinate = (remainder % padded[d]!) - padding[d]!;
        remainder = Math.floor(remainder / padded[d]!);
        if (coordinate < 0 || coordinate >= inputSize[d]!) {
          inside = false;
          break;
        }
        sourceRow += coordinate * inputStride;
        inputStride *= inputSize[d]!;
      }
      if (!inside || end === first) {
        target.fill(0, row, row + paddedLast);
        continue;
      }
      // Loops, not fill(): the margins are a few elements, shorter than a builtin call.
      for (let t = 0; t < first; t++) target[row + t] = 0;
      const from = plane + sourceRow + shift;
      for (let t = first; t < end; t++) target[row + t] = source[from + t]!;
      for (let t = end; t < paddedLast; t++) target[row + t] = 0;
    }
  }
}

/**
 * Packs a weight [outChannels, depth] for the forward kernel: per group and
 * block of 4 output channels, [depth][4] (missing channels zero).
 */
function packWeights(weight: FloatArray, outChannels: number, groups: number, depth: number, target: Float64Array): number {
  const groupOut = outChannels / groups;
  const blocks = Math.ceil(groupOut / 4);
  let index = 0;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      for (let r = 0; r < depth; r++) {
        for (let i = 0; i < 4; i++) {
          const o = b * 4 + i;
          target[index++] = o < groupOut ? weight[(g * groupOut + o) * depth + r]! : 0;
        }
      }
    }
  }
  return index;
}

/**
 * One 4×4 tile: 4 output channels (packed weights from `weightIndex`) × 4
 * output positions (windows at `base`, `base + step`, …) summed over the
 * depth, plus the bias, stored into `output` at `outputIndex` with
 * `outputStride` between channels.
 */
function forwardTile(
  s: Float64Array, depth: number, taps: Int32Array, weightIndex: number, base: number, step: number,
  output: FloatArray | Float64Array, outputIndex: number, outputStride: number,
  bias0: number, bias1: number, bias2: number, bias3: number,
): void {
  let c00 = bias0, c01 = bias0, c02 = bias0, c03 = bias0;
  let c10 = bias1, c11 = bias1, c12 = bias1, c13 = bias1;
  let c20 = bias2, c21 = bias2, c22 = bias2, c23 = bias2;
  let c30 = bias3, c31 = bias3, c32 = bias3, c33 = bias3;
  const step2 = 2 * step;
  const step3 = 3 * step;
  for (let r = 0; r < depth; r++) {
    const t = base + taps[r]!;
    const x0 = s[t]!, x1 = s[t + step]!, x2 = s[t + step2]!, x3 = s[t + step3]!;
    const w0 = s[weightIndex]!, w1 = s[weightIndex + 1]!, w2 = s[weightIndex + 2]!, w3 = s[weightIndex + 3]!;
    weightIndex += 4;
    c00 += w0 * x0; c01 += w0 * x1; c02 += w0 * x2; c03 += w0 * x3;
    c10 += w1 * x0; c11 += w1 * x1; c12 += w1 * x2; c13 += w1 * x3;
    c20 += w2 * x0; c21 += w2 * x1; c22 += w2 * x2; c23 += w2 * x3;
    c30 += w3 * x0; c31 += w3 * x1; c32 += w3 * x2; c33 += w3 * x3;
  }
  let o = outputIndex;
  output[o] = c00; output[o + 1] = c01; output[o + 2] = c02; output[o + 3] = c03;
  o += outputStride;
  output[o] = c10; output[o + 1] = c11; output[o + 2] = c12; output[o + 3] = c13;
  o += outputStride;
  output[o] = c20; output[o + 1] = c21; output[o + 2] = c22; output[o + 3] = c23;
  o += outputStride;
  output[o] = c30; output[o + 1] = c31; output[o + 2] = c32; output[o + 3] = c33;
}

/**
 * The convolution of `batch` samples: input [N, C, ...inputSize], weight
 * [O, C/groups, ...kernelSize], bias [O] or null, into `output` [N, O,
 * ...outputSize] (every element written).
 */
export function directForward(
  input: FloatArray, weight: FloatArray, bias: FloatArray | null, output: FloatArray,
  batch: number, channels: number, outChannels: number, groups: number, geometry: DirectGeometry,
): void {
  const groupChannels = channels / groups;
  const groupOut = outChannels / groups;
  const blocks = Math.ceil(groupOut / 4);
  const { padded, paddedVolume, outputVolume, outputLast, step, rowInput, rowOutput, taps } = layout(geometry, groupChannels);
  const depth = taps.length;
  let inputVolume = 1;
  for (const size of geometry.inputSize) inputVolume *= size;
  const weightLength = groups * blocks * depth * 4;
  const s = scratchOf(weightLength + channels * paddedVolume);
  packWeights(weight, outChannels, groups, depth, s);
  const fullTiles = Math.floor(outputLast / 4) * 4;
  for (let n = 0; n < batch; n++) {
    padSample(input, n * channels * inputVolume, channels, geometry.inputSize, geometry.padding, padded, s, weightLength, paddedVolume);
    for (let g = 0; g < groups; g++) {
      const channelBase = weightLength + g * groupChannels * paddedVolume;
      for (let b = 0; b < blocks; b++) {
        const weightIndex = (g * blocks + b) * depth * 4;
        const o0 = g * groupOut + b * 4;
        const lanes = Math.min(4, groupOut - b * 4);
        const bias0 = bias === null ? 0 : bias[o0]!;
        const bias1 = bias === null || lanes < 2 ? 0 : bias[o0 + 1]!;
        const bias2 = bias === null || lanes < 3 ? 0 : bias[o0 + 2]!;
        const bias3 = bias === null || lanes < 4 ? 0 : bias[o0 + 3]!;
        const planeStart = (n * outChannels + o0) * outputVolume;
        for (let row = 0; row < rowInput.length; row++) {
          const inputRow = channelBase + rowInput[row]!;
          const outputRow = planeStart + rowOutput[row]!;
          if (lanes === 4) {
            for (let w = 0; w < fullTiles; w += 4) {
              forwardTile(s, depth, taps, weightIndex, inputRow + w * step, step, output, outputRow + w, outputVolume, bias0, bias1, bias2, bias3);
            }
          }
          for (let w = lanes === 4 ? fullTiles : 0; w < outputLast; w += 4) {
            forwardTile(s, depth, taps, weightIndex, inputRow + w * step, step, edgeTile, 0, 4, bias0, bias1, bias2, bias3);
            const positions = Math.min(4, outputLast - w);
            for (let i = 0; i < lanes; i++) {
              for (let j = 0; j < positions; j++) output[outputRow + i * outputVolume + w + j] = edgeTile[i * 4 + j]!;
            }
          }
        }
      }
    }
  }
}

/**
 * The weight gradient, accumulated over the batch: input [N, C, ...inputSize]
 * and gradOutput [N, O, ...outputSize] → `result` [O, C/groups, ...kernelSize]
 * (overwritten).
 */
export function directBackwardWeight(
  input: FloatArray, gradOutput: FloatArray, result: FloatArray,
  batch: number, channels: number, outChannels: number, groups: number, geometry: DirectGeometry,
): void {
  const groupChannels = channels / groups;
  const groupOut = outChannels / groups;
  const blocks = Math.ceil(groupOut / 4);
  const { padded, paddedVolume, outputVolume, outputLast, step, rowInput, rowOutput, taps } = layout(geometry, groupChannels);
  const depth = taps.length;
  let inputVolume = 1;
  for (const size of geometry.inputSize) inputVolume *= size;
  // Scratch: the gradient of 4 output channels packed [position][4], then the padded sample.
  const packedLength = outputVolume * 4;
  const s = scratchOf(packedLength + channels * paddedVolume);
  const sums = new Float64Array(outChannels * depth);
  const rowBlock = Math.max(1, Math.floor(POSITION_BLOCK / outputLast));
  for (let n = 0; n < batch; n++) {
    padSample(input, n * channels * inputVolume, channels, geometry.inputSize, geometry.padding, padded, s, packedLength, paddedVolume);
    for (let g = 0; g < groups; g++) {
      const channelBase = packedLength + g * groupChannels * paddedVolume;
      for (let b = 0; b < blocks; b++) {
        const o0 = g * groupOut + b * 4;
        const lanes = Math.min(4, groupOut - b * 4);
        for (let i = 0; i < 4; i++) {
          const plane = (n * outChannels + o0 + i) * outputVolume;
          for (let p = 0, at = i; p < outputVolume; p++, at += 4) s[at] = i < lanes ? gradOutput[plane + p]! : 0;
        }
        // Rows in blocks, so the packed gradient of a block stays in L1 across the taps.
        for (let rowStart = 0; rowStart < rowInput.length; rowStart += rowBlock) {
          const rowEnd = Math.min(rowStart + rowBlock, rowInput.length);
          for (let r0 = 0; r0 < depth; r0 += 4) {
            weightTile(s, sums, o0, lanes, depth, r0, taps, channelBase, step, outputLast, rowInput, rowOutput, rowStart, rowEnd);
          }
        }
      }
    }
  }
  for (let i = 0; i < sums.length; i++) result[i] = sums[i]!;
}

/** Adds Σ gradOutput[o0 + i] · column-matrix row (r0 + j) over the positions of rows [rowStart, rowEnd) to `sums`, for a 4×4 block. */
function weightTile(
  s: Float64Array, sums: Float64Array, o0: number, lanes: number, depth: number, r0: number, taps: Int32Array,
  channelBase: number, step: number, outputLast: number, rowInput: Int32Array, rowOutput: Int32Array, rowStart: number, rowEnd: number,
): void {
  const rows = Math.min(4, depth - r0);
  // A missing tap repeats the last one (valid memory); its sums are dropped.
  const t0 = channelBase + taps[r0]!;
  const t1 = channelBase + taps[r0 + Math.min(1, rows - 1)]!;
  const t2 = channelBase + taps[r0 + Math.min(2, rows - 1)]!;
  const t3 = channelBase + taps[r0 + Math.min(3, rows - 1)]!;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let row = rowStart; row < rowEnd; row++) {
    let base = rowInput[row]!;
    let at = rowOutput[row]! * 4;
    const end = at + outputLast * 4;
    for (; at < end; at += 4, base += step) {
      const g0 = s[at]!, g1 = s[at + 1]!, g2 = s[at + 2]!, g3 = s[at + 3]!;
      const x0 = s[t0 + base]!, x1 = s[t1 + base]!, x2 = s[t2 + base]!, x3 = s[t3 + base]!;
      c00 += g0 * x0; c01 += g0 * x1; c02 += g0 * x2; c03 += g0 * x3;
      c10 += g1 * x0; c11 += g1 * x1; c12 += g1 * x2; c13 += g1 * x3;
      c20 += g2 * x0; c21 += g2 * x1; c22 += g2 * x2; c23 += g2 * x3;
      c30 += g3 * x0; c31 += g3 * x1; c32 += g3 * x2; c33 += g3 * x3;
    }
  }
  edgeTile[0] = c00; edgeTile[1] = c01; edgeTile[2] = c02; edgeTile[3] = c03;
  edgeTile[4] = c10; edgeTile[5] = c11; edgeTile[6] = c12; edgeTile[7] = c13;
  edgeTile[8] = c20; edgeTile[9] = c21; edgeTile[10] = c22; edgeTile[11] = c23;
  edgeTile[12] = c30; edgeTile[13] = c31; edgeTile[14] = c32; edgeTile[15] = c33;
  for (let i = 0; i < lanes; i++) {
    for (let j = 0; j < rows; j++) sums[(o0 + i) * depth + r0 + j]! += edgeTile[i * 4 + j]!;
  }
}

/**
 * The input gradient of a convolution whose strides are all 1, as a
 * convolution of the output gradient: dX[c] = Σ_o W[o, c] ⋆ dY[o] with the
 * kernel flipped and padded by `dilation·(k − 1) − padding` (negative: cropped).
 * gradOutput [N, O, ...outputSize], weight [O, C/groups, ...kernelSize], bias
 * [C] or null (added, for the transposed convolution) → `result` [N, C, ...inputSize].
 */
export function directBackwardInput(
  gradOutput: FloatArray, weight: FloatArray, bias: FloatArray | null, result: FloatArray,
  batch: number, channels: number, outChannels: number, groups: number, geometry: DirectGeometry,
): void {
  const { inputSize, outputSize, kernelSize, padding, dilation } = geometry;
  const groupChannels = channels / groups;
  const groupOut = outChannels / groups;
  let kernelVolume = 1;
  for (const size of kernelSize) kernelVolume *= size;
  // W'[g·C/g + c][o][k'] = W[g·O/g + o][c][K − 1 − k']: reversing the flat kernel index flips every dimension.
  const flipped = new Float64Array(weight.length);
  for (let g = 0; g < groups; g++) {
    for (let o = 0; o < groupOut; o++) {
      for (let c = 0; c < groupChannels; c++) {
        const from = ((g * groupOut + o) * groupChannels + c) * kernelVolume;
        const to = ((g * groupChannels + c) * groupOut + o) * kernelVolume + kernelVolume - 1;
        for (let k = 0; k < kernelVolume; k++) flipped[to - k] = weight[from + k]!;
      }
    }
  }
  const dual: DirectGeometry = {
    inputSize: outputSize,
    outputSize: inputSize,
    kernelSize,
    stride: kernelSize.map(() => 1),
    padding: kernelSize.map((size, d) => dilation[d]! * (size - 1) - padding[d]!),
    dilation,
  };
  directForward(gradOutput, flipped, bias, result, batch, outChannels, channels, groups, dual);
}
