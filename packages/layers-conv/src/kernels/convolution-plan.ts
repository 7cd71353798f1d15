/**
 * How a convolution kernel call (`convolution.ts`) runs: its sizes and its
 * path, chosen by shape. (The float32 forward of one group with stride 1
 * along the last dimension does not come here where WebAssembly runs: the
 * `wasm` backend's `convolution`, `wasm/conv-wasm.ts`, takes it first.)
 * Each call takes one of these paths:
 * - depthwise (one input channel per group, fewer than 4 output channels
 *   per group): the shift-and-add kernels of `depthwise.ts`;
 * - pointwise (1×1 kernel, stride 1, no padding): the input planes already
 *   are the column matrix, so `gemm` reads them in place;
 * - direct (`direct.ts`): the matrix product's register tile reading a
 *   padded channels-last copy of each sample instead of a column matrix.
 *   Measured at the matrix product's own speed (matmul_512's GFLOP/s) on
 *   the benchmark workloads, where im2col + `gemm` reached 60–75%: the
 *   column matrix is K times the input, written once and packed again. It
 *   is used wherever the output rows fill its 4-wide tiles, and for the
 *   transposed direction when every stride is 1 (the input gradient is then
 *   a convolution with the flipped kernel);
 * - im2col (or col2im) plus `gemm`, one product per group over a chunk of
 *   samples: for narrow outputs (many samples then share one product), and
 *   for the transposed direction with a stride above 1. And for every
 *   convolution with at least 4 output channels per group whose products the
 *   active `gemm` backend runs on an accelerated path (the
 *   `gemmAccelerated` kernel answers; the backend owns its thresholds): the
 *   wasm backend's SIMD product, at 20–30 GFLOP/s, outruns the JavaScript
 *   direct kernel even after the im2col copies, measured 3–5× on the Fashion-MNIST CNN's layers (32→64 channels,
 *   3×3 on 13×13, batch 64: forward 105 → 20 ms, input gradient 133 → 21,
 *   weight gradient 86 → 19) and the conv1d/conv2d benchmark workloads,
 *   1.5× on conv3d. With fewer output channels the product's 4-row tiles run
 *   mostly empty and the direct kernel stays.
 * - shifted (the im2col case above with every stride 1, `shifted.ts`): the
 *   column rows are whole shifted runs of a zero-padded copy of each sample,
 *   one native `copyWithin` each, the product's rows compacted into the
 *   output; the transposed direction then runs as the convolution with the
 *   flipped kernel instead of a col2im scatter (where the padded plane adds
 *   little). A large sample is split into cache-sized blocks of positions.
 *   On the benchmark workloads it took the im2col/col2im share of
 *   conv2d_fwd_bwd's profile from 43% to 18%, and conv3d's kernels (CPU
 *   time, same machine) from about 80/85/75 ms (forward, input and weight
 *   gradients) to 38/47/38. Except where a group's column matrix has
 *   fewer rows than the group's output channels (a first layer on few input
 *   channels): one sample's im2col matrix is then the smaller copy, and its
 *   products write the output planes in place (`writesOutputInPlace`).
 *   A 2-D convolution that keeps the width stores its planes with padding
 *   rows only, so that its column rows are im2col's and the products read
 *   and write the output planes in place (`shifted-dense.ts`).
 *
 * Chunking on the im2col path: `gemm` streams its B operand in panels of up
 * to 2048 columns, so a product gains nothing from more columns than that;
 * what a longer row buys is fewer, longer panels when a sample's output is
 * small. So the samples of a chunk sit side by side in the column matrix
 * until a row holds about {@link TARGET_COLUMNS} values (one sample when its
 * output is that large already, which also keeps the column matrix in cache
 * between im2col and the product), and a chunk of several samples is written
 * through a staging matrix that is then scattered into the [N, C, ...] output.
 * Both are scratch arrays reused between calls (`scratch.ts`): every
 * element a product reads from them is written first in the same call.
 */
import { type DType, getKernel } from '@strata/tensor/backend';
import { type ConvolutionGeometry, type SegmentTable, segmentTable } from './geometry.js';
import { shiftedApplies, shiftedLayout } from './shifted.js';
import type { ShiftedPlan } from './shifted-products.js';

/** Samples are batched into one product until a column-matrix row is about this long. */
const TARGET_COLUMNS = 1024;
/**
 * On the shifted path, a sample's column rows are built and multiplied in
 * blocks of about this many elements (1 MiB of float32, an L2 cache), not
 * all at once: conv3d's 216 rows of 18,000 positions (16 MiB) went from
 * memory to the product's copy and back.
 */
const BLOCK_ELEMENTS = 1 << 18;
/** Samples with fewer column elements than this are not split: conv2d_fwd_bwd's (1.2 MiB) gained nothing. */
const MIN_BLOCKED_ELEMENTS = 1 << 20;
/** The column matrix of one chunk stays below this many elements (64 MiB of float32). */
const MAX_COLUMN_ELEMENTS = 1 << 24;
/** The direct kernel is chosen when its 4-wide tiles compute at most this share of unused positions. */
const MAX_IDLE_LANES = 0.25;
/**
 * The flipped convolution computes every (wide) position of the padded
 * output gradient, col2im only the real ones: past this ratio (small planes
 * with large kernels, like the CNN's 11×11 → 13×13: 1.6, measured 10%
 * slower) col2im stays.
 */
export const MAX_FLIPPED_GROWTH = 1.3;
/** A sample's output is wide enough for a product of its own from this many positions (see `writesOutputInPlace`). */
const MIN_IN_PLACE_COLUMNS = 256;
/** Convolutions with this many output channels per group take im2col + an accelerated `gemm` instead. */
const MIN_ACCELERATED_OUT_CHANNELS = 4;

/** The sizes every path needs, read once from the tensors and the geometry. */
export interface Plan {
  batch: number;
  /** Input channels of the convolution (the transposed convolution's output channels). */
  channels: number;
  outChannels: number;
  groups: number;
  groupChannels: number;
  groupOutChannels: number;
  /** groupChannels × kernel volume: the inner dimension of each group's product. */
  depth: number;
  table: SegmentTable;
  path: 'depthwise' | 'pointwise' | 'direct' | 'columns' | 'shifted';
  /** Samples per chunk on the im2col path. */
  chunk: number;
}

export function plan(
  batch: number, channels: number, outChannels: number, geometry: ConvolutionGeometry, transposed: boolean,
  dtype: DType,
): Plan {
  const table = segmentTable(geometry);
  const groups = geometry.groups;
  const groupChannels = channels / groups;
  const groupOutChannels = outChannels / groups;
  let path: Plan['path'] = 'columns';
  const inPlace = writesOutputInPlace(groupChannels * table.kernelVolume, groupOutChannels, table.outputVolume);
  if (groupChannels === 1 && groupOutChannels < 4) {
    path = 'depthwise';
  } else if (
    table.kernelVolume === 1 &&
    geometry.stride.every((stride) => stride === 1) &&
    geometry.padding.every((padding) => padding === 0) &&
    table.inputVolume === table.outputVolume
  ) {
    path = 'pointwise';
  } else if (
    groupOutChannels >= MIN_ACCELERATED_OUT_CHANNELS &&
    columnProductsAccelerated(table, groupChannels, groupOutChannels, transposed, dtype)
  ) {
    // Stride 1: the column rows are shifted copies of the padded input (see `shifted.ts`), unless the
    // column matrix is the smaller copy (see `writesOutputInPlace`).
    path = !transposed && shiftedApplies(geometry) && !inPlace ? 'shifted' : 'columns';
  } else if (
    transposed
      ? geometry.stride.every((stride) => stride === 1) && idleLanesOf(geometry.inputSize) <= MAX_IDLE_LANES
      : idleLanesOf(geometry.outputSize) <= MAX_IDLE_LANES
  ) {
    // Transposed, the direct kernel's tiles run along the convolution's input rows.
    path = 'direct';
  }
  const rows = channels * table.kernelVolume;
  const columns = path === 'shifted' ? shiftedLayout(geometry).wideLength : table.outputVolume;
  const perSample = Math.max(rows * columns, 1);
  const wanted = !transposed && path === 'columns' && inPlace
    ? 1
    : Math.ceil(TARGET_COLUMNS / Math.max(columns, 1));
  const chunk = Math.max(1, Math.min(batch, wanted, Math.floor(MAX_COLUMN_ELEMENTS / perSample)));
  return {
    batch, channels, outChannels, groups, groupChannels, groupOutChannels,
    depth: groupChannels * table.kernelVolume, table, path, chunk,
  };
}

/**
 * Whether a convolution's products should read the column matrix of one
 * sample and write (forward) or read (weight gradient) the output planes in
 * place, rather than take the shifted path: when a group's column matrix
 * has fewer rows than the group has output channels, building it in
 * JavaScript (im2col) costs less than the pass over the output that the
 * shifted path's wide rows need (compacting them, or widening the output
 * gradient), at about 1.3 ns an element either way; and a sample's output
 * must be wide enough for a product of its own. The Fashion-MNIST CNN's
 * first layer (1 → 32 channels, 3×3, 26×26 outputs: 9 rows against 32
 * channels) is the case: CPU time of forward 6.1–7.3 → 4.3–5.3 ms,
 * backward (weight and bias gradients) 7.5–9.0 → 5.8–6.1 ms, batch 64.
 */
function writesOutputInPlace(depth: number, groupOutChannels: number, outputVolume: number): boolean {
  return depth < groupOutChannels && outputVolume >= MIN_IN_PLACE_COLUMNS;
}

/**
 * Whether a one-sample column product already runs on an accelerated
 * `gemm`, so that every chunk's product does (they only have more columns)
 * and a batch gets the same bits as its samples one at a time.
 */
function columnProductsAccelerated(
  table: SegmentTable, groupChannels: number, groupOutChannels: number, transposed: boolean, dtype: DType,
): boolean {
  const depth = groupChannels * table.kernelVolume;
  const accelerated = getKernel('gemmAccelerated');
  return transposed
    ? accelerated(depth, table.outputVolume, groupOutChannels, dtype)
    : accelerated(groupOutChannels, table.outputVolume, depth, dtype);
}

/** The product of `sizes`. */
export function volumeOf(sizes: readonly number[]): number {
  let volume = 1;
  for (const size of sizes) volume *= size;
  return volume;
}

/** The share of a 4-wide tile row left unused by rows of `sizes`' last length. */
function idleLanesOf(sizes: readonly number[]): number {
  const last = sizes[sizes.length - 1]!;
  return 1 - last / (Math.ceil(last / 4) * 4);
}


/**
 * The sizes the shifted products need, from a plan that chose them. A
 * sample whose column rows pass {@link MIN_BLOCKED_ELEMENTS} is split into
 * blocks of wide positions of about {@link BLOCK_ELEMENTS} column elements.
 */
export function shiftedPlan(p: Plan, geometry: ConvolutionGeometry): ShiftedPlan {
  const layout = shiftedLayout(geometry);
  const elements = p.channels * p.table.kernelVolume * layout.wideLength;
  // Blocks of equal size (a last block of a few positions would cost a whole product).
  const blocks = p.chunk === 1 && elements > MIN_BLOCKED_ELEMENTS ? Math.ceil(elements / BLOCK_ELEMENTS) : 1;
  const block = Math.ceil(layout.wideLength / blocks);
  return {
    batch: p.batch, channels: p.channels, outChannels: p.outChannels, groups: p.groups, depth: p.depth,
    kernelVolume: p.table.kernelVolume, inputVolume: p.table.inputVolume, outputVolume: p.table.outputVolume,
    chunk: p.chunk, block, layout,
  };
}

