/**
 * The shifted column matrix (`shifted.ts`) of a 1-D or 2-D stride-1
 * convolution that keeps the width ("same" padding along the last dimension: 2·padding
 * = dilation·(kernel − 1), as 3×3 with padding 1), built without padding
 * the rows. Each input plane is stored with only its padding rows above and
 * below (and a few zeros before and after), so its rows follow each other
 * as in the input, and a sample's planes go in with one native copy each.
 * The wide positions are then the output positions themselves: each column
 * row is one `copyWithin` of `height × width` values from the stored plane,
 * shifted by the kernel offset. Where a horizontal tap falls outside the
 * row, that copy reads the neighbouring row's edge instead of the padding;
 * those entries (a tap's first or last columns of each output row) are set
 * to zero afterwards, which leaves exactly im2col's matrix.
 *
 * So the products write the output planes in place (the bias in their
 * epilogue) and the weight gradient reads the output gradient where it
 * lies: no compaction, no widening, and no row-by-row padding, the three
 * JavaScript passes of the wide layout. Measured on conv2d_fwd_bwd
 * (x[32, 16, 32, 32], 3×3, padding 1), CPU time of forward and backward:
 * 58.5–63.6 → 49.8–54.4 ms; conv1d_fwd_bwd (x[32, 64, 256], kernel 5,
 * padding 2) 47.6–52.3 → 42.4–49.2 ms.
 */
import type { DType } from '@strata/tensor/backend';
import type { ConvolutionGeometry } from './geometry.js';
import { gemmRegions } from './gemm-regions.js';
import { scratch } from './scratch.js';
import type { ShiftedPlan } from './shifted-products.js';

type FloatArray = Float32Array | Float64Array;

/** Below this many output positions a sample, the wide layout's chunks of several samples make better products. */
const MIN_POSITIONS = 256;

/**
 * Whether the dense layout takes a shifted plan: two spatial dimensions, the
 * width kept, samples not split into blocks, and outputs wide enough for a
 * product per sample.
 */
export function denseApplies(geometry: ConvolutionGeometry, plan: ShiftedPlan): boolean {
  const rank = geometry.kernelSize.length;
  const last = rank - 1;
  const { kernelSize, padding, dilation, inputSize, outputSize } = geometry;
  return (
    rank <= 2 && 2 * padding[last]! === dilation[last]! * (kernelSize[last]! - 1) &&
    outputSize[last] === inputSize[last] && plan.block === plan.layout.wideLength && plan.outputVolume >= MIN_POSITIONS
  );
}

/** The sizes of a 2-D geometry, a 1-D one read as planes of one row. */
function planeGeometry(geometry: ConvolutionGeometry): {
  height: number; width: number; kernelHeight: number; kernelWidth: number;
  padHeight: number; padWidth: number; dilationHeight: number; dilationWidth: number;
} {
  const { inputSize, kernelSize, padding, dilation } = geometry;
  const two = inputSize.length === 2;
  return {
    height: two ? inputSize[0]! : 1, width: inputSize[inputSize.length - 1]!,
    kernelHeight: two ? kernelSize[0]! : 1, kernelWidth: kernelSize[kernelSize.length - 1]!,
    padHeight: two ? padding[0]! : 0, padWidth: padding[padding.length - 1]!,
    dilationHeight: two ? dilation[0]! : 1, dilationWidth: dilation[dilation.length - 1]!,
  };
}

/** Where one sample's planes and column rows sit in the scratch array. */
interface DenseLayout {
  /** Elements of one stored plane: its rows with the padding rows, and `padWidth` zeros at each end. */
  slot: number;
  /** Offset of the first stored plane's first padding row (after its leading zeros). */
  planes: number;
  /** Offset of the stored input's first row within a stored plane. */
  firstRow: number;
  /** Start of each kernel offset's run relative to a stored plane's first padding row (may be negative). */
  shifts: Int32Array;
  /** Horizontal shift of each kernel offset: the tap's column minus the padding. */
  columnShifts: Int32Array;
}

function denseLayout(geometry: ConvolutionGeometry): DenseLayout {
  const { height, width, kernelHeight, kernelWidth, padHeight, padWidth, dilationHeight, dilationWidth } = planeGeometry(geometry);
  const shifts = new Int32Array(kernelHeight * kernelWidth);
  const columnShifts = new Int32Array(kernelHeight * kernelWidth);
  for (let kh = 0; kh < kernelHeight; kh++) {
    for (let kw = 0; kw < kernelWidth; kw++) {
      columnShifts[kh * kernelWidth + kw] = kw * dilationWidth - padWidth;
      shifts[kh * kernelWidth + kw] = kh * dilationHeight * width + kw * dilationWidth - padWidth;
    }
  }
  return { slot: (height + 2 * padHeight) * width + 2 * padWidth, planes: padWidth, firstRow: padHeight * width, shifts, columnShifts };
}

/**
 * The scratch array: column rows ([channels·K][outputVolume]) first, then
 * the stored planes of one sample, whose padding is cleared here once (each
 * sample then writes only its rows).
 */
function workArray(dtype: DType, plan: ShiftedPlan, layout: DenseLayout): { work: FloatArray; stored: number } {
  const stored = plan.channels * plan.kernelVolume * plan.outputVolume;
  const end = stored + plan.channels * layout.slot;
  const work = scratch(dtype, 'columns', end);
  work.fill(0, stored, end);
  return { work, stored };
}

/** Stores sample `n`'s planes and writes its column rows (im2col's matrix) at the start of `work`. */
function sampleColumns(
  x: FloatArray, n: number, work: FloatArray, stored: number, plan: ShiftedPlan, layout: DenseLayout, width: number,
): void {
  const { channels, inputVolume, outputVolume, kernelVolume } = plan;
  const { slot, planes, firstRow, shifts, columnShifts } = layout;
  const rows = outputVolume / width;
  for (let c = 0; c < channels; c++) {
    const from = (n * channels + c) * inputVolume;
    const plane = stored + c * slot + planes;
    work.set(x.subarray(from, from + inputVolume), plane + firstRow);
    for (let k = 0; k < kernelVolume; k++) {
      const row = (c * kernelVolume + k) * outputVolume;
      const start = plane + shifts[k]!;
      work.copyWithin(row, start, start + outputVolume);
      // Taps left of the row's start (shift < 0) or past its end (shift > 0) read the neighbouring row: zero them.
      const shift = columnShifts[k]!;
      const first = shift < 0 ? 0 : Math.max(width - shift, 0);
      const last = shift < 0 ? Math.min(-shift, width) : width;
      if (first >= last) continue;
      for (let r = 0, at = row; r < rows; r++, at += width) {
        for (let t = first; t < last; t++) work[at + t] = 0;
      }
    }
  }
}

/** The forward on the dense layout: `x` [N, C, (H,) W], `w` [O, C/groups, (KH,) KW], bias [O] or null, into `output` [N, O, (OH,) W], every element of which it writes. */
export function denseForward(
  x: FloatArray, w: FloatArray, bias: FloatArray | null, output: FloatArray, dtype: DType, plan: ShiftedPlan,
  geometry: ConvolutionGeometry,
): void {
  const { batch, outChannels, groups, depth, outputVolume } = plan;
  const groupOutChannels = outChannels / groups;
  const layout = denseLayout(geometry);
  const { work, stored } = workArray(dtype, plan, layout);
  for (let n = 0; n < batch; n++) {
    sampleColumns(x, n, work, stored, plan, layout, planeGeometry(geometry).width);
    for (let g = 0; g < groups; g++) {
      // The bias in the product's epilogue, overwriting the output (allocated unfilled): filling it beforehand
      // and adding the product onto it cost a pass over the output and a copy of it into the product's memory.
      gemmRegions(
        groupOutChannels, outputVolume, depth,
        w, g * groupOutChannels * depth, depth, 1,
        work, g * depth * outputVolume, outputVolume, 1,
        output, (n * outChannels + g * groupOutChannels) * outputVolume, false,
        bias, g * groupOutChannels,
      );
    }
  }
}

/** The weight gradient on the dense layout: `x` [N, C, (H,) W], `dy` [N, O, (OH,) W], added into `result` [O, C/groups, (KH,) KW] (zeros). */
export function denseBackwardWeight(
  x: FloatArray, dy: FloatArray, result: FloatArray, dtype: DType, plan: ShiftedPlan, geometry: ConvolutionGeometry,
): void {
  const { batch, outChannels, groups, depth, outputVolume } = plan;
  const groupOutChannels = outChannels / groups;
  const layout = denseLayout(geometry);
  const { work, stored } = workArray(dtype, plan, layout);
  for (let n = 0; n < batch; n++) {
    sampleColumns(x, n, work, stored, plan, layout, planeGeometry(geometry).width);
    for (let g = 0; g < groups; g++) {
      // (columns)ᵀ as B: element [p][j] is column row j, position p.
      gemmRegions(
        groupOutChannels, depth, outputVolume,
        dy, (n * outChannels + g * groupOutChannels) * outputVolume, outputVolume, 1,
        work, g * depth * outputVolume, 1, outputVolume,
        result, g * groupOutChannels * depth, true,
      );
    }
  }
}
