/**
 * The float32 convolution forward on the WebAssembly SIMD module of conv.wat
 * (assembled into conv-wasm.generated.ts by scripts/build-wasm.mjs): each
 * sample is padded into the module's memory and convolved there by a
 * register tile that reads the padded copy directly, with the bias as the
 * sums' starting value.
 *
 * Why not im2col into the shared `gemm`: on conv2d_fwd (x[32, 16, 32, 32],
 * w[32, 16, 3, 3], padding 1) that path writes a 19 MB column matrix, which
 * the product copies into its own memory and packs again, and copies its
 * output out: about as much time as the multiply-adds themselves (one
 * thread, CPU time: 17–19 ms for the call, of which the product's kernel
 * 8). Here the only copies are the batch in and the output out, and the
 * padded sample (74 KB) stays in cache; measured on one thread, 10 ms.
 *
 * The memory is grown, never shrunk; large batches go through in chunks of
 * samples so that it stays small.
 */
import { WasmKernelModule } from '@strata/tensor/backend';
import type { ConvolutionGeometry } from '../geometry.js';
import { CONV_WASM_BASE64 } from './conv-wasm.generated.js';

/** What conv.wat exports (pointers are byte offsets into `memory`). */
export interface ConvExports {
  readonly memory: WebAssembly.Memory;
  padSample(
    source: number, target: number, outer: number, middle: number, rows: number, length: number,
    outerStride: number, middleStride: number, rowStride: number,
  ): void;
  convolveSample(
    padded: number, output: number, weights: number, bias: number, tapOffsets: number, taps: number,
    lineOffsets: number, lines: number, width: number, blocks: number,
  ): void;
}

const conv = new WasmKernelModule<ConvExports>(CONV_WASM_BASE64);

/** Output channels of the register tile, and output positions along the last dimension. */
const TILE_CHANNELS = 4;
const TILE_WIDTH = 8;
/** Bytes [0, 16) are left alone; regions start here. */
const FIRST_BYTE = 16;
/** A chunk of samples copies at most about this many bytes of input and output through the module's memory. */
const CHUNK_BYTES = 16 << 20;

/**
 * Whether the WebAssembly forward takes this convolution: float32, one
 * group, stride 1 along the last dimension, at most three spatial
 * dimensions, and an output whose last dimension fills the 8-wide tiles.
 * Other shapes keep the other paths.
 */
export function wasmForwardApplies(geometry: ConvolutionGeometry, groups: number, float32: boolean): boolean {
  const rank = geometry.kernelSize.length;
  const last = rank - 1;
  return (
    float32 && groups === 1 && rank <= 3 && geometry.stride[last] === 1 &&
    geometry.outputSize[last]! % TILE_WIDTH === 0 && geometry.outputSize.every((size) => size > 0) &&
    conv.exports() !== undefined
  );
}

/** The sizes of a geometry as three dimensions (depth, height, width), leading ones 1. */
function threeDimensions(sizes: readonly number[], fill: number): [number, number, number] {
  const padded = [fill, fill, fill, ...sizes];
  return [padded[padded.length - 3]!, padded[padded.length - 2]!, padded[padded.length - 1]!];
}

/** Bump allocation of 16-byte-aligned regions of the module's memory. */
class Regions {
  end = FIRST_BYTE;

  take(bytes: number): number {
    const start = this.end;
    this.end += Math.ceil(bytes / 16) * 16;
    return start;
  }
}

/**
 * The forward, `x` [N, C, ...inputSize], `w` [O, C, ...kernelSize], `bias`
 * [O] or null, into `output` [N, O, ...outputSize], every element of which
 * it writes. False, having written nothing, when the module's memory
 * cannot grow to hold one sample (the caller then takes another path).
 * Call only where {@link wasmForwardApplies}.
 */
export function wasmConvolutionForward(
  x: Float32Array, w: Float32Array, bias: Float32Array | null, output: Float32Array,
  batch: number, channels: number, outChannels: number, geometry: ConvolutionGeometry,
): boolean {
  const module = conv.exports()!;
  const [inputDepth, inputHeight, inputWidth] = threeDimensions(geometry.inputSize, 1);
  const [outputDepth, outputHeight, outputWidth] = threeDimensions(geometry.outputSize, 1);
  const [kernelDepth, kernelHeight, kernelWidth] = threeDimensions(geometry.kernelSize, 1);
  const [strideDepth, strideHeight] = threeDimensions(geometry.stride, 1);
  const [padDepth, padHeight, padWidth] = threeDimensions(geometry.padding, 0);
  const [dilationDepth, dilationHeight, dilationWidth] = threeDimensions(geometry.dilation, 1);
  // The padded copy reaches as far as the input (after its leading padding) or the last tap, whichever is further.
  const extent = (input: number, pad: number, out: number, stride: number, kernel: number, dilation: number): number =>
    Math.max(input + pad, (out - 1) * stride + dilation * (kernel - 1) + 1);
  const paddedDepth = extent(inputDepth, padDepth, outputDepth, strideDepth, kernelDepth, dilationDepth);
  const paddedHeight = extent(inputHeight, padHeight, outputHeight, strideHeight, kernelHeight, dilationHeight);
  const paddedWidth = extent(inputWidth, padWidth, outputWidth, 1, kernelWidth, dilationWidth);
  const paddedVolume = paddedDepth * paddedHeight * paddedWidth;
  const inputVolume = inputDepth * inputHeight * inputWidth;
  const outputVolume = outputDepth * outputHeight * outputWidth;
  const kernelVolume = kernelDepth * kernelHeight * kernelWidth;
  const taps = channels * kernelVolume;
  const blocks = Math.ceil(outChannels / TILE_CHANNELS);
  const lines = outputDepth * outputHeight;
  const sampleInput = channels * inputVolume;
  const sampleOutput = blocks * TILE_CHANNELS * outputVolume;
  const chunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_BYTES / (4 * (sampleInput + sampleOutput)))));

  const regions = new Regions();
  const weights = regions.take(4 * blocks * taps * TILE_CHANNELS);
  const tapOffsets = regions.take(4 * taps);
  const lineOffsets = regions.take(4 * lines);
  const biases = regions.take(4 * blocks * TILE_CHANNELS);
  const padded = regions.take(4 * channels * paddedVolume);
  const inputs = regions.take(4 * chunk * sampleInput);
  const outputs = regions.take(4 * chunk * sampleOutput);
  if (!conv.reserve(regions.end)) return false;
  const floats = conv.floats();
  const words = new Int32Array(floats.buffer);

  // Weights as [block][tap][4 channels], channels past the last zero.
  for (let block = 0; block < blocks; block++) {
    for (let r = 0; r < TILE_CHANNELS; r++) {
      const o = block * TILE_CHANNELS + r;
      let at = weights / 4 + block * taps * TILE_CHANNELS + r;
      for (let tap = 0; tap < taps; tap++, at += TILE_CHANNELS) floats[at] = o < outChannels ? w[o * taps + tap]! : 0;
      floats[biases / 4 + o] = o < outChannels && bias !== null ? bias[o]! : 0;
    }
  }
  for (let c = 0, tap = tapOffsets / 4; c < channels; c++) {
    for (let kd = 0; kd < kernelDepth; kd++) {
      for (let kh = 0; kh < kernelHeight; kh++) {
        for (let kw = 0; kw < kernelWidth; kw++, tap++) {
          const offset = ((kd * dilationDepth * paddedHeight + kh * dilationHeight) * paddedWidth) + kw * dilationWidth;
          words[tap] = 4 * (c * paddedVolume + offset);
        }
      }
    }
  }
  for (let d = 0, line = lineOffsets / 4; d < outputDepth; d++) {
    for (let h = 0; h < outputHeight; h++, line++) {
      words[line] = 4 * ((d * strideDepth * paddedHeight + h * strideHeight) * paddedWidth);
    }
  }
  // The padding is never written after this: each sample overwrites only the input's place.
  floats.fill(0, padded / 4, padded / 4 + channels * paddedVolume);
  const interior = 4 * ((padDepth * paddedHeight + padHeight) * paddedWidth + padWidth);

  for (let first = 0; first < batch; first += chunk) {
    const count = Math.min(chunk, batch - first);
    floats.set(x.subarray(first * sampleInput, (first + count) * sampleInput), inputs / 4);
    for (let j = 0; j < count; j++) {
      module.padSample(
        inputs + 4 * j * sampleInput, padded + interior, channels, inputDepth, inputHeight, inputWidth,
        4 * paddedVolume, 4 * paddedHeight * paddedWidth, 4 * paddedWidth,
      );
      module.convolveSample(
        padded, outputs + 4 * j * sampleOutput, weights, biases, tapOffsets, taps, lineOffsets, lines, outputWidth, blocks,
      );
    }
    const written = outChannels * outputVolume;
    if (written === sampleOutput) {
      output.set(floats.subarray(outputs / 4, outputs / 4 + count * written), first * written);
    } else {
      for (let j = 0; j < count; j++) {
        const from = outputs / 4 + j * sampleOutput;
        output.set(floats.subarray(from, from + written), (first + j) * written);
      }
    }
  }
  return true;
}
