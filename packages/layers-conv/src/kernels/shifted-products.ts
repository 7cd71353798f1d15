/**
 * The stride-1 convolution's forward and weight gradient on the shifted
 * column matrix of `shifted.ts`, one product per group and piece: a piece
 * is a chunk of samples side by side (small outputs), or a block of one
 * sample's wide positions (large outputs, so that the block's column rows
 * stay in cache from their copy to the product). The product's wide rows
 * are compacted into the output with the bias added on the way (forward),
 * or the output gradient is widened into them (weight gradient).
 */
import type { DType } from '@strata/tensor/backend';
import { gemmRegions } from './gemm-regions.js';
import { scratch } from './scratch.js';
import { compactWide, widen } from './shifted-compact.js';
import { type ShiftedLayout, padSample, shiftedRows } from './shifted.js';

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
  /** Wide positions of one sample per product: the whole `wideLength` unless a sample is split into blocks. */
  block: number;
  layout: ShiftedLayout;
}

/** A product's share of the work: `count` samples from `first`, wide positions `start … start + length − 1` of each. */
interface Piece {
  first: number;
  count: number;
  start: number;
  length: number;
}

/** The pieces of a plan, in order: chunks of samples, or blocks of each sample. */
function piecesOf(plan: ShiftedPlan): Piece[] {
  const pieces: Piece[] = [];
  const wide = plan.layout.wideLength;
  for (let first = 0; first < plan.batch; first += plan.chunk) {
    const count = Math.min(plan.chunk, plan.batch - first);
    for (let start = 0; start < wide; start += plan.block) {
      pieces.push({ first, count, start, length: Math.min(plan.block, wide - start) });
    }
  }
  return pieces;
}

/**
 * One scratch array for the column rows of a piece, followed by the padded
 * planes of one sample: those are cleared here, and each sample then
 * overwrites only their interior, so the padding stays zero.
 */
function workArray(dtype: DType, plan: ShiftedPlan): { work: FloatArray; paddedOffset: number } {
  const paddedOffset = plan.channels * plan.kernelVolume * plan.chunk * plan.block;
  const end = paddedOffset + plan.channels * plan.layout.paddedVolume;
  const work = scratch(dtype, 'columns', end);
  work.fill(0, paddedOffset, end);
  return { work, paddedOffset };
}

/**
 * Writes the column rows of a piece, padding each sample first (a sample
 * split into blocks is padded on its first block and stays for the others).
 */
function pieceColumns(x: FloatArray, work: FloatArray, paddedOffset: number, plan: ShiftedPlan, piece: Piece): void {
  const { channels, inputVolume, layout } = plan;
  for (let j = 0; j < piece.count; j++) {
    if (piece.start === 0) padSample(x, (piece.first + j) * channels * inputVolume, channels, inputVolume, layout, work, paddedOffset);
    shiftedRows(work, paddedOffset, channels, layout, j * piece.length, piece.count * piece.length, piece.start, piece.length);
  }
}

/** The forward: `x` [N, C, ...in], `w` [O, C/groups, ...kernel], bias [O] or null, into `output` [N, O, ...out]. */
export function shiftedForward(
  x: FloatArray, w: FloatArray, bias: FloatArray | null, output: FloatArray, dtype: DType, plan: ShiftedPlan,
): void {
  const { outChannels, groups, depth, outputVolume, layout } = plan;
  const groupOutChannels = outChannels / groups;
  const { work, paddedOffset } = workArray(dtype, plan);
  // Every element the product writes is overwritten, so the scratch needs no clearing.
  const staging = scratch(dtype, 'staging', outChannels * plan.chunk * plan.block);
  // The bias is added as the rows are compacted: no pass of its own, and the product needs no copy of it. Unless
  // output rows merge into long runs, which are compacted by native copies: the rows are then filled with the
  // bias (natively) and the product adds onto them.
  const prefill = bias !== null && layout.outputRuns.length < layout.outputRows.length;
  for (const piece of piecesOf(plan)) {
    const rowLength = piece.count * piece.length;
    pieceColumns(x, work, paddedOffset, plan, piece);
    if (prefill) for (let o = 0; o < outChannels; o++) staging.fill(bias[o]!, o * rowLength, (o + 1) * rowLength);
    for (let g = 0; g < groups; g++) {
      gemmRegions(
        groupOutChannels, rowLength, depth,
        w, g * groupOutChannels * depth, depth, 1,
        work, g * depth * rowLength, rowLength, 1,
        staging, g * groupOutChannels * rowLength, prefill,
      );
    }
    for (let j = 0; j < piece.count; j++) {
      compactWide(
        staging, j * piece.length, rowLength, outChannels, layout,
        output, (piece.first + j) * outChannels * outputVolume, prefill ? null : bias, piece.start, piece.length,
      );
    }
  }
}

/** The weight gradient: `x` [N, C, ...in], `dy` [N, O, ...out], added into `result` [O, C/groups, ...kernel] (zeros). */
export function shiftedBackwardWeight(
  x: FloatArray, dy: FloatArray, result: FloatArray, dtype: DType, plan: ShiftedPlan,
): void {
  const { outChannels, groups, depth, outputVolume, layout } = plan;
  const groupOutChannels = outChannels / groups;
  const { work, paddedOffset } = workArray(dtype, plan);
  const size = outChannels * plan.chunk * plan.block;
  const staging = scratch(dtype, 'staging', size);
  const blocks = plan.block < layout.wideLength;
  let previousLength = -1;
  for (const piece of piecesOf(plan)) {
    const rowLength = piece.count * piece.length;
    // The unused wide positions must hold zeros (the product multiplies them by real column values). Chunks of
    // one length write the same positions each time; a chunk of another length, or another block, does not.
    if (blocks || rowLength !== previousLength) staging.fill(0, 0, size);
    previousLength = rowLength;
    pieceColumns(x, work, paddedOffset, plan, piece);
    for (let j = 0; j < piece.count; j++) {
      widen(
        dy, (piece.first + j) * outChannels * outputVolume, outChannels, layout,
        staging, j * piece.length, rowLength, piece.start, piece.length,
      );
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
