/**
 * The column matrix of a stride-1 convolution, built from whole shifted
 * copies of a zero-padded input plane instead of one short segment at a time.
 *
 * With stride 1, output position `o` meets input element `o + k·dilation`
 * of the padded plane at kernel offset `k`. Number the output positions by
 * their place in the padded plane ("wide" numbering: output row r starts at
 * r·paddedWidth, so each row is followed by a few unused positions), and the
 * column row of channel `c` and kernel offset `k` becomes one contiguous run
 * of the padded plane: `padded[c][kernelOffsets[k] + j]` for every wide
 * position `j`. Each row is then a single `copyWithin` (a native memmove)
 * where im2col copied and zero-filled row segments of the output width in
 * JavaScript; the price is the padded copy of each sample (the input's size,
 * not K times it) and the unused positions, which the product computes and
 * `compactWide` (`shifted-compact.ts`) drops (and which `widen` leaves at
 * zero, so the weight gradient's product adds nothing there).
 *
 * The rows hold the same values im2col writes, in the same order, so the
 * product's sums are the same.
 *
 * Padding along the last dimension that does not lengthen the rows
 * (2·padding ≤ dilation·(kernel − 1), as 3×3 with padding 1) is not stored:
 * rows keep the input's length, a plane gets `padding` zeros before and
 * after it, and the few entries of each column row whose tap leaves its row
 * (reading the neighbouring row instead) are zeroed after the copy. With
 * "same" padding the output rows of a plane (of a 3-D slice) then follow
 * each other, so compacting, widening and padding a sample are long native
 * copies, and the bias goes in by a native fill before the product:
 * conv3d_fwd_bwd (x[4, 8, 16, 32, 32], 3×3×3, padding 1) 123–133 → 114–120
 * ms of CPU time.
 */
import type { ConvolutionGeometry } from './geometry.js';

type FloatArray = Float32Array | Float64Array;

/** Rows at least this long are copied natively (`set` of a `subarray`); shorter ones in a loop, cheaper than the view. */
const NATIVE_COPY = 64;

/** Copies `length` elements from `from` of `source` to `to` of `target`. */
export function copyRow(source: FloatArray, from: number, target: FloatArray, to: number, length: number): void {
  if (length >= NATIVE_COPY) {
    target.set(source.subarray(from, from + length), to);
  } else {
    for (let t = 0; t < length; t++) target[to + t] = source[from + t]!;
  }
}

/** The padded plane, the wide numbering and the row tables of one geometry. */
export interface ShiftedLayout {
  /** Elements of one zero-padded input plane. */
  readonly paddedVolume: number;
  /** Wide positions per sample: from the first output position to one past the last. */
  readonly wideLength: number;
  /** Start of each kernel offset's run (row-major over the kernel) in the padded plane. */
  readonly kernelOffsets: Int32Array;
  /**
   * Start in the padded plane of each run of input rows that stay
   * consecutive there (rows not padded along the last dimension merge: a
   * plane padded only above and below is one run), and its length.
   */
  readonly inputRuns: Int32Array;
  readonly inputRunLengths: Int32Array;
  /** Wide position of the start of each output row. */
  readonly outputRows: Int32Array;
  /** Elements of an output row: the last output size. */
  readonly outputRowLength: number;
  /**
   * The output rows as runs of consecutive wide positions (rows merge when
   * the stored rows are as long as the output's): wide start, length, and
   * start in the dense output plane.
   */
  readonly outputRuns: Int32Array;
  readonly outputRunLengths: Int32Array;
  readonly outputRunStarts: Int32Array;
  /**
   * With rows stored unpadded, for each kernel offset, the wide positions
   * (ascending) where its tap leaves the stored row: the column row's copy
   * read the neighbouring row there, and those entries are zeroed. Null
   * when rows are padded (or the tap never leaves).
   */
  readonly wrapped: readonly (Int32Array | null)[];
}

const layouts = new WeakMap<ConvolutionGeometry, ShiftedLayout>();

/** Whether {@link shiftedLayout} applies: every stride 1. */
export function shiftedApplies(geometry: ConvolutionGeometry): boolean {
  return geometry.stride.every((stride) => stride === 1);
}

/** The layout of a stride-1 geometry, built once per geometry object. */
export function shiftedLayout(geometry: ConvolutionGeometry): ShiftedLayout {
  let layout = layouts.get(geometry);
  if (layout === undefined) {
    layout = buildLayout(geometry);
    layouts.set(geometry, layout);
  }
  return layout;
}

/** Row-major strides of `sizes`, and their product. */
function stridesOf(sizes: readonly number[]): { strides: number[]; volume: number } {
  const strides = new Array<number>(sizes.length);
  let volume = 1;
  for (let d = sizes.length - 1; d >= 0; d--) {
    strides[d] = volume;
    volume *= sizes[d]!;
  }
  return { strides, volume };
}

/** `start + Σ index[d]·strides[d]` for every index of `sizes` but the last dimension, row-major. */
function rowStarts(sizes: readonly number[], strides: readonly number[], start: number): Int32Array {
  const rank = sizes.length;
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= sizes[d]!;
  const starts = new Int32Array(rows);
  const index = new Array<number>(rank).fill(0);
  for (let r = 0; r < rows; r++) {
    let offset = start;
    for (let d = 0; d < rank - 1; d++) offset += index[d]! * strides[d]!;
    starts[r] = offset;
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < sizes[d]!) break;
      index[d] = 0;
    }
  }
  return starts;
}

/** Rows of `length` starting at `starts`, consecutive ones merged into runs: their starts, lengths and dense starts. */
function mergedRuns(starts: Int32Array, length: number): { starts: Int32Array; lengths: Int32Array; dense: Int32Array } {
  const runs: number[] = [];
  const lengths: number[] = [];
  const dense: number[] = [];
  for (let r = 0; r < starts.length; r++) {
    const last = runs.length - 1;
    if (last >= 0 && runs[last]! + lengths[last]! === starts[r]) lengths[last]! += length;
    else {
      runs.push(starts[r]!);
      lengths.push(length);
      dense.push(r * length);
    }
  }
  return { starts: Int32Array.from(runs), lengths: Int32Array.from(lengths), dense: Int32Array.from(dense) };
}

/**
 * Whether a geometry's rows are stored without their padding along the
 * last dimension: when there is some, and the output rows are no longer
 * than the input's (2·padding ≤ dilation·(kernel − 1)), so that each output
 * row fits its stored row. With "same" padding (3×3, padding 1) the output
 * rows then follow each other as the stored rows do, and the wide positions
 * of a plane (or of each 3-D slice) are its output positions.
 */
function storesRowsUnpadded(geometry: ConvolutionGeometry): boolean {
  const last = geometry.kernelSize.length - 1;
  const padding = geometry.padding[last]!;
  return padding > 0 && 2 * padding <= geometry.dilation[last]! * (geometry.kernelSize[last]! - 1);
}

/**
 * The wide positions, ascending, of the output columns whose tap `shift`
 * columns off lies outside a stored row of `rowLength`: null when none.
 */
function wrappedPositions(outputRows: Int32Array, outputRowLength: number, rowLength: number, shift: number): Int32Array | null {
  const low = shift < 0 ? 0 : Math.max(rowLength - shift, 0);
  const high = shift < 0 ? Math.min(-shift, outputRowLength) : outputRowLength;
  if (low >= high) return null;
  const positions = new Int32Array(outputRows.length * (high - low));
  let index = 0;
  for (const rowStart of outputRows) {
    for (let column = low; column < high; column++) positions[index++] = rowStart + column;
  }
  return positions;
}

function buildLayout(geometry: ConvolutionGeometry): ShiftedLayout {
  const { inputSize, outputSize, kernelSize, padding, dilation } = geometry;
  const rank = kernelSize.length;
  const last = rank - 1;
  // Unpadded rows: a stored plane keeps `padding` zeros before and after it instead, for the taps that leave it.
  const unpadded = storesRowsUnpadded(geometry);
  const slack = unpadded ? padding[last]! : 0;
  const padded = inputSize.map((size, d) => (d === last && unpadded ? size : size + 2 * padding[d]!));
  const { strides, volume } = stridesOf(padded);
  let wideLength = 1;
  let leading = slack;
  for (let d = 0; d < rank; d++) {
    wideLength += (outputSize[d]! - 1) * strides[d]!;
    if (d !== last || !unpadded) leading += padding[d]! * strides[d]!;
  }
  const kernel = stridesOf(kernelSize);
  const kernelOffsets = new Int32Array(kernel.volume);
  for (let k = 0; k < kernel.volume; k++) {
    let offset = 0;
    for (let d = 0; d < rank; d++) offset += (Math.floor(k / kernel.strides[d]!) % kernelSize[d]!) * dilation[d]! * strides[d]!;
    kernelOffsets[k] = offset;
  }
  const outputRows = rowStarts(outputSize, strides, 0);
  const wrappedByColumn = Array.from({ length: kernelSize[last]! }, (_, kw) =>
    unpadded ? wrappedPositions(outputRows, outputSize[last]!, inputSize[last]!, kw * dilation[last]! - slack) : null);
  const input = mergedRuns(rowStarts(inputSize, strides, leading), inputSize[last]!);
  const output = mergedRuns(outputRows, outputSize[last]!);
  return {
    paddedVolume: volume + 2 * slack,
    wideLength,
    kernelOffsets,
    inputRuns: input.starts,
    inputRunLengths: input.lengths,
    outputRows,
    outputRowLength: outputSize[last]!,
    outputRuns: output.starts,
    outputRunLengths: output.lengths,
    outputRunStarts: output.dense,
    wrapped: Array.from(kernelOffsets, (_, k) => wrappedByColumn[k % kernelSize[last]!]!),
  };
}

/**
 * Copies one sample's `channels` planes (from `inputOffset` of `input`)
 * into the padded planes at `paddedOffset` of `work`, whose padding must
 * hold zeros (and keeps them: only the interior is written).
 */
export function padSample(
  input: FloatArray, inputOffset: number, channels: number, inputVolume: number, layout: ShiftedLayout,
  work: FloatArray, paddedOffset: number,
): void {
  const { paddedVolume, inputRuns, inputRunLengths } = layout;
  const runs = inputRuns.length;
  for (let c = 0; c < channels; c++) {
    let from = inputOffset + c * inputVolume;
    const plane = paddedOffset + c * paddedVolume;
    for (let r = 0; r < runs; r++) {
      const length = inputRunLengths[r]!;
      copyRow(input, from, work, plane + inputRuns[r]!, length);
      from += length;
    }
  }
}

/**
 * Writes wide positions `start … start + length − 1` of the column rows of
 * the padded sample at `paddedOffset` of `work`: row `r` (channel `c`,
 * kernel offset `k`) at `columnOffset + r·rowLength`, one `copyWithin` each.
 */
export function shiftedRows(
  work: FloatArray, paddedOffset: number, channels: number, layout: ShiftedLayout,
  columnOffset: number, rowLength: number, start: number, length: number,
): void {
  const { paddedVolume, kernelOffsets, wrapped } = layout;
  const kernelVolume = kernelOffsets.length;
  for (let c = 0; c < channels; c++) {
    const plane = paddedOffset + c * paddedVolume + start;
    for (let k = 0; k < kernelVolume; k++) {
      const from = plane + kernelOffsets[k]!;
      const row = columnOffset + (c * kernelVolume + k) * rowLength;
      work.copyWithin(row, from, from + length);
      const positions = wrapped[k]!;
      if (positions !== null) zeroWrapped(work, row, positions, start, length);
    }
  }
}

/**
 * Zeroes the entries of one column row (wide positions `start … start +
 * length − 1`, the first at `row`) at the wide `positions` (ascending)
 * where its tap lies outside the stored row: the copy read the neighbouring
 * row (or the plane's end zeros) there, where the padding is zero.
 */
function zeroWrapped(work: FloatArray, row: number, positions: Int32Array, start: number, length: number): void {
  const end = start + length;
  const at = row - start;
  // The first position in the piece, by bisection.
  let i = 0;
  for (let top = positions.length; i < top;) {
    const middle = (i + top) >> 1;
    if (positions[middle]! < start) i = middle + 1;
    else top = middle;
  }
  for (; i < positions.length && positions[i]! < end; i++) work[at + positions[i]!] = 0;
}

/**
 * The stride-1 transposed convolution as a convolution: the geometry whose
 * input is `geometry`'s output, padded by `dilation·(kernel − 1) − padding`,
 * or null when that padding would be negative. With it and
 * {@link flippedWeight}, the transposed convolution (the input gradient) runs
 * on the forward path.
 */
export function flippedGeometry(geometry: ConvolutionGeometry): ConvolutionGeometry | null {
  const { inputSize, outputSize, kernelSize, padding, dilation } = geometry;
  const flippedPadding = kernelSize.map((size, d) => dilation[d]! * (size - 1) - padding[d]!);
  const fits = flippedPadding.every(
    (pad, d) => pad >= 0 && outputSize[d]! + 2 * pad - dilation[d]! * (kernelSize[d]! - 1) === inputSize[d]!,
  );
  if (!shiftedApplies(geometry) || !fits) return null;
  return {
    inputSize: outputSize, outputSize: inputSize, kernelSize, stride: geometry.stride,
    padding: flippedPadding, dilation, groups: geometry.groups,
  };
}

/**
 * The weight of the flipped convolution: `[O, C/groups, ...kernel]` →
 * `[C, O/groups, ...kernel]`, each kernel reversed in every dimension
 * (which reverses its row-major order), channels swapped within each group.
 */
export function flippedWeight(
  w: FloatArray, outChannels: number, groupChannels: number, groups: number, kernelVolume: number, result: FloatArray,
): void {
  const groupOutChannels = outChannels / groups;
  for (let g = 0; g < groups; g++) {
    for (let o = 0; o < groupOutChannels; o++) {
      for (let c = 0; c < groupChannels; c++) {
        const from = ((g * groupOutChannels + o) * groupChannels + c) * kernelVolume;
        const to = ((g * groupChannels + c) * groupOutChannels + o) * kernelVolume + kernelVolume - 1;
        for (let k = 0; k < kernelVolume; k++) result[to - k] = w[from + k]!;
      }
    }
  }
}
