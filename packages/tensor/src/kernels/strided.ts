import type { TypedArray } from '../dtype.js';

/**
 * Copies the elements of a strided view into `target` in row-major order,
 * converting between array kinds as assignment does. The innermost dimension
 * runs in a tight loop; the outer dimensions advance an odometer.
 */
export function copyStrided(
  source: TypedArray,
  sourceOffset: number,
  shape: readonly number[],
  strides: readonly number[],
  target: TypedArray,
  targetOffset: number,
): void {
  const rank = shape.length;
  if (rank === 0) {
    target[targetOffset] = source[sourceOffset]!;
    return;
  }
  let total = 1;
  for (let d = 0; d < rank; d++) total *= shape[d]!;
  if (total === 0) return;
  const innerSize = shape[rank - 1]!;
  const innerStride = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let position = sourceOffset;
  let write = targetOffset;
  const end = targetOffset + total;
  while (write < end) {
    if (innerStride === 1) {
      for (let i = 0; i < innerSize; i++) target[write + i] = source[position + i]!;
    } else {
      for (let i = 0, p = position; i < innerSize; i++, p += innerStride) target[write + i] = source[p]!;
    }
    write += innerSize;
    // Advance the odometer over the outer dimensions.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      position += strides[d]!;
      if (index[d]! < shape[d]!) break;
      position -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

/**
 * Writes `source` (row-major, `shape`) into a strided view of `target`: the
 * inverse of `copyStrided`, used by `copy_` and in-place ops on views.
 */
export function scatterStrided(
  source: TypedArray,
  sourceOffset: number,
  shape: readonly number[],
  strides: readonly number[],
  target: TypedArray,
  targetOffset: number,
): void {
  const rank = shape.length;
  if (rank === 0) {
    target[targetOffset] = source[sourceOffset]!;
    return;
  }
  let total = 1;
  for (let d = 0; d < rank; d++) total *= shape[d]!;
  if (total === 0) return;
  const innerSize = shape[rank - 1]!;
  const innerStride = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let position = targetOffset;
  let read = sourceOffset;
  const end = sourceOffset + total;
  while (read < end) {
    for (let i = 0, p = position; i < innerSize; i++, p += innerStride) target[p] = source[read + i]!;
    read += innerSize;
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      position += strides[d]!;
      if (index[d]! < shape[d]!) break;
      position -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}
