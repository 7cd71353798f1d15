/**
 * Register-tiled direct convolution ("implicit GEMM"): the forward, the
 * weight gradient and (for stride 1) the input gradient of any rank,
 * without a column matrix.
 *
 * A convolution is the product of the weight [O, C·K] with the column
 * matrix [C·K, positions]; im2col writes that matrix out (K times the
 * input), then the matrix product packs it again. Here the product's 4×4
 * micro-kernel reads the column matrix where it already lies: row
 * `r = (k, c)` at output position `p` is the element at `base(p) + tap[r]`
 * of a zero-padded channels-last copy of the sample (`direct-layout.ts`),
 * so only that copy, one input's size, is written. The register tile is 4
 * output channels × 4 neighbouring output positions along the last
 * dimension (the matrix product's 4×4, which the tensor package measured
 * fastest in V8), summed in float64 over the whole depth C·K.
 *
 * Both operands sit in one Float64Array scratch (packed weights or packed
 * gradient, then the padded sample), so the inner loop pays one map and
 * bounds check per array as the matrix product's kernel does, and a float32
 * input is converted once.
 */
import { type DirectGeometry, directLayout, packWeights, padSample } from './direct-layout.js';

export type { DirectGeometry } from './direct-layout.js';

type FloatArray = Float32Array | Float64Array;

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
 * One 4×4 tile: 4 output channels (packed weights from `weightIndex`) × 4
 * output positions (windows at `base`, `base + step`, …), summed over the
 * kernel offsets (`kernelTaps`) and, within each, `groupChannels`
 * consecutive channels; plus the bias, stored into `output` at
 * `outputIndex` with `outputStride` between channels.
 */
function forwardTile(
  s: Float64Array, kernelTaps: Int32Array, groupChannels: number, weightIndex: number, base: number, step: number,
  output: FloatArray, outputIndex: number, outputStride: number,
  bias0: number, bias1: number, bias2: number, bias3: number,
): void {
  // Literal zeros, not the bias: V8 then keeps the sums unboxed in float64 registers
  // (started from parameters, they stayed tagged and every += allocated: 3.5× slower).
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const step2 = 2 * step;
  const step3 = 3 * step;
  for (let k = 0; k < kernelTaps.length; k++) {
    let t = base + kernelTaps[k]!;
    const end = t + groupChannels;
    for (; t < end; t++) {
      const x0 = s[t]!, x1 = s[t + step]!, x2 = s[t + step2]!, x3 = s[t + step3]!;
      const w0 = s[weightIndex]!, w1 = s[weightIndex + 1]!, w2 = s[weightIndex + 2]!, w3 = s[weightIndex + 3]!;
      weightIndex += 4;
      c00 += w0 * x0; c01 += w0 * x1; c02 += w0 * x2; c03 += w0 * x3;
      c10 += w1 * x0; c11 += w1 * x1; c12 += w1 * x2; c13 += w1 * x3;
      c20 += w2 * x0; c21 += w2 * x1; c22 += w2 * x2; c23 += w2 * x3;
      c30 += w3 * x0; c31 += w3 * x1; c32 += w3 * x2; c33 += w3 * x3;
    }
  }
  let o = outputIndex;
  output[o] = c00 + bias0; output[o + 1] = c01 + bias0; output[o + 2] = c02 + bias0; output[o + 3] = c03 + bias0;
  o += outputStride;
  output[o] = c10 + bias1; output[o + 1] = c11 + bias1; output[o + 2] = c12 + bias1; output[o + 3] = c13 + bias1;
  o += outputStride;
  output[o] = c20 + bias2; output[o + 1] = c21 + bias2; output[o + 2] = c22 + bias2; output[o + 3] = c23 + bias2;
  o += outputStride;
  output[o] = c30 + bias3; output[o + 1] = c31 + bias3; output[o + 2] = c32 + bias3; output[o + 3] = c33 + bias3;
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
  const { padded, sampleLength, outputVolume, outputLast, step, rowInput, rowOutput, kernelTaps } = directLayout(
    geometry, channels, groupChannels,
  );
  const depth = groupChannels * kernelTaps.length;
  let inputVolume = 1;
  for (const size of geometry.inputSize) inputVolume *= size;
  const weightLength = groups * blocks * depth * 4;
  const s = scratchOf(weightLength + sampleLength);
  packWeights(weight, outChannels, groups, groupChannels, kernelTaps.length, s);
  const fullTiles = Math.floor(outputLast / 4) * 4;
  for (let n = 0; n < batch; n++) {
    padSample(input, n * channels * inputVolume, channels, geometry.inputSize, geometry.padding, padded, s, weightLength);
    for (let g = 0; g < groups; g++) {
      const groupBase = weightLength + g * groupChannels;
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
          const inputRow = groupBase + rowInput[row]!;
          const outputRow = planeStart + rowOutput[row]!;
          if (lanes === 4) {
            for (let w = 0; w < fullTiles; w += 4) {
              forwardTile(
                s, kernelTaps, groupChannels, weightIndex, inputRow + w * step, step,
                output, outputRow + w, outputVolume, bias0, bias1, bias2, bias3,
              );
            }
          }
          for (let w = lanes === 4 ? fullTiles : 0; w < outputLast; w += 4) {
            forwardTile(s, kernelTaps, groupChannels, weightIndex, inputRow + w * step, step, edgeTile, 0, 4, bias0, bias1, bias2, bias3);
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
  const { padded, sampleLength, outputVolume, outputLast, step, rowInput, rowOutput, kernelTaps, taps } = directLayout(
    geometry, channels, groupChannels,
  );
  const kernelVolume = kernelTaps.length;
  const depth = taps.length;
  let inputVolume = 1;
  for (const size of geometry.inputSize) inputVolume *= size;
  // Scratch: the gradient of 4 output channels packed [position][4], then the padded sample.
  const packedLength = outputVolume * 4;
  const s = scratchOf(packedLength + sampleLength);
  // Sums by depth row r = k·groupChannels + c, the layout's order.
  const sums = new Float64Array(outChannels * depth);
  const rowBlock = Math.max(1, Math.floor(POSITION_BLOCK / outputLast));
  for (let n = 0; n < batch; n++) {
    padSample(input, n * channels * inputVolume, channels, geometry.inputSize, geometry.padding, padded, s, packedLength);
    for (let g = 0; g < groups; g++) {
      const groupBase = packedLength + g * groupChannels;
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
            weightTile(s, sums, o0, lanes, depth, r0, taps, groupBase, step, outputLast, rowInput, rowOutput, rowStart, rowEnd);
          }
        }
      }
    }
  }
  for (let o = 0; o < outChannels; o++) {
    for (let k = 0; k < kernelVolume; k++) {
      for (let c = 0; c < groupChannels; c++) result[(o * groupChannels + c) * kernelVolume + k] = sums[o * depth + k * groupChannels + c]!;
    }
  }
}

/**
 * Adds Σ gradOutput[o0 + i] · column-matrix row (r0 + j) over the positions
 * of rows [rowStart, rowEnd) to `sums`, for a 4×4 block.
 */
function weightTile(
  s: Float64Array, sums: Float64Array, o0: number, lanes: number, depth: number, r0: number, taps: Int32Array,
  groupBase: number, step: number, outputLast: number, rowInput: Int32Array, rowOutput: Int32Array, rowStart: number, rowEnd: number,
): void {
  const rows = Math.min(4, depth - r0);
  // A missing depth row repeats the last one (valid memory); its sums are dropped.
  const t0 = groupBase + taps[r0]!;
  const t1 = groupBase + taps[r0 + Math.min(1, rows - 1)]!;
  const t2 = groupBase + taps[r0 + Math.min(2, rows - 1)]!;
  const t3 = groupBase + taps[r0 + Math.min(3, rows - 1)]!;
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
