/**
 * The non-zero padding modes of a convolution (`reflect`, `replicate`,
 * `circular`), as PyTorch's `F.pad` computes them, and their adjoint. The
 * last `before.length` dimensions are padded; each padded position reads one
 * input position, given per dimension by an index map, so one loop serves
 * every mode and rank.
 */
import { Tensor } from '@strata/tensor';
import { allocate } from '@strata/tensor/backend';

/** The three padding modes that read the input (zero padding is the convolution's own). */
export type ReadingPaddingMode = 'reflect' | 'replicate' | 'circular';

/** How much to pad each spatial dimension on each side, and how. */
export interface PaddingSpec {
  /** Positions added before each of the last `before.length` dimensions (front, top, left), outermost first. */
  readonly before: readonly number[];
  /** Positions added after each of those dimensions (right, bottom, back), in the same order as `before`. */
  readonly after: readonly number[];
  /**
   * What a padded position reads: the input mirrored without its
   * edge, the edge repeated, or the input wrapped around.
   */
  readonly mode: ReadingPaddingMode;
}

type FloatArray = Float32Array | Float64Array;

/** The input index each padded position of one dimension reads. */
export function paddingIndexMap(size: number, before: number, after: number, mode: ReadingPaddingMode): Int32Array {
  const map = new Int32Array(size + before + after);
  for (let t = 0; t < map.length; t++) {
    let i = t - before;
    if (mode === 'replicate') {
      i = i < 0 ? 0 : i >= size ? size - 1 : i;
    } else if (mode === 'reflect') {
      // Valid only for before, after < size, which the op checks.
      if (i < 0) i = -i;
      else if (i >= size) i = 2 * (size - 1) - i;
    } else {
      i = ((i % size) + size) % size;
    }
    map[t] = i;
  }
  return map;
}

interface Layout {
  planes: number;
  inputVolume: number;
  outputVolume: number;
  rowLength: number;
  /** Input offset (within a plane) of each padded row's source row. */
  rowSources: Int32Array;
  lastMap: Int32Array;
}

function layout(inputShape: readonly number[], spec: PaddingSpec): Layout {
  const rank = spec.before.length;
  const spatial = inputShape.slice(inputShape.length - rank);
  let planes = 1;
  for (let d = 0; d < inputShape.length - rank; d++) planes *= inputShape[d]!;
  const maps = spatial.map((size, d) => paddingIndexMap(size, spec.before[d]!, spec.after[d]!, spec.mode));
  let inputVolume = 1;
  const inputStrides = new Array<number>(rank);
  for (let d = rank - 1; d >= 0; d--) {
    inputStrides[d] = inputVolume;
    inputVolume *= spatial[d]!;
  }
  // Row-major over the padded outer dimensions: the source row of each padded row.
  let rowSources = Int32Array.of(0);
  for (let d = 0; d < rank - 1; d++) {
    const map = maps[d]!;
    const next = new Int32Array(rowSources.length * map.length);
    for (let r = 0; r < rowSources.length; r++) {
      for (let t = 0; t < map.length; t++) next[r * map.length + t] = rowSources[r]! + map[t]! * inputStrides[d]!;
    }
    rowSources = next;
  }
  const lastMap = maps[rank - 1]!;
  return { planes, inputVolume, outputVolume: rowSources.length * lastMap.length, rowLength: lastMap.length, rowSources, lastMap };
}

/** The padded copy of `input` [..., *spatial]. */
export function padKernel(input: Tensor, spec: PaddingSpec): Tensor {
  const rank = spec.before.length;
  const shape = input.shape.map((size, d) => {
    const s = d - (input.shape.length - rank);
    return s < 0 ? size : size + spec.before[s]! + spec.after[s]!;
  });
  const { planes, inputVolume, outputVolume, rowLength, rowSources, lastMap } = layout(input.shape, spec);
  const source = input.contiguousData() as FloatArray;
  const output = allocate(input.dtype, planes * outputVolume) as FloatArray;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inputVolume;
    for (let r = 0; r < rowSources.length; r++) {
      const row = plane + rowSources[r]!;
      for (let t = 0; t < rowLength; t++) output[o++] = source[row + lastMap[t]!]!;
    }
  }
  return Tensor.fromData(output, shape);
}

/** The adjoint of {@link padKernel}: each padded gradient added back onto the input position it read. */
export function padBackwardKernel(gradOutput: Tensor, spec: PaddingSpec): Tensor {
  const rank = spec.before.length;
  const shape = gradOutput.shape.map((size, d) => {
    const s = d - (gradOutput.shape.length - rank);
    return s < 0 ? size : size - spec.before[s]! - spec.after[s]!;
  });
  const { planes, inputVolume, rowLength, rowSources, lastMap } = layout(shape, spec);
  const gradient = gradOutput.contiguousData() as FloatArray;
  const result = allocate(gradOutput.dtype, planes * inputVolume) as FloatArray;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * inputVolume;
    for (let r = 0; r < rowSources.length; r++) {
      const row = plane + rowSources[r]!;
      for (let t = 0; t < rowLength; t++) result[row + lastMap[t]!]! += gradient[o++]!;
    }
  }
  return Tensor.fromData(result, shape);
}
