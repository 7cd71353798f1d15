/**
 * The stride-1 convolution's forward and weight gradient on the shifted
 * column matrix of `shifted.ts`: a chunk of samples side by side in one
 * product per group, the product's wide rows compacted into the output
 * with the bias added on the way (forward) or the output gradient widened
 * into them (weight gradient).
 */
import type { DType } from '@strata/tensor/backend';
import { gemmRegions } from './gemm-regions.js';
import { scratch } from './scratch.js';
import { type ShiftedLayout, compactWide, shiftedColumns, widen } from './shifted.js';

type FloatArray = Float32Array | Float64Array;

/** The sizes both products need. */
export interface ShiftedPlan {
  batch: number;
  channels: number;
  outChannels: number;
  groups: number;
  /** groupChannels × kernel volume. */
  depth: number;
  kernelVolume: number;
  inputVolume: number;
  outputVolume: number;
  /** Samples side by side in one product. */
  chunk: number;
  layout: ShiftedLayout;
}

/**
 * One scratch array for the column rows of a chunk, followed by the padded
 * planes of one sample: those are cleared here, and each sample then
 * overwrites only their interior, so the padding stays zero.
 */
function workArray(dtype: DType, plan: ShiftedPlan): { work: FloatArray; paddedOffset: number } {
  const paddedOffset = plan.channels * plan.kernelVolume * plan.chunk * plan.layout.wideLength;
  const end = paddedOffset + plan.channels * plan.layout.paddedVolume;
  const work = scratch(dtype, 'columns', end);
  work.fill(0, paddedOffset, end);
  return { work, paddedOffset };
}

/** The forward: `x` [N, C, ...in], `w` [O, C/groups, ...kernel], bias [O] or null, into `output` [N, O, ...out]. */
export function shiftedForward(
  x: FloatArray, w: FloatArray, bias: FloatArray | null, output: FloatArray, dtype: DType, plan: ShiftedPlan,
): void {
  const { batch, channels, outChannels, groups, depth, inputVolume, outputVolume, chunk, layout } = plan;
  const wide = layout.wideLength;
  const groupOutChannels = outChannels / groups;
  const { work, paddedOffset } = workArray(dtype, plan);
  // Every element the product writes is overwritten, so the scratch needs no clearing.
  const staging = scratch(dtype, 'staging', outChannels * chunk * wide);
  for (let first = 0; first < batch; first += chunk) {
    const count = Math.min(chunk, batch - first);
    const rowLength = count * wide;
    for (let j = 0; j < count; j++) {
      shiftedColumns(x, (first + j) * channels * inputVolume, channels, inputVolume, layout, work, paddedOffset, j * wide, rowLength);
    }
    for (let g = 0; g < groups; g++) {
      gemmRegions(
        groupOutChannels, rowLength, depth,
        w, g * groupOutChannels * depth, depth, 1,
        work, g * depth * rowLength, rowLength, 1,
        staging, g * groupOutChannels * rowLength, false,
      );
    }
    // The bias is added as the rows are compacted: no pass of its own, and the product needs no copy of it.
    for (let j = 0; j < count; j++) {
      compactWide(staging, j * wide, rowLength, outChannels, layout, output, (first + j) * outChannels * outputVolume, bias);
    }
  }
}

/** The weight gradient: `x` [N, C, ...in], `dy` [N, O, ...out], added into `result` [O, C/groups, ...kernel] (zeros). */
export function shiftedBackwardWeight(
  x: FloatArray, dy: FloatArray, result: FloatArray, dtype: DType, plan: ShiftedPlan,
): void {
  const { batch, channels, outChannels, groups, depth, inputVolume, outputVolume, chunk, layout } = plan;
  const wide = layout.wideLength;
  const groupOutChannels = outChannels / groups;
  const { work, paddedOffset } = workArray(dtype, plan);
  // The unused wide positions must hold zeros: the product multiplies them by real column values.
  const staging = scratch(dtype, 'staging', outChannels * chunk * wide);
  staging.fill(0, 0, outChannels * chunk * wide);
  for (let first = 0; first < batch; first += chunk) {
    const count = Math.min(chunk, batch - first);
    const rowLength = count * wide;
    // A shorter last chunk moves each row: values of the previous chunk would land on unused positions.
    if (count !== chunk && first > 0) staging.fill(0, 0, outChannels * rowLength);
    for (let j = 0; j < count; j++) {
      shiftedColumns(x, (first + j) * channels * inputVolume, channels, inputVolume, layout, work, paddedOffset, j * wide, rowLength);
      widen(dy, (first + j) * outChannels * outputVolume, outChannels, layout, staging, j * wide, rowLength);
    }
    for (let g = 0; g < groups; g++) {
      // (columns)ᵀ as B: element [p][j] is column row j, position p.
      gemmRegions(
        groupOutChannels, depth, rowLength,
        staging, g * groupOutChannels * rowLength, rowLength, 1,
        work, g * depth * rowLength, 1, rowLength,
        result, g * groupOutChannels * depth, true,
      );
    }
  }
}
