/**
 * The convolution kernels, for any number of spatial dimensions: forward,
 * transposed (the forward's input gradient, and the transposed
 * convolution's forward), weight gradient and bias gradient. No autograd in
 * here: tensors in, a new contiguous tensor out.
 *
 * Each call takes one of four paths, by shape:
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
 *   gradients) to 38/47/38.
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
import { Tensor } from '@strata/tensor';
import { type DType, allocate, getKernel } from '@strata/tensor/backend';
import { depthwiseBackwardInput, depthwiseBackwardWeight, depthwiseForward } from './depthwise.js';
import { directBackwardInput, directBackwardWeight, directForward } from './direct.js';
import { type ConvolutionGeometry, type SegmentTable, segmentTable } from './geometry.js';
import { gemmRegions } from './gemm-regions.js';
import { col2im, im2col } from './im2col.js';
import { scratch } from './scratch.js';
import { flippedGeometry, flippedWeight, shiftedApplies, shiftedLayout } from './shifted.js';
import { type ShiftedPlan, shiftedBackwardWeight, shiftedForward } from './shifted-products.js';

type FloatArray = Float32Array | Float64Array;

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
const MAX_FLIPPED_GROWTH = 1.3;
/** Convolutions with this many output channels per group take im2col + an accelerated `gemm` instead. */
const MIN_ACCELERATED_OUT_CHANNELS = 4;

/** The sizes every path needs, read once from the tensors and the geometry. */
interface Plan {
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

function plan(
  batch: number, channels: number, outChannels: number, geometry: ConvolutionGeometry, transposed: boolean,
  dtype: DType,
): Plan {
  const table = segmentTable(geometry);
  const groups = geometry.groups;
  const groupChannels = channels / groups;
  const groupOutChannels = outChannels / groups;
  let path: Plan['path'] = 'columns';
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
    // Stride 1: the column rows are shifted copies of the padded input (see `shifted.ts`).
    path = !transposed && shiftedApplies(geometry) ? 'shifted' : 'columns';
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
  const wanted = Math.ceil(TARGET_COLUMNS / Math.max(columns, 1));
  const chunk = Math.max(1, Math.min(batch, wanted, Math.floor(MAX_COLUMN_ELEMENTS / perSample)));
  return {
    batch, channels, outChannels, groups, groupChannels, groupOutChannels,
    depth: groupChannels * table.kernelVolume, table, path, chunk,
  };
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
function volumeOf(sizes: readonly number[]): number {
  let volume = 1;
  for (const size of sizes) volume *= size;
  return volume;
}

/** The share of a 4-wide tile row left unused by rows of `sizes`' last length. */
function idleLanesOf(sizes: readonly number[]): number {
  const last = sizes[sizes.length - 1]!;
  return 1 - last / (Math.ceil(last / 4) * 4);
}

function data(tensor: Tensor): FloatArray {
  return tensor.contiguousData() as FloatArray;
}

/** Fills each channel plane of a fresh [N, C, volume] array with that channel's bias. */
function fillBias(output: FloatArray, bias: Tensor | null, batch: number, channels: number, volume: number): void {
  if (bias === null) return;
  const values = data(bias);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < channels; c++) {
      const start = (n * channels + c) * volume;
      output.fill(values[c]!, start, start + volume);
    }
  }
}

/**
 * Copies `count` samples of a [N, C, volume] array, from sample `first`, into
 * [C, count·volume] (samples side by side in each row).
 */
function gatherSamples(from: FloatArray, to: FloatArray, first: number, count: number, channels: number, volume: number): void {
  const rowLength = count * volume;
  for (let j = 0; j < count; j++) {
    for (let c = 0; c < channels; c++) {
      const source = ((first + j) * channels + c) * volume;
      const target = c * rowLength + j * volume;
      for (let p = 0; p < volume; p++) to[target + p] = from[source + p]!;
    }
  }
}

/** The reverse of {@link gatherSamples}: [C, count·volume] back into samples `first…` of [N, C, volume]. */
function scatterSamples(from: FloatArray, to: FloatArray, first: number, count: number, channels: number, volume: number): void {
  const rowLength = count * volume;
  for (let j = 0; j < count; j++) {
    for (let c = 0; c < channels; c++) {
      const target = ((first + j) * channels + c) * volume;
      const source = c * rowLength + j * volume;
      for (let p = 0; p < volume; p++) to[target + p] = from[source + p]!;
    }
  }
}

/**
 * The sizes the shifted products need, from a plan that chose them. A
 * sample whose column rows pass {@link MIN_BLOCKED_ELEMENTS} is split into
 * blocks of wide positions of about {@link BLOCK_ELEMENTS} column elements.
 */
function shiftedPlan(p: Plan, geometry: ConvolutionGeometry): ShiftedPlan {
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

/**
 * A stride-1 transposed convolution as the convolution of its input with
 * the flipped kernel (padding `dilation·(kernel − 1) − padding`) on the
 * shifted path, when that path takes it: no col2im scatter. Else null.
 */
function flippedConvolution(
  gradOutput: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry,
): Tensor | null {
  const flipped = flippedGeometry(geometry);
  if (flipped === null || shiftedLayout(flipped).wideLength > MAX_FLIPPED_GROWTH * volumeOf(geometry.outputSize)) return null;
  const groups = geometry.groups;
  const outChannels = gradOutput.shape[1]!;
  const channels = weight.shape[1]! * groups;
  const p = plan(gradOutput.shape[0]!, outChannels, channels, flipped, false, gradOutput.dtype);
  if (p.path !== 'shifted') return null;
  const kernelVolume = p.table.kernelVolume;
  const w = allocate(gradOutput.dtype, weight.shape[0]! * weight.shape[1]! * kernelVolume) as FloatArray;
  flippedWeight(data(weight), outChannels, channels / groups, groups, kernelVolume, w);
  const result = allocate(gradOutput.dtype, p.batch * channels * p.table.outputVolume) as FloatArray;
  shiftedForward(data(gradOutput), w, bias === null ? null : data(bias), result, gradOutput.dtype, shiftedPlan(p, flipped));
  return Tensor.fromData(result, [p.batch, channels, ...geometry.inputSize]);
}

/**
 * The convolution: input [N, C, ...inputSize], weight [O, C/groups,
 * ...kernelSize], bias [O] or null → [N, O, ...outputSize].
 */
export function convolutionKernel(input: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry): Tensor {
  const p = plan(input.shape[0]!, input.shape[1]!, weight.shape[0]!, geometry, false, input.dtype);
  const { batch, channels, outChannels, groups, groupChannels, groupOutChannels, depth, table, chunk } = p;
  const { inputVolume, outputVolume } = table;
  const x = data(input);
  const w = data(weight);
  const output = allocate(input.dtype, batch * outChannels * outputVolume) as FloatArray;
  if (p.path === 'direct') {
    directForward(x, w, bias === null ? null : data(bias), output, batch, channels, outChannels, groups, geometry);
    return Tensor.fromData(output, [batch, outChannels, ...geometry.outputSize]);
  }
  const b = bias === null ? null : data(bias);
  if (p.path === 'shifted') {
    shiftedForward(x, w, b, output, input.dtype, shiftedPlan(p, geometry));
  } else if (p.path === 'depthwise') {
    fillBias(output, bias, batch, outChannels, outputVolume);
    depthwiseForward(x, w, output, batch, channels, groupOutChannels, table);
  } else if (p.path === 'pointwise') {
    for (let n = 0; n < batch; n++) {
      for (let g = 0; g < groups; g++) {
        gemmRegions(
          groupOutChannels, outputVolume, groupChannels,
          w, g * groupOutChannels * depth, depth, 1,
          x, (n * channels + g * groupChannels) * inputVolume, inputVolume, 1,
          output, (n * outChannels + g * groupOutChannels) * outputVolume, false,
          b, g * groupOutChannels,
        );
      }
    }
  } else {
    const columns = scratch(input.dtype, 'columns', channels * table.kernelVolume * chunk * outputVolume);
    const staging = chunk > 1 ? scratch(input.dtype, 'staging', outChannels * chunk * outputVolume) : null;
    for (let first = 0; first < batch; first += chunk) {
      const count = Math.min(chunk, batch - first);
      const rowLength = count * outputVolume;
      for (let j = 0; j < count; j++) {
        im2col(x, (first + j) * channels * inputVolume, channels, table, columns, j * outputVolume, rowLength);
      }
      // The bias in the product's epilogue, in both layouts, so a sample's values do not depend on its chunk.
      const target = count === 1 ? output : staging!;
      const targetStart = count === 1 ? first * outChannels * outputVolume : 0;
      for (let g = 0; g < groups; g++) {
        gemmRegions(
          groupOutChannels, rowLength, depth,
          w, g * groupOutChannels * depth, depth, 1,
          columns, g * depth * rowLength, rowLength, 1,
          target, targetStart + g * groupOutChannels * rowLength, false,
          b, g * groupOutChannels,
        );
      }
      if (count > 1) scatterSamples(staging!, output, first, count, outChannels, outputVolume);
    }
  }
  return Tensor.fromData(output, [batch, outChannels, ...geometry.outputSize]);
}

/**
 * The transposed convolution of `geometry`: gradOutput [N, O, ...outputSize],
 * weight [O, C/groups, ...kernelSize], bias [C] or null → [N, C,
 * ...inputSize]. It is the convolution's input gradient, and the forward of
 * `convTransposeNd` (whose weight [in, out/groups, ...] is this weight).
 */
export function convolutionTransposeKernel(
  gradOutput: Tensor, weight: Tensor, bias: Tensor | null, geometry: ConvolutionGeometry,
): Tensor {
  const flipped = flippedConvolution(gradOutput, weight, bias, geometry);
  if (flipped !== null) return flipped;
  const p = plan(
    gradOutput.shape[0]!, weight.shape[1]! * geometry.groups, gradOutput.shape[1]!, geometry, true, gradOutput.dtype,
  );
  const { batch, channels, outChannels, groups, groupChannels, groupOutChannels, depth, table, chunk } = p;
  const { inputVolume, outputVolume } = table;
  const dy = data(gradOutput);
  const w = data(weight);
  const result = allocate(gradOutput.dtype, batch * channels * inputVolume) as FloatArray;
  if (p.path === 'direct') {
    directBackwardInput(dy, w, bias === null ? null : data(bias), result, batch, channels, outChannels, groups, geometry);
    return Tensor.fromData(result, [batch, channels, ...geometry.inputSize]);
  }
  fillBias(result, bias, batch, channels, inputVolume);
  if (p.path === 'depthwise') {
    depthwiseBackwardInput(dy, w, result, batch, channels, groupOutChannels, table);
  } else if (p.path === 'pointwise') {
    for (let n = 0; n < batch; n++) {
      for (let g = 0; g < groups; g++) {
        // Wᵀ: row i of A is column i of the group's [O/g, C/g] weight.
        gemmRegions(
          groupChannels, outputVolume, groupOutChannels,
          w, g * groupOutChannels * depth, 1, depth,
          dy, (n * outChannels + g * groupOutChannels) * outputVolume, outputVolume, 1,
          result, (n * channels + g * groupChannels) * inputVolume, true,
        );
      }
    }
  } else {
    const columns = scratch(gradOutput.dtype, 'columns', channels * table.kernelVolume * chunk * outputVolume);
    const staging = chunk > 1 ? scratch(gradOutput.dtype, 'staging', outChannels * chunk * outputVolume) : null;
    for (let first = 0; first < batch; first += chunk) {
      const count = Math.min(chunk, batch - first);
      const rowLength = count * outputVolume;
      if (count > 1) gatherSamples(dy, staging!, first, count, outChannels, outputVolume);
      const source = count === 1 ? dy : staging!;
      const sourceStart = count === 1 ? first * outChannels * outputVolume : 0;
      for (let g = 0; g < groups; g++) {
        gemmRegions(
          depth, rowLength, groupOutChannels,
          w, g * groupOutChannels * depth, 1, depth,
          source, sourceStart + g * groupOutChannels * rowLength, rowLength, 1,
          columns, g * depth * rowLength, false,
        );
      }
      for (let j = 0; j < count; j++) {
        col2im(columns, j * outputVolume, rowLength, channels, table, result, (first + j) * channels * inputVolume);
      }
    }
  }
  return Tensor.fromData(result, [batch, channels, ...geometry.inputSize]);
}

/**
 * The weight gradient of the convolution of `geometry`: input [N, C,
 * ...inputSize] and gradOutput [N, O, ...outputSize] → [O, C/groups, ...kernelSize].
 */
export function convolutionBackwardWeightKernel(input: Tensor, gradOutput: Tensor, geometry: ConvolutionGeometry): Tensor {
  const p = plan(input.shape[0]!, input.shape[1]!, gradOutput.shape[1]!, geometry, false, input.dtype);
  const { batch, channels, outChannels, groups, groupChannels, groupOutChannels, depth, table, chunk } = p;
  const { inputVolume, outputVolume } = table;
  const x = data(input);
  const dy = data(gradOutput);
  const result = allocate(input.dtype, outChannels * depth) as FloatArray;
  if (p.path === 'shifted') {
    shiftedBackwardWeight(x, dy, result, input.dtype, shiftedPlan(p, geometry));
  } else if (p.path === 'direct') {
    directBackwardWeight(x, dy, result, batch, channels, outChannels, groups, geometry);
  } else if (p.path === 'depthwise') {
    depthwiseBackwardWeight(x, dy, result, batch, channels, groupOutChannels, table);
  } else if (p.path === 'pointwise') {
    for (let n = 0; n < batch; n++) {
      for (let g = 0; g < groups; g++) {
        // Xᵀ: column j of B is input plane j of the group.
        gemmRegions(
          groupOutChannels, groupChannels, outputVolume,
          dy, (n * outChannels + g * groupOutChannels) * outputVolume, outputVolume, 1,
          x, (n * channels + g * groupChannels) * inputVolume, 1, inputVolume,
          result, g * groupOutChannels * depth, true,
        );
      }
    }
  } else {
    const columns = scratch(input.dtype, 'columns', channels * table.kernelVolume * chunk * outputVolume);
    const staging = chunk > 1 ? scratch(input.dtype, 'staging', outChannels * chunk * outputVolume) : null;
    for (let first = 0; first < batch; first += chunk) {
      const count = Math.min(chunk, batch - first);
      const rowLength = count * outputVolume;
      for (let j = 0; j < count; j++) {
        im2col(x, (first + j) * channels * inputVolume, channels, table, columns, j * outputVolume, rowLength);
      }
      if (count > 1) gatherSamples(dy, staging!, first, count, outChannels, outputVolume);
      const source = count === 1 ? dy : staging!;
      const sourceStart = count === 1 ? first * outChannels * outputVolume : 0;
      for (let g = 0; g < groups; g++) {
        // (columns)ᵀ as B: element [p][j] is column-matrix row j, position p.
        gemmRegions(
          groupOutChannels, depth, rowLength,
          source, sourceStart + g * groupOutChannels * rowLength, rowLength, 1,
          columns, g * depth * rowLength, 1, rowLength,
          result, g * groupOutChannels * depth, true,
        );
      }
    }
  }
  return Tensor.fromData(result, [outChannels, groupChannels, ...geometry.kernelSize]);
}

/** The bias gradient: gradOutput [N, O, ...] summed over everything but the channels → [O]. */
export function convolutionBackwardBiasKernel(gradOutput: Tensor): Tensor {
  const batch = gradOutput.shape[0]!;
  const channels = gradOutput.shape[1]!;
  let volume = 1;
  for (let d = 2; d < gradOutput.shape.length; d++) volume *= gradOutput.shape[d]!;
  const dy = data(gradOutput);
  const result = allocate(gradOutput.dtype, channels) as FloatArray;
  if (dy instanceof Float32Array) sumPlanesFloat32(dy, result as Float32Array, batch, channels, volume);
  else sumPlanesFloat64(dy, result as Float64Array, batch, channels, volume);
  return Tensor.fromData(result, [channels]);
}

/**
 * Σ over samples and positions of each channel's planes, in four running
 * sums (float64) so the additions do not wait on each other.
 */
function sumPlanesFloat32(dy: Float32Array, result: Float32Array, batch: number, channels: number, volume: number): void {
  const tail = volume & 3;
  for (let c = 0; c < channels; c++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let n = 0; n < batch; n++) {
      const start = (n * channels + c) * volume;
      const end = start + volume - tail;
      let i = start;
      for (; i < end; i += 4) {
        s0 += dy[i]!;
        s1 += dy[i + 1]!;
        s2 += dy[i + 2]!;
        s3 += dy[i + 3]!;
      }
      for (; i < start + volume; i++) s0 += dy[i]!;
    }
    result[c] = s0 + s1 + (s2 + s3);
  }
}

/** {@link sumPlanesFloat32} for float64, kept apart so each loop sees one array type. */
function sumPlanesFloat64(dy: Float64Array, result: Float64Array, batch: number, channels: number, volume: number): void {
  const tail = volume & 3;
  for (let c = 0; c < channels; c++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let n = 0; n < batch; n++) {
      const start = (n * channels + c) * volume;
      const end = start + volume - tail;
      let i = start;
      for (; i < end; i += 4) {
        s0 += dy[i]!;
        s1 += dy[i + 1]!;
        s2 += dy[i + 2]!;
        s3 += dy[i + 3]!;
      }
      for (; i < start + volume; i++) s0 += dy[i]!;
    }
    result[c] = s0 + s1 + (s2 + s3);
  }
}
