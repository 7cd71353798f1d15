/**
 * The geometry of one N-d convolution and the table of contiguous runs
 * ("segments") that every convolution kernel walks.
 *
 * A segment is one run of output positions along the last spatial dimension
 * that, for one kernel offset, all read inside the input: the input index of
 * its first element, the output index of its first element and its length.
 * Walking segments instead of positions keeps the hot loops free of bounds
 * tests, padding tests and N-d index arithmetic, whatever the rank: the
 * padding is simply where no segment reaches.
 */

/**
 * Sizes and options of a convolution as the kernels see them: spatial sizes
 * only (batch and channels come from the tensors), padding already resolved
 * to its leading amount per dimension. The trailing padding is implied by
 * `inputSize` and `outputSize`, which is how `'same'` padding with an even
 * kernel pads one more on the right, and how a transposed convolution's
 * `outputPadding` enters.
 */
export interface ConvolutionGeometry {
  /** Spatial sizes of the convolution's input, without padding. */
  readonly inputSize: readonly number[];
  /** Spatial sizes of the convolution's output. */
  readonly outputSize: readonly number[];
  /** Spatial sizes of the kernel. */
  readonly kernelSize: readonly number[];
  /** The step of the kernel over the input, per spatial dimension. */
  readonly stride: readonly number[];
  /** Implicit zeros before the input, per spatial dimension. */
  readonly padding: readonly number[];
  /** The spacing between kernel elements, per spatial dimension. */
  readonly dilation: readonly number[];
  /** Input and output channels are split into this many independent groups. */
  readonly groups: number;
}

/** The segments of a geometry, grouped by kernel offset (row-major over the kernel's dimensions). */
export interface SegmentTable {
  /** Number of kernel offsets: the product of the kernel sizes. */
  readonly kernelVolume: number;
  /** Product of the input's spatial sizes. */
  readonly inputVolume: number;
  /** Product of the output's spatial sizes. */
  readonly outputVolume: number;
  /** Input step between neighbouring elements of a segment: the last dimension's stride. */
  readonly step: number;
  /** Segments of kernel offset `k` are `first[k] .. first[k + 1] - 1`. */
  readonly first: Int32Array;
  /** Input index (within one channel plane) of each segment's first element. */
  readonly source: Int32Array;
  /** Output index (within one channel plane) of each segment's first element. */
  readonly target: Int32Array;
  /** Length of each segment. */
  readonly count: Int32Array;
  /** 1 where the kernel offset's segments cover every output position (no padding reached). */
  readonly complete: Uint8Array;
}

const tables = new WeakMap<ConvolutionGeometry, SegmentTable>();

/**
 * The segment table of `geometry`, built once per geometry object: the
 * forward and backward kernels of one call share it.
 */
export function segmentTable(geometry: ConvolutionGeometry): SegmentTable {
  let table = tables.get(geometry);
  if (table === undefined) {
    table = buildSegmentTable(geometry);
    tables.set(geometry, table);
  }
  return table;
}

/** First and one-past-last output index `o` with `0 <= o*stride + shift < inputSize`, clamped to the output. */
function validRange(outputSize: number, inputSize: number, stride: number, shift: number): [number, number] {
  const start = shift >= 0 ? 0 : Math.ceil(-shift / stride);
  const last = Math.floor((inputSize - 1 - shift) / stride);
  return [Math.min(start, outputSize), Math.max(Math.min(last + 1, outputSize), Math.min(start, outputSize))];
}

function buildSegmentTable(geometry: ConvolutionGeometry): SegmentTable {
  const { inputSize, outputSize, kernelSize, stride, padding, dilation } = geometry;
  const rank = kernelSize.length;
  const inputStrides = new Array<number>(rank);
  const outputStrides = new Array<number>(rank);
  let inputVolume = 1;
  let outputVolume = 1;
  for (let d = rank - 1; d >= 0; d--) {
    inputStrides[d] = inputVolume;
    outputStrides[d] = outputVolume;
    inputVolume *= inputSize[d]!;
    outputVolume *= outputSize[d]!;
  }
  let kernelVolume = 1;
  for (let d = 0; d < rank; d++) kernelVolume *= kernelSize[d]!;

  // Per dimension and kernel index: the valid output range and the input shift.
  const ranges: [number, number][][] = [];
  const shifts: number[][] = [];
  for (let d = 0; d < rank; d++) {
    ranges.push([]);
    shifts.push([]);
    for (let k = 0; k < kernelSize[d]!; k++) {
      const shift = k * dilation[d]! - padding[d]!;
      shifts[d]!.push(shift);
      ranges[d]!.push(validRange(outputSize[d]!, inputSize[d]!, stride[d]!, shift));
    }
  }

  // Upper bound: every outer output row of every kernel offset.
  const outerRows = outputVolume / Math.max(outputSize[rank - 1]!, 1);
  const capacity = kernelVolume * Math.max(outerRows, 1);
  const source = new Int32Array(capacity);
  const target = new Int32Array(capacity);
  const count = new Int32Array(capacity);
  const first = new Int32Array(kernelVolume + 1);
  const complete = new Uint8Array(kernelVolume);
  let segments = 0;

  const kernelIndex = new Array<number>(rank).fill(0);
  const outerIndex = new Array<number>(rank).fill(0);
  for (let kk = 0; kk < kernelVolume; kk++) {
    first[kk] = segments;
    const [lastStart, lastEnd] = ranges[rank - 1]![kernelIndex[rank - 1]!]!;
    let covers = lastStart === 0 && lastEnd === outputSize[rank - 1]!;
    let empty = lastEnd <= lastStart;
    for (let d = 0; d < rank - 1; d++) {
      const [start, end] = ranges[d]![kernelIndex[d]!]!;
      if (end <= start) empty = true;
      if (start !== 0 || end !== outputSize[d]!) covers = false;
      outerIndex[d] = start;
    }
    complete[kk] = covers && !empty ? 1 : 0;
    if (!empty) {
      const lastShift = lastStart * stride[rank - 1]! + shifts[rank - 1]![kernelIndex[rank - 1]!]!;
      // Odometer over the valid outer output positions of this kernel offset.
      for (;;) {
        let inputOffset = lastShift;
        let outputOffset = lastStart;
        for (let d = 0; d < rank - 1; d++) {
          const o = outerIndex[d]!;
          inputOffset += (o * stride[d]! + shifts[d]![kernelIndex[d]!]!) * inputStrides[d]!;
          outputOffset += o * outputStrides[d]!;
        }
        source[segments] = inputOffset;
        target[segments] = outputOffset;
        count[segments] = lastEnd - lastStart;
        segments++;
        let d = rank - 2;
        for (; d >= 0; d--) {
          const [start, end] = ranges[d]![kernelIndex[d]!]!;
          if (++outerIndex[d]! < end) break;
          outerIndex[d] = start;
        }
        if (d < 0) break;
      }
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++kernelIndex[d]! < kernelSize[d]!) break;
      kernelIndex[d] = 0;
    }
  }
  first[kernelVolume] = segments;
  return {
    kernelVolume,
    inputVolume,
    outputVolume,
    step: stride[rank - 1]!,
    first,
    source: source.subarray(0, segments),
    target: target.subarray(0, segments),
    count: count.subarray(0, segments),
    complete,
  };
}
