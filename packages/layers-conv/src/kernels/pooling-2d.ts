/**
 * Max and min pooling of float32 planes over two spatial dimensions with no
 * dilation: the windows of nearly every network (2×2 stride 2, 3×3 stride
 * 2 padding 1). The general kernel of `pooling-max.ts` walks the segment
 * table one kernel offset at a time, sweeping the output planes K times;
 * these loops visit each output once, its window clipped to the input,
 * with a branch-free body for 2×2 stride 2. They give exactly what the
 * general kernel gives (the same window order, so the same winner on ties
 * and NaNs). Average pooling's counterpart is `pooling-avg-2d.ts`. Only
 * Float32Array, so each loop stays monomorphic.
 */
import type { ConvolutionGeometry } from './geometry.js';

/** Whether the 2-D float32 loops handle a pooling of `geometry` on a `dtype` input. */
export function pooling2dApplies(geometry: ConvolutionGeometry, dtype: string): boolean {
  return dtype === 'float32' && geometry.kernelSize.length === 2 && geometry.dilation[0] === 1 && geometry.dilation[1] === 1;
}

/**
 * Max (or, with `minimum`, min) pooling of `planes` float32 planes: the
 * extreme of each window and its flat index within the plane. A window
 * starts at -∞ (+∞) with the index of its first element inside the input;
 * a strictly better value or any NaN replaces it, in row-major window order.
 */
export function extremumPool2d(
  x: Float32Array, values: Float32Array, indices: Int32Array, planes: number, geometry: ConvolutionGeometry, minimum: boolean,
): void {
  const [height, width] = geometry.inputSize as [number, number];
  const [outHeight, outWidth] = geometry.outputSize as [number, number];
  const [kernelHeight, kernelWidth] = geometry.kernelSize as [number, number];
  const [strideHeight, strideWidth] = geometry.stride as [number, number];
  const [padHeight, padWidth] = geometry.padding as [number, number];
  if (
    !minimum && kernelHeight === 2 && kernelWidth === 2 && strideHeight === 2 && strideWidth === 2 &&
    padHeight === 0 && padWidth === 0 && 2 * outHeight <= height && 2 * outWidth <= width
  ) {
    maxPool2x2(x, values, indices, planes, height, width, outHeight, outWidth);
    return;
  }
  const sign = minimum ? -1 : 1;
  const inputVolume = height * width;
  const outputVolume = outHeight * outWidth;
  for (let p = 0; p < planes; p++) {
    const inBase = p * inputVolume;
    let o = p * outputVolume;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padHeight;
      const h0 = top < 0 ? 0 : top;
      const h1 = Math.min(top + kernelHeight, height);
      for (let ow = 0; ow < outWidth; ow++, o++) {
        const left = ow * strideWidth - padWidth;
        const w0 = left < 0 ? 0 : left;
        const w1 = Math.min(left + kernelWidth, width);
        // Compared as sign·value so one loop does both; ±0 and NaN keep their meaning.
        let best = Number.NEGATIVE_INFINITY;
        let at = h0 * width + w0;
        for (let h = h0; h < h1; h++) {
          const row = h * width;
          for (let w = w0; w < w1; w++) {
            const value = sign * x[inBase + row + w]!;
            if (value > best || value !== value) {
              best = value;
              at = row + w;
            }
          }
        }
        values[o] = sign * best;
        indices[o] = at;
      }
    }
  }
}

/**
 * Max pooling with 2×2 windows at stride 2, no padding, one output row at
 * a time. Each window is a tournament of index arithmetic: the winner of
 * each input row's pair is `+(right > left)` places along, and the bottom
 * pair's winner replaces the top pair's when strictly greater. Strict
 * comparisons keep the first of equal values (±0 included), which is the
 * sequential loop's winner when no NaN is present; the value is then read
 * at the winning index. No branch depends on the data, where the
 * sequential loop's three comparisons mispredicted about half the time on
 * a ReLU's output (measured 5.5 → 2.1 ms on [64, 32, 26, 26]). A row whose
 * inputs hold a NaN (their sum is NaN; so is it for +∞ and −∞ together) is
 * redone by {@link maxPool2x2Row}, where NaN wins as in every other path.
 */
function maxPool2x2(
  x: Float32Array, values: Float32Array, indices: Int32Array, planes: number,
  height: number, width: number, outHeight: number, outWidth: number,
): void {
  const inputVolume = height * width;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const inBase = p * inputVolume;
    for (let oh = 0; oh < outHeight; oh++, o += outWidth) {
      const rowAt = 2 * oh * width;
      const top = inBase + rowAt;
      const bottom = top + width;
      let sum = 0;
      for (let ow = 0, i = 0; ow < outWidth; ow++, i += 2) {
        const a = x[top + i]!;
        const b = x[top + i + 1]!;
        const c = x[bottom + i]!;
        const d = x[bottom + i + 1]!;
        sum += a + b + (c + d);
        const right = +(b > a);
        const lower = +(d > c);
        const down = +(x[bottom + i + lower]! > x[top + i + right]!);
        const at = i + right + down * (width + lower - right);
        values[o + ow] = x[top + at]!;
        indices[o + ow] = rowAt + at;
      }
      if (sum !== sum) maxPool2x2Row(x, values, indices, o, inBase, rowAt, width, outWidth);
    }
  }
}

/**
 * One output row of {@link maxPool2x2} (from output `o`, input row
 * `rowAt` of the plane at `inBase`) in sequential order: the first element
 * wins unless a later one is strictly greater or NaN (the last NaN wins).
 */
function maxPool2x2Row(
  x: Float32Array, values: Float32Array, indices: Int32Array, o: number, inBase: number, rowAt: number,
  width: number, outWidth: number,
): void {
  for (let ow = 0; ow < outWidth; ow++) {
    const at = rowAt + 2 * ow;
    let best = x[inBase + at]!;
    let where = at;
    const second = x[inBase + at + 1]!;
    const third = x[inBase + at + width]!;
    const fourth = x[inBase + at + width + 1]!;
    if (second > best || second !== second) {
      best = second;
      where = at + 1;
    }
    if (third > best || third !== third) {
      best = third;
      where = at + width;
    }
    if (fourth > best || fourth !== fourth) {
      best = fourth;
      where = at + width + 1;
    }
    values[o + ow] = best;
    indices[o + ow] = where;
  }
}
