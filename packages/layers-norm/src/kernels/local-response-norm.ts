/**
 * Local response normalization over channels: each element of `[N, C, *]`
 * is divided by `(k + α/size · Σ x²)^β`, the sum running over the window of
 * channels `[c − ⌊size/2⌋, c + ⌊(size−1)/2⌋]` (zero outside), as PyTorch's
 * `local_response_norm` pads and average-pools the squares.
 */
import { Tensor } from '@strata/tensor';
import { channelLayout } from './batch-norm.js';
import type { FloatArray } from './moments.js';
import { allocateFloat, floatData } from './support.js';

/** The window and the constants of a local response normalization. */
export interface LocalResponseNormParameters {
  /** The number of neighbouring channels in each window (PyTorch's `size`), a positive integer. */
  readonly size: number;
  /** The multiplier α of the window's mean of squares (PyTorch's `alpha`, 1e-4 by default). */
  readonly alpha: number;
  /** The exponent β of the denominator (PyTorch's `beta`, 0.75 by default). */
  readonly beta: number;
  /** The additive constant k of the denominator (PyTorch's `k`, 1 by default). */
  readonly k: number;
}

/** The forward result: the output and the denominator base `k + α/size · Σ x²` of every element (float64). */
export interface LocalResponseNormForwardResult {
  /** The normalized input: its shape and dtype. */
  readonly output: Tensor;
  /**
   * The base `k + α/size · Σ x²` of every element (before the
   * power β), float64 in the input's shape, kept for backward.
   */
  readonly denominator: Tensor;
}

/**
 * Computes the output and keeps the denominator base for backward. The
 * window sums are taken directly (O(size) per element), so a large value
 * leaving the window cannot leave rounding residue behind.
 */
export function localResponseNormKernel(input: Tensor, parameters: LocalResponseNormParameters): LocalResponseNormForwardResult {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const x = floatData(input);
  const y = allocateFloat(input.dtype, x.length);
  const denominator = new Float64Array(x.length);
  forwardLoops(x, y, denominator, batch, channels, spatial, parameters.size, parameters.alpha, parameters.beta, parameters.k);
  return { output: Tensor.fromData(y, input.shape), denominator: Tensor.fromData(denominator, input.shape) };
}

// The loops live in functions of typed arrays and numbers only, so the optimizer compiles them once for good.
function forwardLoops(
  x: FloatArray, y: FloatArray, denominator: Float64Array, batch: number, channels: number, spatial: number,
  size: number, alpha: number, beta: number, k: number,
): void {
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const factor = alpha / size;
  for (let n = 0; n < batch; n++) {
    const sample = n * channels * spatial;
    for (let c = 0; c < channels; c++) {
      const plane = sample + c * spatial;
      const first = Math.max(0, c - before);
      const last = Math.min(channels - 1, c + after);
      for (let other = first; other <= last; other++) {
        const source = sample + other * spatial;
        for (let s = 0; s < spatial; s++) {
          const value = x[source + s]!;
          denominator[plane + s] += value * value;
        }
      }
      for (let s = 0; s < spatial; s++) {
        const base = k + factor * denominator[plane + s]!;
        denominator[plane + s] = base;
        y[plane + s] = x[plane + s]! * Math.pow(base, -beta);
      }
    }
  }
}

/**
 * The input gradient of {@link localResponseNormKernel}: with `d` the
 * denominator base, `gradInput[j] = g[j]·d[j]^−β − 2αβ/size · x[j] ·
 * Σ g[i]·x[i]·d[i]^(−β−1)` over the channels `i` whose window holds `j`.
 */
export function localResponseNormBackwardKernel(
  input: Tensor,
  gradOutput: Tensor,
  denominator: Tensor,
  parameters: LocalResponseNormParameters,
): Tensor {
  const { batch, channels, spatial } = channelLayout(input.shape);
  const x = floatData(input);
  const result = allocateFloat(input.dtype, x.length);
  const d = denominator.contiguousData() as Float64Array;
  backwardLoops(x, floatData(gradOutput), d, result, batch, channels, spatial, parameters.size, parameters.alpha, parameters.beta);
  return Tensor.fromData(result, input.shape);
}

function backwardLoops(
  x: FloatArray, g: FloatArray, d: Float64Array, result: FloatArray, batch: number, channels: number, spatial: number,
  size: number, alpha: number, beta: number,
): void {
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const factor = (2 * alpha * beta) / size;
  // t[i] = g[i]·x[i]·d[i]^(−β−1), shared by every element whose window reaches i.
  const t = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) t[i] = g[i]! * x[i]! * Math.pow(d[i]!, -beta - 1);
  const window = new Float64Array(spatial);
  for (let n = 0; n < batch; n++) {
    const sample = n * channels * spatial;
    for (let c = 0; c < channels; c++) {
      const plane = sample + c * spatial;
      // Element j of channel c is in the window of channels [c − after, c + before].
      window.fill(0);
      const first = Math.max(0, c - after);
      const last = Math.min(channels - 1, c + before);
      for (let other = first; other <= last; other++) {
        const source = sample + other * spatial;
        for (let s = 0; s < spatial; s++) window[s] += t[source + s]!;
      }
      for (let s = 0; s < spatial; s++) {
        const j = plane + s;
        result[j] = g[j]! * Math.pow(d[j]!, -beta) - factor * x[j]! * window[s]!;
      }
    }
  }
}
