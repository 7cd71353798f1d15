/**
 * Loops over a tensor read as `[batch, channels, spatial]`: each (n, c)
 * pair is a plane of `spatial` contiguous elements, and every plane of
 * channel `c` shares per-channel coefficients. Batch norm uses them with
 * the real batch; group and instance norm pass `batch = 1` and one
 * "channel" per (n, c) plane, so that each plane gets its own coefficients.
 */
import type { FloatArray } from './moments.js';

/**
 * `y = (x − center[c]) · scale[c] + offset[c]` on every plane. Subtracting
 * the center before scaling keeps the result exact when the mean is large
 * next to the spread (`x · scale + (offset − center · scale)` would cancel).
 */
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
      const start = (n * channels + c) * spatial;
      const end = start + spatial;
      const m = center[c]!;
      const a = scale[c]!;
      const b = offset[c]!;
      for (let i = start; i < end; i++) y[i] = (x[i]! - m) * a + b;
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
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const start = (n * channels + c) * spatial;
      const end = start + spatial;
      const m = center[c]!;
      let g0 = 0;
      let g1 = 0;
      let p0 = 0;
      let p1 = 0;
      let i = start;
      for (; i + 1 < end; i += 2) {
        const a = g[i]!;
        const b = g[i + 1]!;
        g0 += a;
        g1 += b;
        p0 += a * (x[i]! - m);
        p1 += b * (x[i + 1]! - m);
      }
      if (i < end) {
        const a = g[i]!;
        g0 += a;
        p0 += a * (x[i]! - m);
      }
      sumG[c] += g0 + g1;
      sumGX[c] += p0 + p1;
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
      const start = (n * channels + c) * spatial;
      const end = start + spatial;
      const m = center[c]!;
      const a = gradScale[c]!;
      const b = centeredScale[c]!;
      const k = constant[c]!;
      if (b === 0 && k === 0) {
        for (let i = start; i < end; i++) gradInput[i] = g[i]! * a;
      } else {
        for (let i = start; i < end; i++) gradInput[i] = g[i]! * a + (x[i]! - m) * b + k;
      }
    }
  }
}
