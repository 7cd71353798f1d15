import { ShapeError, formatShape } from './errors.js';

/** The number of elements of a tensor of this shape. */
export function numelOf(shape: readonly number[]): number {
  let count = 1;
  for (const size of shape) count *= size;
  return count;
}

/** Row-major (C-contiguous) strides for a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

/**
 * Turns a possibly negative dimension into its index, PyTorch-style.
 * @throws RangeError naming the op when `dim` is outside `[-rank, rank)`.
 */
export function normalizeDim(dim: number, rank: number, op: string): number {
  const effectiveRank = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -effectiveRank || dim >= effectiveRank) {
    throw new RangeError(
      `${op}: dimension out of range (expected to be in range of [${-effectiveRank}, ${effectiveRank - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + effectiveRank : dim;
}

/**
 * The shape two shapes broadcast to, by NumPy/PyTorch rules.
 * @throws ShapeError naming the op and both shapes.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const result = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const sizeA = a[a.length - rank + i] ?? 1;
    const sizeB = b[b.length - rank + i] ?? 1;
    if (sizeA !== sizeB && sizeA !== 1 && sizeB !== 1) {
      throw new ShapeError(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast (size ${sizeA} != ${sizeB} at dimension ${i})`,
      );
    }
    result[i] = sizeA === 1 ? sizeB : sizeA;
  }
  return result;
}

/** Whether two shapes are equal. */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Validates a shape given by a user: non-negative integers.
 * @throws RangeError naming the op.
 */
export function checkShape(shape: readonly number[], op: string): void {
  for (const size of shape) {
    if (!Number.isInteger(size) || size < 0) {
      throw new RangeError(`${op}: shape must hold non-negative integers, got ${formatShape(shape)}`);
    }
  }
}
