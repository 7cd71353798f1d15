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
 * {@link compactWide} drops (and which {@link widen} leaves at zero, so the
 * weight gradient's product adds nothing there).
 *
 * The rows hold the same values im2col writes, in the same order, so the
 * product's sums are the same.
 */
import type { ConvolutionGeometry } from './geometry.js';

type FloatArray = Float32Array | Float64Array;

/** Rows at least this long are copied natively (`set` of a `subarray`); shorter ones in a loop, cheaper than the view. */
const NATIVE_COPY = 64;

/** Copies `length` elements from `from` of `source` to `to` of `target`. */
function copyRow(source: FloatArray, from: number, target: FloatArray, to: number, length: number): void {
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

/** Rows of `length` starting at `starts`, consecutive ones merged into runs. */
function mergedRuns(starts: Int32Array, length: number): { inputRuns: Int32Array; inputRunLengths: Int32Array } {
  const runs: number[] = [];
  const lengths: number[] = [];
  for (let r = 0; r < starts.length; r++) {
    const last = runs.length - 1;
    if (last >= 0 && runs[last]! + lengths[last]! === starts[r]) lengths[last]! += length;
    else {
      runs.push(starts[r]!);
      lengths.push(length);
    }
  }
  return { inputRuns: Int32Array.from(runs), inputRunLengths: Int32Array.from(lengths) };
}

function buildLayout(geometry: ConvolutionGeometry): ShiftedLayout {
  const { inputSize, outputSize, kernelSize, padding, dilation } = geometry;
  const rank = kernelSize.length;
  const padded = inputSize.map((size, d) => size + 2 * padding[d]!);
  const { strides, volume: paddedVolume } = stridesOf(padded);
  let wideLength = 1;
  let leading = 0;
  for (let d = 0; d < rank; d++) {
    wideLength += (outputSize[d]! - 1) * strides[d]!;
    leading += padding[d]! * strides[d]!;
  }
  const kernel = stridesOf(kernelSize);
  const kernelOffsets = new Int32Array(kernel.volume);
  for (let k = 0; k < kernel.volume; k++) {
    let offset = 0;
    for (let d = 0; d < rank; d++) offset += (Math.floor(k / kernel.strides[d]!) % kernelSize[d]!) * dilation[d]! * strides[d]!;
    kernelOffsets[k] = offset;
  }
  return {
    paddedVolume,
    wideLength,
    kernelOffsets,
    ...mergedRuns(rowStarts(inputSize, strides, leading), inputSize[rank - 1]!),
    outputRows: rowStarts(outputSize, strides, 0),
    outputRowLength: outputSize[rank - 1]!,
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
  const { paddedVolume, kernelOffsets } = layout;
  const kernelVolume = kernelOffsets.length;
  for (let c = 0; c < channels; c++) {
    const plane = paddedOffset + c * paddedVolume + start;
    for (let k = 0; k < kernelVolume; k++) {
      const from = plane + kernelOffsets[k]!;
      work.copyWithin(columnOffset + (c * kernelVolume + k) * rowLength, from, from + length);
    }
  }
}

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
  const { outputRows, outputRowLength, wideLength } = layout;
  const rows = outputRows.length;
  if (start === 0 && length === wideLength) {
    compactWhole(wide, wideOffset, rowLength, planes, outputRows, outputRowLength, output, outputOffset, bias);
    return;
  }
  const end = start + length;
  const outputVolume = rows * outputRowLength;
  for (let p = 0; p < planes; p++) {
    // Indexed by absolute wide position.
    const plane = wideOffset + p * rowLength - start;
    const value = bias === null ? 0 : bias[p]!;
    for (let r = 0; r < rows; r++) {
      const rowStart = outputRows[r]!;
      const first = rowStart > start ? rowStart : start;
      const last = Math.min(rowStart + outputRowLength, end);
      if (first >= last) continue;
      const to = outputOffset + p * outputVolume + r * outputRowLength + first - rowStart;
      if (bias === null) {
        copyRow(wide, plane + first, output, to, last - first);
      } else {
        const from = plane + first;
        for (let t = 0; t < last - first; t++) output[to + t] = wide[from + t]! + value;
      }
    }
  }
}

/** {@link compactWide} of a whole sample's wide positions: every output row, no clipping. */
function compactWhole(
  wide: FloatArray, wideOffset: number, rowLength: number, planes: number, outputRows: Int32Array, outputRowLength: number,
  output: FloatArray, outputOffset: number, bias: FloatArray | null,
): void {
  const rows = outputRows.length;
  let to = outputOffset;
  for (let p = 0; p < planes; p++) {
    const plane = wideOffset + p * rowLength;
    if (bias === null) {
      for (let r = 0; r < rows; r++, to += outputRowLength) copyRow(wide, plane + outputRows[r]!, output, to, outputRowLength);
    } else {
      const value = bias[p]!;
      for (let r = 0; r < rows; r++, to += outputRowLength) {
        const from = plane + outputRows[r]!;
        for (let t = 0; t < outputRowLength; t++) output[to + t] = wide[from + t]! + value;
      }
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
  const { outputRows, outputRowLength, wideLength } = layout;
  const rows = outputRows.length;
  if (start === 0 && length === wideLength) {
    // A whole sample: every output row, no clipping.
    let from = denseOffset;
    for (let p = 0; p < planes; p++) {
      const plane = wideOffset + p * rowLength;
      for (let r = 0; r < rows; r++, from += outputRowLength) copyRow(dense, from, wide, plane + outputRows[r]!, outputRowLength);
    }
    return;
  }
  const end = start + length;
  const outputVolume = rows * outputRowLength;
  for (let p = 0; p < planes; p++) {
    const plane = wideOffset + p * rowLength - start;
    for (let r = 0; r < rows; r++) {
      const rowStart = outputRows[r]!;
      const first = rowStart > start ? rowStart : start;
      const last = Math.min(rowStart + outputRowLength, end);
      if (first >= last) continue;
      copyRow(dense, denseOffset + p * outputVolume + r * outputRowLength + first - rowStart, wide, plane + first, last - first);
    }
  }
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
