/**
 * The `wasm` backend's batch-norm kernels: the contract of
 * kernel-signatures.ts, run on norm.wat for float32. Calls they decline
 * (another dtype, an empty tensor, planes of fewer than 4 values, too
 * short for SIMD, memory that cannot grow) go to the kernel registered
 * below them.
 *
 * Numerics: every sum is accumulated in float64 as in the TypeScript
 * kernels; the elementwise maps run in float32, as PyTorch's do, with each
 * mean passed as two float32 so that large means keep their digits.
 */
import { Tensor } from '@strata/tensor';
import { kernelBelow } from '@strata/tensor/backend';
import { channelLayout } from '../batch-norm.js';
import { type GradientMask, type NormForwardResult, type NormGradients, float64Values, parameterValues, tensorOf } from '../support.js';
import { WasmLayout, normWasm, wasmDoubles, wasmFloats } from './norm-wasm.js';
import { CHUNK_FLOATS, WASM_BACKEND, float32Data, isFloat32, writeCenter } from './wasm-support.js';

/** Batch-norm planes shorter than this stay on the TypeScript kernels. */
const MIN_SPATIAL = 4;

/** Whether a batch-norm call is one these kernels take. */
function takesBatchNorm(input: Tensor, spatial: number, ...others: (Tensor | null)[]): boolean {
  return input.dtype === 'float32' && others.every(isFloat32) && spatial >= MIN_SPATIAL && input.numel() > 0 && normWasm() !== undefined;
}

/**
 * A batch streamed through wasm memory a chunk of samples at a time: where
 * each chunk goes and how to copy one in (from each of `sources`) and out.
 */
class SampleChunks {
  /** Samples per chunk: as many as fit in {@link CHUNK_FLOATS}, at least one. */
  readonly samples: number;
  /** Whether the whole batch is one chunk (so it is copied in once). */
  readonly single: boolean;

  constructor(
    readonly batch: number,
    readonly sampleSize: number,
  ) {
    this.samples = Math.max(1, Math.floor(CHUNK_FLOATS / sampleSize));
    this.single = this.samples >= batch;
  }

  /** The number of samples of the chunk starting at sample `first`. */
  size(first: number): number {
    return Math.min(this.samples, this.batch - first);
  }

  /** Copies samples [first, first + size) of each source to its region (byte offset) of wasm memory. */
  copyIn(first: number, sources: readonly (readonly [Float32Array, number])[]): void {
    const floats = wasmFloats();
    const start = first * this.sampleSize;
    const end = start + this.size(first) * this.sampleSize;
    for (const [data, at] of sources) floats.set(data.subarray(start, end), at / 4);
  }

  /** Copies the chunk starting at sample `first` from its region (byte offset) of wasm memory into `target`. */
  copyOut(first: number, at: number, target: Float32Array): void {
    target.set(wasmFloats().subarray(at / 4, at / 4 + this.size(first) * this.sampleSize), first * this.sampleSize);
  }
}

/**
 * Planes at least this long are streamed a channel at a time (all of a
 * channel's planes copied in, its statistics and its output computed while
 * they are in cache, then copied out), so main memory sees the input once;
 * shorter planes go a chunk of samples at a time (fewer, larger copies), at
 * the cost of reading the input twice.
 */
const CHANNEL_PLANES_SPATIAL = 256;

/** Copies the planes of one channel, `[batch, spatial]` at a time, between tensors and a region of wasm memory. */
class ChannelPlanes {
  constructor(
    readonly batch: number,
    readonly channels: number,
    readonly spatial: number,
  ) {}

  /** Copies channel `c`'s planes of each source, one after another, to its region (byte offset) of wasm memory. */
  copyIn(c: number, sources: readonly (readonly [Float32Array, number])[]): void {
    const floats = wasmFloats();
    const { batch, channels, spatial } = this;
    for (const [data, at] of sources) {
      for (let n = 0; n < batch; n++) {
        const start = (n * channels + c) * spatial;
        floats.set(data.subarray(start, start + spatial), at / 4 + n * spatial);
      }
    }
  }

  /** Copies channel `c`'s planes from their region (byte offset) of wasm memory into `target`. */
  copyOut(c: number, at: number, target: Float32Array): void {
    const floats = wasmFloats();
    const { batch, channels, spatial } = this;
    for (let n = 0; n < batch; n++) {
      const start = at / 4 + n * spatial;
      target.set(floats.subarray(start, start + spatial), (n * channels + c) * spatial);
    }
  }
}

/** The forward a channel at a time ({@link CHANNEL_PLANES_SPATIAL}); `null` when wasm memory cannot hold a channel. */
function batchNormByChannel(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  batchStatistics: boolean,
  eps: number,
): NormForwardResult | null {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const module = normWasm()!;
  const layout = new WasmLayout();
  const x = layout.floats(batch * spatial);
  const moments = layout.doubles(2);
  const coefficients = layout.floats(4);
  if (!layout.reserve(module)) return null;
  const floats = wasmFloats();
  const doubles = wasmDoubles();
  const planes = new ChannelPlanes(batch, channels, spatial);
  const data = float32Data(input);
  const output = new Float32Array(data.length);
  const mean = batchStatistics ? new Float64Array(channels) : Float64Array.from(float64Values(runningMean!));
  const invstd = batchStatistics ? new Float64Array(channels) : Float64Array.from(float64Values(runningVar!));
  const w = parameterValues(weight, channels, 1);
  const b = parameterValues(bias, channels, 0);
  const at = coefficients / 4;
  for (let c = 0; c < channels; c++) {
    planes.copyIn(c, [[data, x]]);
    if (batchStatistics) {
      doubles[moments / 8] = 0;
      doubles[moments / 8 + 1] = 0;
      module.channelMoments(x, batch, 1, spatial, 0, moments, moments + 8);
      mean[c] = doubles[moments / 8]!;
      invstd[c] = doubles[moments / 8 + 1]! / (batch * spatial);
    }
    invstd[c] = 1 / Math.sqrt(invstd[c]! + eps);
    writeCenter(floats, at, 1, mean[c]!);
    floats[at + 2] = w[c]! * invstd[c]!;
    floats[at + 3] = b[c]!;
    module.channelAffine(x, x, batch, 1, spatial, coefficients);
    planes.copyOut(c, x, output);
  }
  return { output: Tensor.fromData(output, input.shape), mean: Tensor.fromData(mean, [channels]), invstd: Tensor.fromData(invstd, [channels]) };
}

/** The backward a channel at a time ({@link CHANNEL_PLANES_SPATIAL}); `null` when wasm memory cannot hold a channel. */
function batchNormBackwardByChannel(
  input: Tensor,
  gradOutput: Tensor,
  mean: Tensor,
  invstd: Tensor,
  weight: Tensor | null,
  useInputStats: boolean,
  mask: GradientMask,
): NormGradients | null {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const module = normWasm()!;
  const layout = new WasmLayout();
  const x = layout.floats(batch * spatial);
  const g = layout.floats(batch * spatial);
  const sums = layout.doubles(2);
  const coefficients = layout.floats(5);
  if (!layout.reserve(module)) return null;
  const floats = wasmFloats();
  const doubles = wasmDoubles();
  const planes = new ChannelPlanes(batch, channels, spatial);
  const operands = [[float32Data(input), x], [float32Data(gradOutput), g]] as const;
  const center = float64Values(mean);
  const r = float64Values(invstd);
  const w = parameterValues(weight, channels, 1);
  const needSums = mask[1] || mask[2] || (mask[0] && useInputStats);
  const sumG = new Float64Array(channels);
  const sumGX = new Float64Array(channels);
  const result = mask[0] ? new Float32Array(batch * channels * spatial) : null;
  const at = coefficients / 4;
  const total = batch * spatial;
  for (let c = 0; c < channels; c++) {
    if (!needSums && result === null) break;
    planes.copyIn(c, operands);
    writeCenter(floats, at, 1, center[c]!);
    if (needSums) {
      doubles[sums / 8] = 0;
      doubles[sums / 8 + 1] = 0;
      module.channelGradientSums(x, g, batch, 1, spatial, coefficients, sums, sums + 8);
      sumG[c] = doubles[sums / 8]!;
      sumGX[c] = doubles[sums / 8 + 1]!;
    }
    if (result === null) continue;
    // gradInput = g · a + (x − mean) · b + k, the TypeScript kernel's coefficients.
    const a = w[c]! * r[c]!;
    floats[at + 2] = a;
    floats[at + 3] = useInputStats ? (-a * r[c]! * r[c]! * sumGX[c]!) / total : 0;
    floats[at + 4] = useInputStats ? (-a * sumG[c]!) / total : 0;
    module.channelBackwardInput(x, g, g, batch, 1, spatial, coefficients);
    planes.copyOut(c, g, result);
  }
  let gradWeight: Tensor | null = null;
  if (mask[1] && weight !== null) {
    for (let c = 0; c < channels; c++) sumGX[c] = sumGX[c]! * r[c]!;
    gradWeight = tensorOf(sumGX, [channels], 'float32');
  }
  return {
    gradInput: result === null ? null : Tensor.fromData(result, input.shape),
    gradWeight,
    gradBias: mask[2] ? tensorOf(sumG, [channels], 'float32') : null,
  };
}

/** `batchNorm` on norm.wat: see the TypeScript `batchNormKernel`. */
export function batchNormWasmKernel(
  input: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  useInputStats: boolean,
  eps: number,
): NormForwardResult {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const module = normWasm();
  const chunks = new SampleChunks(batch, channels * spatial);
  const layout = new WasmLayout();
  const x = layout.floats(chunks.samples * chunks.sampleSize);
  const moments = layout.doubles(2 * channels);
  const coefficients = layout.floats(4 * channels);
  if (module === undefined || !takesBatchNorm(input, spatial, weight, bias) || !layout.reserve(module)) {
    return kernelBelow('batchNorm', WASM_BACKEND)(input, weight, bias, runningMean, runningVar, useInputStats, eps);
  }
  const batchStatistics = useInputStats || runningMean === null || runningVar === null;
  if (spatial >= CHANNEL_PLANES_SPATIAL) {
    const result = batchNormByChannel(input, weight, bias, runningMean, runningVar, batchStatistics, eps);
    if (result !== null) return result;
  }
  const floats = wasmFloats();
  const data = float32Data(input);
  let mean: Float64Array;
  let invstd: Float64Array;
  if (batchStatistics) {
    wasmDoubles().fill(0, moments / 8, moments / 8 + 2 * channels);
    for (let first = 0; first < batch; first += chunks.samples) {
      chunks.copyIn(first, [[data, x]]);
      module.channelMoments(x, chunks.size(first), channels, spatial, first, moments, moments + 8 * channels);
    }
    mean = wasmDoubles().slice(moments / 8, moments / 8 + channels);
    invstd = wasmDoubles().slice(moments / 8 + channels, moments / 8 + 2 * channels);
    for (let c = 0; c < channels; c++) invstd[c] = invstd[c]! / (batch * spatial);
  } else {
    mean = Float64Array.from(float64Values(runningMean));
    invstd = Float64Array.from(float64Values(runningVar));
  }
  const w = parameterValues(weight, channels, 1);
  const b = parameterValues(bias, channels, 0);
  const at = coefficients / 4;
  for (let c = 0; c < channels; c++) {
    invstd[c] = 1 / Math.sqrt(invstd[c]! + eps);
    writeCenter(floats, at + c, channels, mean[c]!);
    floats[at + 2 * channels + c] = w[c]! * invstd[c]!;
    floats[at + 3 * channels + c] = b[c]!;
  }
  const output = new Float32Array(data.length);
  for (let first = 0; first < batch; first += chunks.samples) {
    // One chunk is still in wasm memory from the statistics pass.
    if (!(chunks.single && batchStatistics)) chunks.copyIn(first, [[data, x]]);
    module.channelAffine(x, x, chunks.size(first), channels, spatial, coefficients);
    chunks.copyOut(first, x, output);
  }
  return { output: Tensor.fromData(output, input.shape), mean: Tensor.fromData(mean, [channels]), invstd: Tensor.fromData(invstd, [channels]) };
}

/** `batchNormBackward` on norm.wat: see the TypeScript `batchNormBackwardKernel`. */
export function batchNormBackwardWasmKernel(
  input: Tensor,
  gradOutput: Tensor,
  mean: Tensor,
  invstd: Tensor,
  weight: Tensor | null,
  useInputStats: boolean,
  mask: GradientMask,
): NormGradients {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const module = normWasm();
  const chunks = new SampleChunks(batch, channels * spatial);
  const layout = new WasmLayout();
  const x = layout.floats(chunks.samples * chunks.sampleSize);
  const g = layout.floats(chunks.samples * chunks.sampleSize);
  const sums = layout.doubles(2 * channels);
  const coefficients = layout.floats(5 * channels);
  if (module === undefined || !takesBatchNorm(input, spatial, gradOutput, weight) || !layout.reserve(module)) {
    return kernelBelow('batchNormBackward', WASM_BACKEND)(input, gradOutput, mean, invstd, weight, useInputStats, mask);
  }
  if (spatial >= CHANNEL_PLANES_SPATIAL) {
    const result = batchNormBackwardByChannel(input, gradOutput, mean, invstd, weight, useInputStats, mask);
    if (result !== null) return result;
  }
  const floats = wasmFloats();
  const operands = [[float32Data(input), x], [float32Data(gradOutput), g]] as const;
  const center = float64Values(mean);
  const r = float64Values(invstd);
  const w = parameterValues(weight, channels, 1);
  const at = coefficients / 4;
  for (let c = 0; c < channels; c++) writeCenter(floats, at + c, channels, center[c]!);
  const needSums = mask[1] || mask[2] || (mask[0] && useInputStats);
  let sumG = new Float64Array(channels);
  let sumGX = new Float64Array(channels);
  if (needSums) {
    wasmDoubles().fill(0, sums / 8, sums / 8 + 2 * channels);
    for (let first = 0; first < batch; first += chunks.samples) {
      chunks.copyIn(first, operands);
      module.channelGradientSums(x, g, chunks.size(first), channels, spatial, coefficients, sums, sums + 8 * channels);
    }
    sumG = wasmDoubles().slice(sums / 8, sums / 8 + channels);
    sumGX = wasmDoubles().slice(sums / 8 + channels, sums / 8 + 2 * channels);
  }
  let gradInput: Tensor | null = null;
  if (mask[0]) {
    const total = batch * spatial;
    for (let c = 0; c < channels; c++) {
      // gradInput = g · a + (x − mean) · b + k, the TypeScript kernel's coefficients.
      const a = w[c]! * r[c]!;
      floats[at + 2 * channels + c] = a;
      floats[at + 3 * channels + c] = useInputStats ? (-a * r[c]! * r[c]! * sumGX[c]!) / total : 0;
      floats[at + 4 * channels + c] = useInputStats ? (-a * sumG[c]!) / total : 0;
    }
    const result = new Float32Array(chunks.batch * chunks.sampleSize);
    for (let first = 0; first < batch; first += chunks.samples) {
      // One chunk is still in wasm memory from the sums.
      if (!(chunks.single && needSums)) chunks.copyIn(first, operands);
      module.channelBackwardInput(x, g, g, chunks.size(first), channels, spatial, coefficients);
      chunks.copyOut(first, g, result);
    }
    gradInput = Tensor.fromData(result, input.shape);
  }
  let gradWeight: Tensor | null = null;
  if (mask[1] && weight !== null) {
    for (let c = 0; c < channels; c++) sumGX[c] = sumGX[c]! * r[c]!;
    gradWeight = tensorOf(sumGX, [channels], 'float32');
  }
  return { gradInput, gradWeight, gradBias: mask[2] ? tensorOf(sumG, [channels], 'float32') : null };
}
