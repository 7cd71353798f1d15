import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, bmm, matmul, mm, tensor } from '../index.js';
import type { Tensor } from '../tensor.js';

/** A naive product over explicit indices, in float64, as the reference. */
function referenceMatmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((sum, value, p) => sum + value * b[p]![j]!, 0)));
}

function integerMatrix(rows: number, columns: number, seed: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => ((i * 7 + j * 13 + seed) % 11) - 5));
}

describe('matmul', () => {
  it('matches a naive product on integer-valued matrices of random sizes, exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (m, k, n) => {
        const a = integerMatrix(m, k, 1);
        const b = integerMatrix(k, n, 2);
        expect(matmul(tensor(a), tensor(b)).tolist()).toEqual(referenceMatmul(a, b));
      }),
      { numRuns: 40 },
    );
  });

  it('follows PyTorch rank rules: dot, vector-matrix, matrix-vector and broadcast batches', () => {
    const v = tensor([1, 2, 3]);
    const m = tensor(integerMatrix(3, 2, 0));
    expect(matmul(v, v).shape).toEqual([]);
    expect(matmul(v, v).item()).toBe(14);
    expect(matmul(v, m).tolist()).toEqual(referenceMatmul([[1, 2, 3]], integerMatrix(3, 2, 0))[0]);
    expect(matmul(tensor(integerMatrix(2, 3, 0)), v).tolist()).toEqual(referenceMatmul(integerMatrix(2, 3, 0), [[1], [2], [3]]).map((r) => r[0]));
    const batchA = tensor(new Float32Array(2 * 1 * 4 * 3).map((_, i) => i % 5), { shape: [2, 1, 4, 3] });
    const batchB = tensor(new Float32Array(5 * 3 * 2).map((_, i) => i % 3), { shape: [5, 3, 2] });
    const product = matmul(batchA, batchB);
    expect(product.shape).toEqual([2, 5, 4, 2]);
    const slice = (t: Tensor, ...indices: number[]): number[][] => indices.reduce((x, i) => x.select(0, i), t).tolist() as number[][];
    expect(slice(product, 1, 3)).toEqual(referenceMatmul(slice(batchA, 1, 0), slice(batchB, 3)));
  });

  it('reads transposed views without changing the result', () => {
    const a = tensor(integerMatrix(5, 4, 3));
    const b = tensor(integerMatrix(5, 6, 4));
    expect(matmul(a.t(), b).tolist()).toEqual(referenceMatmul(a.t().tolist() as number[][], b.tolist() as number[][]));
  });

  it('promotes int32 with float32, and keeps int32 for two int32 matrices', () => {
    const ints = tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    expect(matmul(ints, ints).dtype).toBe('int32');
    expect(matmul(ints, ints).tolist()).toEqual([[7, 10], [15, 22]]);
    expect(matmul(ints, tensor([[1], [1]])).dtype).toBe('float32');
    expect(matmul(tensor([[1]], { dtype: 'float64' }), tensor([[2]])).dtype).toBe('float64');
  });

  it('names both shapes when the inner sizes differ', () => {
    expect(() => matmul(tensor(integerMatrix(4, 3, 0)), tensor(integerMatrix(5, 2, 0)))).toThrow(
      new ShapeError('matmul: shapes [4, 3] and [5, 2] cannot be multiplied (3 != 5)'),
    );
    expect(() => matmul(tensor(2), tensor([1]))).toThrow('matmul: both arguments to matmul need to be at least 1D, but they are 0D and 1D');
    expect(() => matmul(tensor([true]), tensor([true]))).toThrow(DTypeError);
    expect(() => matmul(tensor(new Float32Array(12), { shape: [2, 2, 3] }), tensor(new Float32Array(9), { shape: [3, 3, 1] }))).toThrow(ShapeError);
    expect(() => mm(tensor([1, 2]), tensor([[1], [2]]))).toThrow('mm: expected 2-D tensors, got shapes [2] and [2, 1]');
    expect(() => bmm(tensor(new Float32Array(4), { shape: [1, 2, 2] }), tensor(new Float32Array(8), { shape: [2, 2, 2] }))).toThrow(
      'bmm: batch sizes differ: shapes [1, 2, 2] and [2, 2, 2] (1 != 2)',
    );
  });
});
