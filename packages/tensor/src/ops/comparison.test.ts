import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  ShapeError,
  type Tensor,
  allclose,
  arange,
  eq,
  equal,
  ge,
  gt,
  isclose,
  isfinite,
  isinf,
  isnan,
  le,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  lt,
  ne,
  tensor,
} from '../index.js';
import { broadcastCase, integerValues, laidOut, layouts, naiveElementwise, numel, valuesOf } from './elementwise-test-support.js';

const int32 = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });

describe('comparisons', () => {
  const cases: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => boolean][] = [
    ['eq', eq, (x, y) => x === y],
    ['ne', ne, (x, y) => x !== y],
    ['lt', lt, (x, y) => x < y],
    ['le', le, (x, y) => x <= y],
    ['gt', gt, (x, y) => x > y],
    ['ge', ge, (x, y) => x >= y],
    ['logicalAnd', logicalAnd, (x, y) => x !== 0 && y !== 0],
    ['logicalOr', logicalOr, (x, y) => x !== 0 || y !== 0],
    ['logicalXor', logicalXor, (x, y) => (x !== 0) !== (y !== 0)],
  ];
  for (const [name, op, reference] of cases) {
    it(`${name} broadcasts to a bool tensor matching the naive reference, for any layout`, () => {
      fc.assert(
        fc.property(broadcastCase(2), fc.constantFrom(...layouts), fc.constantFrom(...layouts), ({ shapes, seed }, first, second) => {
          const [shapeA, shapeB] = shapes as [number[], number[]];
          // Values in [-2, 2] so that equal pairs are common.
          const valuesA = integerValues(numel(shapeA), seed).map((value) => value % 3);
          const valuesB = integerValues(numel(shapeB), seed + 7).map((value) => value % 3);
          const expected = naiveElementwise(
            [
              { shape: shapeA, values: valuesA },
              { shape: shapeB, values: valuesB },
            ],
            (x, y) => (reference(x, y) ? 1 : 0),
          );
          const result = op(laidOut(valuesA, shapeA, 'float32', first, expected.shape), laidOut(valuesB, shapeB, 'int32', second, expected.shape));
          expect(result.dtype).toBe('bool');
          expect(result.shape).toEqual(expected.shape);
          expect(valuesOf(result)).toEqual(expected.values);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('compares in the common dtype, scalars included (PyTorch values)', () => {
    expect(lt(int32([2, 3]), 2.5).tolist()).toEqual([true, false]);
    expect(eq(tensor([true, false]), 1).tolist()).toEqual([true, false]);
    expect(eq(tensor([0.1]), tensor(0.1, { dtype: 'float64' })).tolist()).toEqual([true]);
    // 2 ** 40 wraps to 0 in int32 arithmetic: PyTorch gives [False].
    expect(lt(int32([1]), 2 ** 40).tolist()).toEqual([false]);
    expect(eq(tensor([NaN, 1]), tensor([NaN, 1])).tolist()).toEqual([false, true]);
    expect(ne(tensor([NaN]), NaN).tolist()).toEqual([true]);
    expect(arange(3).gt(1).tolist()).toEqual([false, false, true]);
    expect(arange(3).le(tensor([[0], [2]])).tolist()).toEqual([
      [true, false, false],
      [true, true, true],
    ]);
  });

  it('treats NaN as true in logical ops (PyTorch values)', () => {
    expect(logicalXor(tensor([0, 1]), int32([2, 0])).tolist()).toEqual([true, true]);
    expect(logicalNot(tensor([0, NaN, -0, 2])).tolist()).toEqual([true, false, true, false]);
    expect(logicalAnd(tensor([NaN, 0]), true).tolist()).toEqual([true, false]);
    expect(tensor([1, 0]).logicalOr(tensor([0, 0])).tolist()).toEqual([true, false]);
  });

  it('classifies NaN and infinities for any dtype', () => {
    const x = tensor([1, NaN, Infinity, -Infinity, -0]);
    expect(isnan(x).tolist()).toEqual([false, true, false, false, false]);
    expect(isfinite(x).tolist()).toEqual([true, false, false, false, true]);
    expect(isinf(x).tolist()).toEqual([false, false, true, true, false]);
    expect(isnan(int32([1, 2])).tolist()).toEqual([false, false]);
    expect(isfinite(tensor([true])).tolist()).toEqual([true]);
    expect(x.t().isnan().dtype).toBe('bool');
  });
});

describe('isclose, allclose and equal', () => {
  it('matches PyTorch on its default tolerances', () => {
    // PyTorch 1.13: [False, True, False, True, True].
    const a = tensor([1, Infinity, NaN, 1e-8, 100]);
    const b = tensor([1.00001, Infinity, NaN, 0, 100.001]);
    expect(isclose(a, b).tolist()).toEqual([false, true, false, true, true]);
    expect(isclose(tensor([NaN]), tensor([NaN]), { equalNan: true }).tolist()).toEqual([true]);
    expect(isclose(tensor([1]), tensor([1.5]), { atol: 0.5 }).tolist()).toEqual([true]);
    expect(isclose(tensor([1]), tensor([2]), { rtol: 0.5 }).tolist()).toEqual([true]);
    expect(isclose(tensor([-Infinity]), tensor([Infinity]), { atol: Infinity }).tolist()).toEqual([false]);
    expect(isclose(int32([1, 2]), int32([1, 3])).tolist()).toEqual([true, false]);
  });

  it('allclose reduces isclose to a boolean, broadcasting', () => {
    expect(allclose(tensor([[1, 1], [1, 1]]), tensor([1, 1]))).toBe(true);
    expect(allclose(tensor([1, 2]), tensor([1, 2.000001]))).toBe(true);
    expect(allclose(tensor([1, 2]), tensor([1, 2.1]))).toBe(false);
    expect(allclose(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(allclose(tensor([NaN]), tensor([NaN]), { equalNan: true })).toBe(true);
    expect(tensor([1]).allclose(tensor([1]))).toBe(true);
  });

  it('equal wants the same shape and values, comparing across dtypes as numbers (as PyTorch 1.13)', () => {
    expect(equal(tensor([1, 1]), int32([1, 1]))).toBe(true);
    expect(equal(tensor([1, 1]), tensor([1]))).toBe(false);
    expect(equal(tensor([NaN]), tensor([NaN]))).toBe(false);
    expect(equal(arange(6).reshape(2, 3).t(), arange(6).reshape(2, 3).t().contiguous())).toBe(true);
    expect(arange(3).equal(arange(3).add(tensor([0, 0, 1])))).toBe(false);
  });
});

describe('bad inputs', () => {
  it('names the op and the shapes when they do not broadcast', () => {
    expect(() => eq(arange(2), arange(3))).toThrow(ShapeError);
    expect(() => lt(arange(6).reshape(2, 3), arange(2))).toThrow('lt: shapes [2, 3] and [2] cannot be broadcast (size 3 != 2 at dimension 1)');
    expect(() => allclose(tensor([[1, 1]]), tensor([1, 1, 1]))).toThrow(
      'allclose: shapes [1, 2] and [3] cannot be broadcast (size 2 != 3 at dimension 1)',
    );
  });

  it('refuses mixed dtypes and negative tolerances in isclose and allclose (as PyTorch)', () => {
    expect(() => isclose(int32([1]), tensor([1]))).toThrow(DTypeError);
    expect(() => isclose(int32([1]), tensor([1]))).toThrow('isclose: expected both tensors to have the same dtype, got int32 and float32');
    expect(() => allclose(tensor([1]), tensor([1]), { rtol: -1 })).toThrow(RangeError);
    expect(() => allclose(tensor([1]), tensor([1]), { rtol: -1 })).toThrow('allclose: rtol must be greater than or equal to zero, got -1');
    expect(() => isclose(tensor([1]), tensor([1]), { atol: NaN })).toThrow('isclose: atol must be greater than or equal to zero, got NaN');
  });

  it('checks operand kinds', () => {
    expect(() => eq(tensor([1]), {} as unknown as number)).toThrow('eq: expected other to be a Tensor, a number or a boolean, got object');
    expect(() => isnan(1 as unknown as Tensor)).toThrow('isnan: expected input to be a Tensor, got number');
    expect(() => equal(tensor([1]), 1 as unknown as Tensor)).toThrow('equal: expected other to be a Tensor, got number');
  });
});
