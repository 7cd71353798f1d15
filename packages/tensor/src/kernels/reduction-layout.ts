import { type TypedArray, allocate } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { copyStrided } from './strided.js';

/**
 * A reduction's input read as a row-major `[outer, reduced, inner]` block:
 * output element `o * inner + i` reduces `data[start + (o * reduced + r) * inner + i]`
 * over `r`. Reduction kernels walk this one layout, whatever the input's
 * strides and dims.
 */
export interface ReductionLayout {
  /** The elements, row-major in the `[outer, reduced, inner]` order (read only). */
  readonly data: TypedArray;
  /** How many independent blocks precede the reduced dims. */
  readonly outer: number;
  /** How many elements each output reduces. */
  readonly reduced: number;
  /** How many outputs lie side by side within one block (the kept dims after the reduced ones). */
  readonly inner: number;
  /** The output's shape: reduced dims removed, or kept as size 1 with `keepdim`. */
  readonly outputShape: readonly number[];
}

/** The shape a reduction over `dims` leaves. */
export function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const result: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (dims.includes(d)) {
      if (keepdim) result.push(1);
    } else {
      result.push(shape[d]!);
    }
  }
  return result;
}

/**
 * Plans a reduction of `input` over `dims` (sorted, unique, in range; `[]`
 * reduces nothing). When the reduced dims are adjacent once size-1 dims are
 * ignored, the row-major elements already form `[outer, reduced, inner]`
 * (no copy for a contiguous input). Otherwise the kept dims are permuted to
 * the front and the reduced dims to the end and the elements are copied once
 * in that order, which gives `inner = 1`.
 */
export function reductionLayout(input: Tensor, dims: readonly number[], keepdim: boolean): ReductionLayout {
  const shape = input.shape;
  const rank = shape.length;
  const outputShape = reducedShape(shape, dims, keepdim);
  const isReduced = new Array<boolean>(rank).fill(false);
  for (const d of dims) isReduced[d] = true;

  // Size-1 dims never change the element order, so they neither break nor make adjacency.
  let first = -1;
  let last = -1;
  for (let d = 0; d < rank; d++) {
    if (isReduced[d] && shape[d] !== 1) {
      if (first < 0) first = d;
      last = d;
    }
  }
  let adjacent = true;
  for (let d = first + 1; d < last; d++) {
    if (!isReduced[d] && shape[d] !== 1) adjacent = false;
  }

  if (first < 0 || adjacent) {
    let outer = 1;
    let reduced = 1;
    let inner = 1;
    for (let d = 0; d < rank; d++) {
      if (first < 0 || d < first) outer *= shape[d]!;
      else if (d > last) inner *= shape[d]!;
      else reduced *= shape[d]!;
    }
    return { data: input.contiguousData(), outer, reduced, inner, outputShape };
  }

  const order: number[] = [];
  for (let d = 0; d < rank; d++) if (!isReduced[d]) order.push(d);
  let outer = 1;
  for (const d of order) outer *= shape[d]!;
  let reduced = 1;
  for (const d of dims) {
    order.push(d);
    reduced *= shape[d]!;
  }
  const data = allocate(input.dtype, outer * reduced);
  copyStrided(
    input.storage.data,
    input.offset,
    order.map((d) => shape[d]!),
    order.map((d) => input.strides[d]!),
    data,
    0,
  );
  return { data, outer, reduced, inner: 1, outputShape };
}

/**
 * The `[outer, size, inner]` layout of a contiguous read of `input` around
 * one dim: the layout softmax-like kernels use.
 */
export function dimLayout(input: Tensor, dim: number): { data: TypedArray; outer: number; size: number; inner: number } {
  const shape = input.shape;
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < dim; d++) outer *= shape[d]!;
  for (let d = dim + 1; d < shape.length; d++) inner *= shape[d]!;
  return { data: input.contiguousData(), outer, size: shape.length === 0 ? 1 : shape[dim]!, inner };
}
