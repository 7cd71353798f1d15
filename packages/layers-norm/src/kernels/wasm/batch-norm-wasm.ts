/**
 * The `wasm` backend's batch-norm kernels: the contract of
 * kernel-signatures.ts, run on norm.wat for float32. Calls they decline
 * (another dtype, an empty tensor, planes of fewer than 16 values,
 * memory that cannot grow) go to the kernel registered below them.
 *
 * Numerics: every sum is accumulated in float64 as in the TypeScript
 * kernels; the elementwise maps run in float32, as PyTorch's do, with each
 * mean passed as two float32 so that large means keep their digits.
 */
import { Tensor } from '@strata/tensor';
import { allocateForOverwrite, kernelBelow } from '@strata/tensor/backend';
import { channelLayout } from '../batch-norm.js';
import { type GradientMask, type NormForwardResult, type NormGradients, float64Values, parameterValues, tensorOf } from '../support.js';
import { WasmLayout, normWasm, wasmDoubles, wasmFloats } from './norm-wasm.js';
import { WASM_BACKEND, float32Data, isFloat32, writeCenter } from './wasm-support.js';

/**
 * Batch-norm planes shorter than this stay on the TypeScript kernels: the
 * wasm kernels copy a channel in and out one plane at a time, which pays
 * from planes of a few dozen values up (a 5×5 feature map is 25).
 */
const MIN_SPATIAL = 16;

/** Whether a batch-norm call is one these kernels take. */
function takesBatchNorm(input: Tensor, ...others: (Tensor | null)[]): boolean {
  return (
    input.dtype === 'float32' && others.every(isFloat32) && channelLayout(input.shape).spatial >= MIN_SPATIAL &&
    input.numel() > 0 && normWasm() !== undefined
  );
}


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

/**
 * The forward a channel at a time: all of a channel's planes copied in, its
 * statistics and its output computed while they are in cache, then copied
 * out, so main memory sees the input once. `null` when wasm memory cannot
 * hold a channel.
 */
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
  if (!layout.reserve()) return null;
  const floats = wasmFloats();
  const doubles = wasmDoubles();
  const planes = new ChannelPlanes(batch, channels, spatial);
  const data = float32Data(input);
  const output = allocateForOverwrite('float32', data.length);
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

/** The backward a channel at a time, as {@link batchNormByChannel}; `null` when wasm memory cannot hold a channel. */
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
  if (!layout.reserve()) return null;
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
  const result = mask[0] ? allocateForOverwrite('float32', batch * channels * spatial) : null;
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
  const batchStatistics = useInputStats || runningMean === null || runningVar === null;
  const result = takesBatchNorm(input, weight, bias) ? batchNormByChannel(input, weight, bias, runningMean, runningVar, batchStatistics, eps) : null;
  return result ?? kernelBelow('batchNorm', WASM_BACKEND)(input, weight, bias, runningMean, runningVar, useInputStats, eps);
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
  const result = takesBatchNorm(input, gradOutput, weight)
    ? batchNormBackwardByChannel(input, gradOutput, mean, invstd, weight, useInputStats, mask)
    : null;
  return result ?? kernelBelow('batchNormBackward', WASM_BACKEND)(input, gradOutput, mean, invstd, weight, useInputStats, mask);
}
