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
 * Mean and biased variance of each channel of `x` read as
 * `[batch, channels, spatial]`, over the batch and spatial positions. Each
 * (n, c) plane gets its own two passes while it is in cache, and the planes
 * of a channel are merged with Chan's pairwise update (the parallel form of
 * Welford's): `mean += δ·m/(n+m)`, `M2 += M2ᵦ + δ²·n·m/(n+m)`. `[N, C]`
 * inputs (one value per plane) take two strided passes instead.
 */
export function channelMoments(
  x: FloatArray,
  batch: number,
  channels: number,
  spatial: number,
  mean: Float64Array,
  variance: Float64Array,
): void {
  mean.fill(0);
  variance.fill(0);
  const count = batch * spatial;
  if (spatial === 1) {
    rowwiseChannelMoments(x, batch, channels, mean, variance);
  } else {
    for (let n = 0; n < batch; n++) {
      const seen = n * spatial;
      const weight = spatial / (seen + spatial);
      for (let c = 0; c < channels; c++) {
        const start = (n * channels + c) * spatial;
        const planeMean = sumRange(x, start, spatial) / spatial;
        const planeM2 = squaredDeviationRange(x, start, spatial, planeMean);
        const delta = planeMean - mean[c]!;
        mean[c] += delta * weight;
        variance[c] += planeM2 + delta * delta * seen * weight;
      }
    }
  }
  for (let c = 0; c < channels; c++) variance[c] /= count;
  if (count === 0) mean.fill(Number.NaN);
}

/** `channelMoments` of `[N, C]`: a pass for the sums, one for the squared deviations (unnormalized). */
function rowwiseChannelMoments(x: FloatArray, batch: number, channels: number, mean: Float64Array, deviations: Float64Array): void {
  for (let n = 0; n < batch; n++) {
    const row = n * channels;
    for (let c = 0; c < channels; c++) mean[c] += x[row + c]!;
  }
  for (let c = 0; c < channels; c++) mean[c] /= batch;
  for (let n = 0; n < batch; n++) {
    const row = n * channels;
    for (let c = 0; c < channels; c++) {
      const d = x[row + c]! - mean[c]!;
      deviations[c] += d * d;
    }
  }
}
