import fc from 'fast-check';
import { expect } from 'vitest';
import { Generator, type Tensor, randn } from '../index.js';

/**
 * Test support for reductions and softmax-like ops (only tests import it):
 * random shapes, dims and memory layouts, and a naive reference that groups
 * the elements of each output with a plain multi-index loop.
 */

/** How a test tensor's elements lie in memory. */
export type Layout = 'contiguous' | 'permuted' | 'strided';

/** A random reduction case: a shape, the dims to reduce, keepdim and a layout. */
export interface ReductionCase {
  shape: number[];
  dims: number[];
  keepdim: boolean;
  layout: Layout;
  seed: number;
}

const size = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 });

/** Shapes of rank 0 to 4 (sizes 0 to 4), a random subset of their dims, keepdim and a layout. */
export function reductionCase(options: { allowEmpty?: boolean } = {}): fc.Arbitrary<ReductionCase> {
  const sizes = options.allowEmpty === false ? fc.integer({ min: 1, max: 4 }) : size;
  return fc.array(sizes, { maxLength: 4 }).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      dims: fc.subarray(shape.map((_, d) => d)),
      keepdim: fc.boolean(),
      layout: fc.constantFrom<Layout>('contiguous', 'permuted', 'strided'),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    }),
  );
}

/**
 * A float32 standard-normal tensor of `shape` laid out as asked: `permuted`
 * is a permuted view of a tensor with reversed dims, `strided` takes every
 * other element of a last dim twice as long.
 */
export function randomTensor(shape: readonly number[], layout: Layout, seed: number, dtype: 'float32' | 'float64' = 'float32'): Tensor {
  const generator = new Generator(seed);
  if (layout === 'permuted' && shape.length > 1) {
    const reversed = [...shape].reverse();
    const order = shape.map((_, d) => shape.length - 1 - d);
    return randn(reversed, { generator, dtype }).permute(order);
  }
  if (layout === 'strided' && shape.length > 0) {
    const wide = [...shape];
    wide[wide.length - 1] = 2 * shape[shape.length - 1]!;
    return randn(wide, { generator, dtype }).slice(-1, 0, wide[wide.length - 1], 2);
  }
  return randn(shape, { generator, dtype });
}

/** The shape a reduction over `dims` gives, by the rule: reduced dims dropped, or 1 with keepdim. */
export function expectedReducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  return shape.flatMap((s, d) => (dims.includes(d) ? (keepdim ? [1] : []) : [s]));
}

/**
 * The elements each output of a reduction over `dims` reduces, in row-major
 * order of the input: a plain loop over every multi-index. `dims` empty
 * means each element is its own group (a 0-d input has one group).
 */
export function groupsOf(values: ArrayLike<number>, shape: readonly number[], dims: readonly number[]): number[][] {
  const kept = shape.map((_, d) => d).filter((d) => !dims.includes(d));
  let outputCount = 1;
  for (const d of kept) outputCount *= shape[d]!;
  const groups: number[][] = Array.from({ length: outputCount }, () => []);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < values.length; flat++) {
    let remainder = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = remainder % shape[d]!;
      remainder = Math.floor(remainder / shape[d]!);
    }
    let output = 0;
    for (const d of kept) output = output * shape[d]! + index[d]!;
    groups[output]!.push(values[flat]!);
  }
  return groups;
}

/** Two-pass variance in float64, the reference for var/std. */
export function referenceVariance(group: readonly number[], correction: number): number {
  let total = 0;
  for (const x of group) total += x;
  const mean = total / group.length;
  let squares = 0;
  for (const x of group) squares += (x - mean) * (x - mean);
  return squares / Math.max(group.length - correction, 0);
}

/** The largest (or smallest) element and its first position; a NaN wins at its first position. */
export function referenceExtremum(group: readonly number[], isMax: boolean): { value: number; index: number } {
  const nanIndex = group.findIndex((x) => Number.isNaN(x));
  if (nanIndex >= 0) return { value: Number.NaN, index: nanIndex };
  let index = 0;
  for (let i = 1; i < group.length; i++) {
    if (isMax ? group[i]! > group[index]! : group[i]! < group[index]!) index = i;
  }
  return { value: group[index]!, index };
}

/**
 * Expects `actual` within `relative` of `expected` (scaled by |expected|,
 * at least `absolute`); NaN matches NaN and infinities must match exactly.
 */
export function expectClose(actual: number, expected: number, relative = 2.4e-7, absolute = 1e-30): void {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(relative * Math.abs(expected), absolute));
}
