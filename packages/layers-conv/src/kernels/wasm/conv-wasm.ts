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
 * padded sample (74 KB) stays in cache; measured on one thread, 10 ms, and
 * on two, 6.5–7.6 ms in `pnpm bench` (TF.js wasm, one thread: 11 ms).
 *
 * Samples are shared out whole between the calling thread and the worker
 * threads of a `WasmTaskPool` of `@strata/tensor/backend` (`getNumThreads()` in all), each padding into a
 * copy of its own, so a result does not depend on the thread count. The
 * memory is shared with the workers where threads are available (Node, a
 * cross-origin-isolated page); elsewhere the same module, its memory
 * import's flag byte switched to unshared, runs on the calling thread. The
 * memory is grown, never shrunk; large batches go through in chunks of
 * samples so that it stays small.
 */
import { Tensor } from '@strata/tensor';
import { WasmTaskPool, allocateForOverwrite, getNumThreads, instantiateThreaded, kernelBelow } from '@strata/tensor/backend';
import type { ConvolutionGeometry } from '../geometry.js';
import { CONV_WASM_BASE64, CONV_WASM_MEMORY_FLAGS_OFFSET } from './conv-wasm.generated.js';

/** What conv.wat exports (pointers are byte offsets into the memory). */
interface ConvExports {
  sampleTask(job: number, sample: number, slot: number): void;
}

interface Loaded {
  exports: ConvExports;
  memory: WebAssembly.Memory;
  /** The workers, where the memory is shared. */
  pool: WasmTaskPool | undefined;
}

const PAGE_BYTES = 65536;
/** The memory's maximum, as declared in conv.wat (16384 pages: 1 GiB). */
const MAX_PAGES = 16384;

let loaded: Loaded | undefined;
let loadFailed = false;
let floats = new Float32Array(0);
let words = new Int32Array(0);

/** The module, compiled on first call (shared memory and workers where threads are available); undefined where it cannot be. */
function load(): Loaded | undefined {
  if (loaded !== undefined || loadFailed) return loaded;
  const instance = instantiateThreaded(CONV_WASM_BASE64, CONV_WASM_MEMORY_FLAGS_OFFSET, MAX_PAGES);
  if (instance === undefined) {
    loadFailed = true;
    return undefined;
  }
  const { module, memory, exports, shared } = instance;
  const pool = shared ? new WasmTaskPool(module, memory, exports, ['sampleTask'], 'strata-conv') : undefined;
  loaded = { exports: exports as unknown as ConvExports, memory, pool };
  return loaded;
}

/** Grows the memory to at least `bytes` and refreshes the views; false when it cannot grow that far. */
function reserve(memory: WebAssembly.Memory, bytes: number): boolean {
  const current = memory.buffer.byteLength;
  if (bytes > current) {
    if (bytes > MAX_PAGES * PAGE_BYTES) return false;
    try {
      memory.grow(Math.ceil((bytes - current) / PAGE_BYTES));
    } catch {
      return false;
    }
  }
  if (floats.buffer !== memory.buffer || floats.length * 4 < memory.buffer.byteLength) {
    floats = new Float32Array(memory.buffer);
    words = new Int32Array(memory.buffer);
  }
  return true;
}

/** Whether this runtime compiles the module (compiling it now if it has not yet). */
export function wasmConvolutionAvailable(): boolean {
  return load() !== undefined;
}

/** Samples the worker threads have run so far (0 without them): what tells a test they took part. */
export function wasmConvolutionWorkerTasks(): number {
  return loaded?.pool?.workerTasks ?? 0;
}

/** Output channels of the register tile, and output positions along the last dimension. */
const TILE_CHANNELS = 4;
const TILE_WIDTH = 8;
/** Bytes [0, 16) are left alone; regions start here. */
const FIRST_BYTE = 16;
/** Words of the job descriptor that sampleTask reads (conv.wat). */
const JOB_FIELDS = 22;
/**
 * Chunks with fewer multiply-adds than this run on the calling thread alone:
 * waking a worker costs tens of microseconds.
 */
const THREAD_MIN_MULTIPLY_ADDS = 1 << 22;
/**
 * A threaded chunk whose calling thread waited longer than this share of it
 * for the workers' last samples had a worker descheduled by other processes
 * (on an idle machine the wait is under one sample: 5% of conv2d_fwd).
 */
const CONTENDED_WAIT = 0.25;
/**
 * Calls that run on the calling thread alone after a contended one, before
 * threads are tried again. With the 2 cores of the bench machine shared by
 * other jobs (load average 8), conv2d_fwd took 15–23 ms on two threads,
 * where one thread (like TF.js wasm's) took 13–16: the call waits for the
 * slowest thread.
 */
const CONTENDED_BACKOFF_CALLS = 8;
/** Calls left to run on one thread after a contended one. */
let singleThreadCalls = 0;
/** A chunk of samples copies at most about this many bytes of input and output through the module's memory. */
const CHUNK_BYTES = 16 << 20;

/**
 * The smallest share of the 8-wide tiles' lanes a line of output positions
 * must use: the Fashion-MNIST CNN's 11 (11 of 16) and 26 (26 of 32) pass,
 * lines of 3, 4, 5 or 9 do not and keep the other paths.
 */
const MIN_TILE_USE = 0.6;

/**
 * Whether the WebAssembly forward takes this convolution: float32, one
 * group, stride 1 along the last dimension, at most three spatial
 * dimensions, and an output whose last dimension uses most of its 8-wide
 * tiles ({@link MIN_TILE_USE}). Other shapes keep the other paths.
 */
export function wasmForwardApplies(geometry: ConvolutionGeometry, groups: number, float32: boolean): boolean {
  const rank = geometry.kernelSize.length;
  const last = rank - 1;
  const width = geometry.outputSize[last]!;
  return (
    float32 && groups === 1 && rank <= 3 && geometry.stride[last] === 1 &&
    width >= MIN_TILE_USE * Math.ceil(width / TILE_WIDTH) * TILE_WIDTH && geometry.outputSize.every((size) => size > 0) &&
    load() !== undefined
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

/** Writes one zero into every 4 KiB page of `array` in [start, end): what makes the system map them. */
function touchPages(array: Float32Array, start: number, end: number): void {
  for (let index = start; index < end; index += 1024) array[index] = 0;
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
  const wasm = load()!;
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
  // The module takes its taps two at a time: an odd count gets a last tap of zero weights.
  const tableTaps = taps + (taps & 1);
  const blocks = Math.ceil(outChannels / TILE_CHANNELS);
  const lines = outputDepth * outputHeight;
  const sampleInput = channels * inputVolume;
  const sampleOutput = blocks * TILE_CHANNELS * outputVolume;
  const chunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_BYTES / (4 * (sampleInput + sampleOutput)))));

  const pool = wasm.pool;
  const enlisted = pool === undefined || batch < 2 ? 0 : getNumThreads() - 1;
  const slots = enlisted + 1;

  const regions = new Regions();
  const job = regions.take(4 * JOB_FIELDS);
  const weights = regions.take(4 * blocks * tableTaps * TILE_CHANNELS);
  const tapOffsets = regions.take(4 * tableTaps);
  const lineOffsets = regions.take(4 * lines);
  const biases = regions.take(4 * blocks * TILE_CHANNELS);
  // A line's last tile reads up to 7 positions past it: slack after the padded copy keeps that inside the slot.
  const slotBytes = Math.ceil((4 * (channels * paddedVolume + TILE_WIDTH)) / 16) * 16;
  const padded = regions.take(slots * slotBytes);
  const inputs = regions.take(4 * chunk * sampleInput);
  const outputs = regions.take(4 * chunk * sampleOutput);
  if (!reserve(wasm.memory, regions.end)) return false;

  // Weights as [block][tap][4 channels], channels past the last zero.
  for (let block = 0; block < blocks; block++) {
    for (let r = 0; r < TILE_CHANNELS; r++) {
      const o = block * TILE_CHANNELS + r;
      let at = weights / 4 + block * tableTaps * TILE_CHANNELS + r;
      for (let tap = 0; tap < tableTaps; tap++, at += TILE_CHANNELS) {
        floats[at] = o < outChannels && tap < taps ? w[o * taps + tap]! : 0;
      }
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
  words[tapOffsets / 4 + tableTaps - 1] = taps === tableTaps ? words[tapOffsets / 4 + taps - 1]! : 0;
  for (let d = 0, line = lineOffsets / 4; d < outputDepth; d++) {
    for (let h = 0; h < outputHeight; h++, line++) {
      words[line] = 4 * ((d * strideDepth * paddedHeight + h * strideHeight) * paddedWidth);
    }
  }
  // The padding is never written after this: each sample overwrites only the input's place.
  floats.fill(0, padded / 4, (padded + slots * slotBytes) / 4);
  const interior = 4 * ((padDepth * paddedHeight + padHeight) * paddedWidth + padWidth);
  words.set([
    inputs, 4 * sampleInput, outputs, 4 * sampleOutput, padded, slotBytes, interior,
    channels, inputDepth, inputHeight, inputWidth, 4 * paddedVolume, 4 * paddedHeight * paddedWidth, 4 * paddedWidth,
    weights, biases, tapOffsets, tableTaps, lineOffsets, lines, outputWidth, blocks,
  ], job / 4);
  const multiplyAdds = chunk * outChannels * outputVolume * taps;

  for (let first = 0; first < batch; first += chunk) {
    const count = Math.min(chunk, batch - first);
    floats.set(x.subarray(first * sampleInput, (first + count) * sampleInput), inputs / 4);
    // Samples go to the threads whole, claimed one at a time: each thread pads into its own slot.
    const wanted = enlisted > 0 && count > 1 && multiplyAdds >= THREAD_MIN_MULTIPLY_ADDS;
    const workers = wanted && singleThreadCalls === 0 ? pool!.enlist(enlisted) : 0;
    if (wanted && singleThreadCalls > 0) singleThreadCalls--;
    const written = outChannels * outputVolume;
    if (workers > 0) {
      // A fresh output's pages fault in on first write (in Node, about 2 ms for conv2d_fwd's 4 MB, as much as copying
      // it out): touched here while the workers start on the samples, which then take more of them.
      const waited = pool!.run(0, count, job, workers, () => touchPages(output, first * written, (first + count) * written));
      if (waited > CONTENDED_WAIT) singleThreadCalls = CONTENDED_BACKOFF_CALLS;
    } else {
      for (let j = 0; j < count; j++) wasm.exports.sampleTask(job, j, 0);
    }
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

/** The backend name the WebAssembly convolution registers under (`useBackend('cpu')` runs the TypeScript paths instead). */
export const WASM_BACKEND = 'wasm';

/**
 * The `convolution` kernel of the `wasm` backend: this module's forward
 * where it applies (see {@link wasmForwardApplies}), else the kernel
 * registered below it. Only the forward: the transposed convolution and the
 * weight gradient keep their kernels.
 */
export function convolutionWasmKernel(input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry): Tensor {
  const batch = input.shape[0]!;
  const channels = input.shape[1]!;
  const outChannels = weight.shape[0]!;
  if (
    input.dtype === 'float32' && weight.dtype === 'float32' && (bias === null || bias.dtype === 'float32') &&
    wasmForwardApplies(geometry, geometry.groups, true)
  ) {
    let outputVolume = 1;
    for (const size of geometry.outputSize) outputVolume *= size;
    const output = allocateForOverwrite('float32', batch * outChannels * outputVolume);
    const x = input.contiguousData() as Float32Array;
    const w = weight.contiguousData() as Float32Array;
    const b = bias === null ? null : (bias.contiguousData() as Float32Array);
    if (wasmConvolutionForward(x, w, b, output, batch, channels, outChannels, geometry)) {
      return Tensor.fromData(output, [batch, outChannels, ...geometry.outputSize]);
    }
  }
  return kernelBelow('convolution', WASM_BACKEND)(input, weight, bias, geometry);
}
