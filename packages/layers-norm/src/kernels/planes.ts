/**
 * Loops over a tensor read as `[batch, channels, spatial]`: each (n, c)
 * pair is a plane of `spatial` contiguous elements, and every plane of
 * channel `c` shares per-channel coefficients. Batch norm uses them with
 * the real batch; group and instance norm pass `batch = 1` and one
 * "channel" per (n, c) plane, so that each plane gets its own coefficients.
 * The `plane…` functions do one plane, so callers can order the planes for
 * the cache (batch norm visits a channel's planes twice while they are hot).
 */
import type { FloatArray } from './moments.js';

/**
 * `y = (x − m) · a + b` over `[start, start + length)`. Subtracting the
 * center before scaling keeps the result exact when the mean is large next
 * to the spread (`x · a + (b − m · a)` would cancel).
 */
export function planeAffine(x: FloatArray, y: FloatArray, start: number, length: number, m: number, a: number, b: number): void {
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const y0 = (x[i]! - m) * a + b;
    const y1 = (x[i + 1]! - m) * a + b;
    const y2 = (x[i + 2]! - m) * a + b;
    const y3 = (x[i + 3]! - m) * a + b;
    y[i] = y0;
    y[i + 1] = y1;
    y[i + 2] = y2;
    y[i + 3] = y3;
  }
  for (; i < end; i++) y[i] = (x[i]! - m) * a + b;
}

/** Adds `Σ g` to `sums[0]` and `Σ g · (x − m)` to `sums[1]`, over `[start, start + length)`. */
export function planeGradientSums(x: FloatArray, g: FloatArray, start: number, length: number, m: number, sums: Float64Array): void {
  let g0 = 0;
  let g1 = 0;
  let g2 = 0;
  let g3 = 0;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const a0 = g[i]!;
    const a1 = g[i + 1]!;
    const a2 = g[i + 2]!;
    const a3 = g[i + 3]!;
    g0 += a0;
    g1 += a1;
    g2 += a2;
    g3 += a3;
    p0 += a0 * (x[i]! - m);
    p1 += a1 * (x[i + 1]! - m);
    p2 += a2 * (x[i + 2]! - m);
    p3 += a3 * (x[i + 3]! - m);
  }
  for (; i < end; i++) {
    const a = g[i]!;
    g0 += a;
    p0 += a * (x[i]! - m);
  }
  sums[0] += g0 + g1 + (g2 + g3);
  sums[1] += p0 + p1 + (p2 + p3);
}

/** `gradInput = g · a + (x − m) · b + k` over `[start, start + length)`. */
export function planeBackwardInput(
  x: FloatArray,
  g: FloatArray,
  gradInput: FloatArray,
  start: number,
  length: number,
  m: number,
  a: number,
  b: number,
  k: number,
): void {
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const v0 = g[i]! * a + (x[i]! - m) * b + k;
    const v1 = g[i + 1]! * a + (x[i + 1]! - m) * b + k;
    const v2 = g[i + 2]! * a + (x[i + 2]! - m) * b + k;
    const v3 = g[i + 3]! * a + (x[i + 3]! - m) * b + k;
    gradInput[i] = v0;
    gradInput[i + 1] = v1;
    gradInput[i + 2] = v2;
    gradInput[i + 3] = v3;
  }
  for (; i < end; i++) gradInput[i] = g[i]! * a + (x[i]! - m) * b + k;
}

/** `y = (x − center[c]) · scale[c] + offset[c]` on every plane. */
export function channelAffine(
  x: FloatArray,
  y: FloatArray,
  batch: number,
  channels: number,
  spatial: number,
  center: Float64Array,
  scale: Float64Array,
  offset: Float64Array,
): void {
  if (spatial === 1) {
    for (let n = 0; n < batch; n++) {
      const row = n * channels;
      for (let c = 0; c < channels; c++) y[row + c] = (x[row + c]! - center[c]!) * scale[c]! + offset[c]!;
    }
    return;
  }
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      planeAffine(x, y, (n * channels + c) * spatial, spatial, center[c]!, scale[c]!, offset[c]!);
    }
  }
}

/**
 * Per channel, over every plane of it: `sumG[c] += Σ g` and
 * `sumGX[c] += Σ g · (x − center[c])` (the accumulators are added to, not
 * overwritten).
 */
export function channelGradientSums(
  x: FloatArray,
  g: FloatArray,
  batch: number,
  channels: number,
  spatial: number,
  center: Float64Array,
  sumG: Float64Array,
  sumGX: Float64Array,
): void {
  if (spatial === 1) {
    for (let n = 0; n < batch; n++) {
      const row = n * channels;
      for (let c = 0; c < channels; c++) {
        const gradient = g[row + c]!;
        sumG[c] += gradient;
        sumGX[c] += gradient * (x[row + c]! - center[c]!);
      }
    }
    return;
  }
  const sums = new Float64Array(2);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      sums[0] = 0;
      sums[1] = 0;
      planeGradientSums(x, g, (n * channels + c) * spatial, spatial, center[c]!, sums);
      sumG[c] += sums[0]!;
      sumGX[c] += sums[1]!;
    }
  }
}

/**
 * The input gradient of a normalization, linear in the output gradient and
 * the centered input: `gradInput = g · gradScale[c] + (x − center[c]) ·
 * centeredScale[c] + constant[c]` on every plane of channel `c`.
 */
export function channelBackwardInput(
  x: FloatArray,
  g: FloatArray,
  gradInput: FloatArray,
  batch: number,
  channels: number,
  spatial: number,
  center: Float64Array,
  gradScale: Float64Array,
  centeredScale: Float64Array,
  constant: Float64Array,
): void {
  if (spatial === 1) {
    for (let n = 0; n < batch; n++) {
      const row = n * channels;
      for (let c = 0; c < channels; c++) {
        const i = row + c;
        gradInput[i] = g[i]! * gradScale[c]! + (x[i]! - center[c]!) * centeredScale[c]! + constant[c]!;
      }
    }
    return;
  }
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      planeBackwardInput(x, g, gradInput, (n * channels + c) * spatial, spatial, center[c]!, gradScale[c]!, centeredScale[c]!, constant[c]!);
    }
  }
}
