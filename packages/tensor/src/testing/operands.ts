/**
 * Random operands for the conformance suite: seeded values of every dtype,
 * laid out in every way a kernel must accept (contiguous, at an offset,
 * transposed, strided, broadcast with stride 0), so a backend that only
 * handles contiguous row-major tensors fails loudly.
 */
import { type DType, allocate } from '../dtype.js';
import { Generator } from '../random.js';
import { contiguousStrides, numelOf } from '../shape.js';
import { Storage } from '../storage.js';
import { Tensor } from '../tensor.js';

/** How an operand's elements lie in its storage. */
export type OperandLayout = 'contiguous' | 'offset' | 'transposed' | 'strided' | 'broadcast';

/** Every layout, in the order the suite cycles through them. */
export const OPERAND_LAYOUTS: readonly OperandLayout[] = ['contiguous', 'offset', 'transposed', 'strided', 'broadcast'];

/** Seeded draws for one conformance case. */
export class OperandSource {
  private readonly generator: Generator;

  constructor(seed: number) {
    this.generator = new Generator(seed);
  }

  /** An integer in [low, high). */
  integer(low: number, high: number): number {
    return low + Math.floor(this.generator.nextDouble() * (high - low));
  }

  /** A random shape of `rank` dims, each in [1, maxSize]. */
  shape(rank: number, maxSize = 5): number[] {
    return Array.from({ length: rank }, () => this.integer(1, maxSize + 1));
  }

  /** One value for `dtype`: floats in [-2, 2), int32 in [-5, 5], bool 0 or 1. */
  value(dtype: DType): number {
    if (dtype === 'bool') return this.integer(0, 2);
    if (dtype === 'int32') return this.integer(-5, 6);
    return this.generator.nextDouble() * 4 - 2;
  }

  /** A contiguous int32 tensor of `shape` with values in [0, limit): valid indices. */
  indices(shape: readonly number[], limit: number): Tensor {
    const data = new Int32Array(numelOf(shape));
    for (let index = 0; index < data.length; index++) data[index] = this.integer(0, limit);
    return new Tensor(new Storage(data), shape);
  }

  /**
   * A tensor of `shape` and `dtype` with random values, laid out as
   * `layout`: its storage holds junk around the elements, so a kernel that
   * ignores the offset or the strides reads the wrong ones.
   */
  tensor(shape: readonly number[], dtype: DType, layout: OperandLayout = 'contiguous'): Tensor {
    const count = numelOf(shape);
    const rank = shape.length;
    if (layout === 'broadcast' && rank > 0) {
      // Dim 0 is broadcast (stride 0) over a one-row storage.
      const row = this.tensor(shape.slice(1), dtype, 'offset');
      return new Tensor(row.storage, shape, [0, ...row.strides], row.offset);
    }
    if (layout === 'transposed' && rank >= 2) {
      // Allocate the last two dims swapped, then view them back.
      const swapped = [...shape.slice(0, -2), shape[rank - 1]!, shape[rank - 2]!];
      const base = this.tensor(swapped, dtype, 'offset');
      const strides = [...base.strides];
      [strides[rank - 2], strides[rank - 1]] = [strides[rank - 1]!, strides[rank - 2]!];
      return new Tensor(base.storage, shape, strides, base.offset);
    }
    const spread = layout === 'strided' ? 2 : 1;
    const lead = layout === 'contiguous' ? 0 : 3;
    const data = allocate(dtype, lead + Math.max(1, count * spread) + 2);
    for (let index = 0; index < data.length; index++) data[index] = this.value(dtype);
    const strides = contiguousStrides(shape).map((stride) => stride * spread);
    return new Tensor(new Storage(data), shape, strides, lead);
  }
}

/** A contiguous copy that shares nothing with `tensor` (what the suite hands each kernel, so neither sees the other's writes). */
export function cloneTensor(tensor: Tensor): Tensor {
  return new Tensor(new Storage(tensor.storage.data.slice()), tensor.shape, tensor.strides, tensor.offset);
}
