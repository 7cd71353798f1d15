import fc from 'fast-check';
import { type DType, type Tensor, tensor } from '../index.js';

/** Test support (not shipped: only the tests import it): random broadcast cases and a naive reference. */

/** A broadcast case: the target shape and operand shapes that broadcast to it. */
export interface BroadcastCase {
  shapes: number[][];
  seed: number;
}

const dimensionSize = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 });

/**
 * `count` operand shapes that broadcast together: each is a random suffix of
 * a common shape with random dimensions replaced by 1.
 */
export function broadcastCase(count: number): fc.Arbitrary<BroadcastCase> {
  return fc.array(dimensionSize, { maxLength: 4 }).chain((shape) => {
    const operand = fc
      .tuple(fc.integer({ min: 0, max: shape.length }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }))
      .map(([drop, ones]) => shape.slice(drop).map((size, i) => (ones[i + drop] ? 1 : size)));
    return fc.record({ shapes: fc.array(operand, { minLength: count, maxLength: count }), seed: fc.integer({ min: 1, max: 1_000_000 }) });
  });
}

/** The broadcast shape by the rule itself: per aligned dimension, the size that isn't 1 (or 1). */
export function expectedBroadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((shape) => shape.length));
  const result: number[] = [];
  for (let d = 0; d < rank; d++) {
    let size = 1;
    for (const shape of shapes) {
      const s = shape[shape.length - rank + d] ?? 1;
      if (s !== 1) size = s;
    }
    result.push(size);
  }
  return result;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Small integers in [-9, 9] from a seed (exact in every dtype, so sums and products are exact). */
export function integerValues(count: number, seed: number, avoidZero = false): number[] {
  const values: number[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const value = (state % 19) - 9;
    values.push(avoidZero && value === 0 ? 1 : value);
  }
  return values;
}

/**
 * The naive reference: for every output index (row-major), each operand's
 * element found by explicit index arithmetic (size-1 dimensions read index
 * 0), combined by `combine`.
 */
export function naiveElementwise(
  operands: readonly { shape: readonly number[]; values: readonly number[] }[],
  combine: (...values: number[]) => number,
): { shape: number[]; values: number[] } {
  const shape = expectedBroadcastShape(operands.map((operand) => operand.shape));
  const values: number[] = [];
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < numel(shape); flat++) {
    let rest = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    const args = operands.map((operand) => {
      const lead = shape.length - operand.shape.length;
      let position = 0;
      for (let d = 0; d < operand.shape.length; d++) {
        position = position * operand.shape[d]! + (operand.shape[d] === 1 ? 0 : index[d + lead]!);
      }
      return operand.values[position]!;
    });
    values.push(combine(...args));
  }
  return { shape, values };
}

/** How an operand is laid out in memory. */
export type Layout = 'contiguous' | 'permuted' | 'strided' | 'expanded';

/**
 * A tensor with `values` (row-major) and `shape` laid out as `layout`:
 * reversed strides, every stride doubled, or (with `target`) broadcast to
 * the target shape by `expand` (stride 0).
 */
export function laidOut(values: readonly number[], shape: readonly number[], dtype: DType, layout: Layout, target: readonly number[]): Tensor {
  const base = tensor([...values], { shape, dtype });
  switch (layout) {
    case 'contiguous':
      return base;
    case 'permuted': {
      const reversed = shape.map((_, i) => shape.length - 1 - i);
      return base.permute(reversed).contiguous().permute(reversed);
    }
    case 'strided': {
      const interleaved = values.flatMap((value) => [value, 99]);
      return tensor(interleaved, { shape: [...shape, 2], dtype }).select(-1, 0);
    }
    case 'expanded':
      return base.expand(target);
  }
}

export const layouts: readonly Layout[] = ['contiguous', 'permuted', 'strided', 'expanded'];

/** Rounds a float64 reference to what a tensor of `dtype` stores. */
export function storedAs(dtype: DType, values: readonly number[]): number[] {
  const holder = dtype === 'float32' ? new Float32Array(values) : dtype === 'int32' ? new Int32Array(values) : new Float64Array(values);
  return Array.from(holder);
}

/** The elements of a tensor as plain numbers, row-major. */
export function valuesOf(input: Tensor): number[] {
  return Array.from(input.toTypedArray());
}
