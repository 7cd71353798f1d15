/**
 * Sums over contiguous runs of a typed array, the building blocks of every
 * normalization kernel. All of them accumulate in float64 (JavaScript
 * numbers) whatever the storage type, and spread each sum over four
 * independent accumulators so consecutive additions do not wait on each
 * other.
 *
 * Variances are always two-pass: the mean first, then the sum of squared
 * deviations from it. The one-pass `E[x²] − E[x]²` cancels catastrophically
 * when the mean is large next to the spread.
 */

/** The typed arrays a floating-point tensor is stored in. */
export type FloatArray = Float32Array | Float64Array;

/** `Σ x[start .. start + length)`. */
export function sumRange(x: FloatArray, start: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    s0 += x[i]!;
    s1 += x[i + 1]!;
    s2 += x[i + 2]!;
    s3 += x[i + 3]!;
  }
  for (; i < end; i++) s0 += x[i]!;
  return s0 + s1 + (s2 + s3);
}

/** `Σ (x[i] − center)²` over `[start, start + length)`. */
export function squaredDeviationRange(x: FloatArray, start: number, length: number, center: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const d0 = x[i]! - center;
    const d1 = x[i + 1]! - center;
    const d2 = x[i + 2]! - center;
    const d3 = x[i + 3]! - center;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; i < end; i++) {
    const d = x[i]! - center;
    s0 += d * d;
  }
  return s0 + s1 + (s2 + s3);
}

/** `Σ x[i]²` over `[start, start + length)`. */
export function sumOfSquaresRange(x: FloatArray, start: number, length: number): number {
  return squaredDeviationRange(x, start, length, 0);
}

/**
 * Mean and biased variance of each of `rows` contiguous rows of `length`
 * elements (two passes per row, while the row is in cache). An empty row
 * gives NaN, as PyTorch's mean of nothing.
 */
export function rowMoments(x: FloatArray, rows: number, length: number, mean: Float64Array, variance: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const start = r * length;
    const m = sumRange(x, start, length) / length;
    mean[r] = m;
    variance[r] = squaredDeviationRange(x, start, length, m) / length;
  }
}

/**
 * Mean and biased variance of each channel of an `[N, C]` input (each row
 * holds one value of every channel): a pass for the means, one for the
 * squared deviations from them. (Inputs with spatial dims are handled a
 * channel at a time by the batch-norm kernel.) An empty batch gives NaN.
 */
export function rowwiseChannelMoments(x: FloatArray, batch: number, channels: number, mean: Float64Array, variance: Float64Array): void {
  mean.fill(0);
  variance.fill(0);
  for (let n = 0; n < batch; n++) {
    const row = n * channels;
    for (let c = 0; c < channels; c++) mean[c] += x[row + c]!;
  }
  for (let c = 0; c < channels; c++) mean[c] /= batch;
  for (let n = 0; n < batch; n++) {
    const row = n * channels;
    for (let c = 0; c < channels; c++) {
      const d = x[row + c]! - mean[c]!;
      variance[c] += d * d;
    }
  }
  for (let c = 0; c < channels; c++) variance[c] /= batch;
}
