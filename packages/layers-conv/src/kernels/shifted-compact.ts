/**
 * Between the wide rows of the shifted column products (`shifted.ts`) and
 * dense output planes: compacting a product's rows into the output (the
 * forward) and widening the output gradient into rows (the weight
 * gradient), one run of consecutive output positions at a time.
 */
import { type ShiftedLayout, copyRow } from './shifted.js';

type FloatArray = Float32Array | Float64Array;

/**
 * Copies the output positions among wide positions `start … start +
 * length − 1` of `planes` rows (plane `p`'s first at `wideOffset +
 * p·rowLength` of `wide`) into `planes` dense output planes of `output`
 * from `outputOffset`, dropping the unused positions and adding `bias[p]`
 * when a bias is given: the one pass the bias costs.
 */
export function compactWide(
  wide: FloatArray, wideOffset: number, rowLength: number, planes: number, layout: ShiftedLayout,
  output: FloatArray, outputOffset: number, bias: FloatArray | null, start: number, length: number,
): void {
  const { outputRuns, outputRunLengths, outputRunStarts, wideLength } = layout;
  if (start === 0 && length === wideLength) {
    compactWhole(wide, wideOffset, rowLength, planes, layout, output, outputOffset, bias);
    return;
  }
  const runs = outputRuns.length;
  const end = start + length;
  const outputVolume = outputRunStarts[runs - 1]! + outputRunLengths[runs - 1]!;
  for (let p = 0; p < planes; p++) {
    // Indexed by absolute wide position.
    const plane = wideOffset + p * rowLength - start;
    const value = bias === null ? 0 : bias[p]!;
    for (let r = 0; r < runs; r++) {
      const runStart = outputRuns[r]!;
      const first = runStart > start ? runStart : start;
      const last = Math.min(runStart + outputRunLengths[r]!, end);
      if (first >= last) continue;
      const to = outputOffset + p * outputVolume + outputRunStarts[r]! + first - runStart;
      if (bias === null) {
        copyRow(wide, plane + first, output, to, last - first);
      } else {
        const from = plane + first;
        for (let t = 0; t < last - first; t++) output[to + t] = wide[from + t]! + value;
      }
    }
  }
}

/** {@link compactWide} of a whole sample's wide positions: every output run, no clipping. */
function compactWhole(
  wide: FloatArray, wideOffset: number, rowLength: number, planes: number, layout: ShiftedLayout,
  output: FloatArray, outputOffset: number, bias: FloatArray | null,
): void {
  const { outputRuns, outputRunLengths } = layout;
  const runs = outputRuns.length;
  let to = outputOffset;
  for (let p = 0; p < planes; p++) {
    const plane = wideOffset + p * rowLength;
    const value = bias === null ? 0 : bias[p]!;
    for (let r = 0; r < runs; r++) {
      const from = plane + outputRuns[r]!;
      const runLength = outputRunLengths[r]!;
      if (bias === null) copyRow(wide, from, output, to, runLength);
      else for (let t = 0; t < runLength; t++) output[to + t] = wide[from + t]! + value;
      to += runLength;
    }
  }
}

/**
 * The reverse of {@link compactWide}: the positions among wide positions
 * `start … start + length − 1` of `planes` dense planes of `dense` (from
 * `denseOffset`) into wide rows of `wide` (the unused positions are left as
 * they are).
 */
export function widen(
  dense: FloatArray, denseOffset: number, planes: number, layout: ShiftedLayout,
  wide: FloatArray, wideOffset: number, rowLength: number, start: number, length: number,
): void {
  const { outputRuns, outputRunLengths, outputRunStarts } = layout;
  const runs = outputRuns.length;
  const end = start + length;
  const outputVolume = outputRunStarts[runs - 1]! + outputRunLengths[runs - 1]!;
  for (let p = 0; p < planes; p++) {
    const plane = wideOffset + p * rowLength - start;
    for (let r = 0; r < runs; r++) {
      const runStart = outputRuns[r]!;
      const first = runStart > start ? runStart : start;
      const last = Math.min(runStart + outputRunLengths[r]!, end);
      if (first >= last) continue;
      copyRow(dense, denseOffset + p * outputVolume + outputRunStarts[r]! + first - runStart, wide, plane + first, last - first);
    }
  }
}
