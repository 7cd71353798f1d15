import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  amax,
  amin,
  argmax,
  argmin,
  max,
  maxWithIndices,
  min,
  minWithIndices,
  tensor,
  zeros,
} from '../index.js';
import { expectedReducedShape, groupsOf, randomTensor, reductionCase, referenceExtremum } from './reduction-test-support.js';

const NAN = Number.NaN;
const ties = [
  [1, 3, 3, -2],
  [0.5, 0.5, 0.5, 0.5],
  [-1, 2, -1, 2],
];

describe('amax and amin', () => {
  it('find the extremes over dims and keep the dtype', () => {
    const x = tensor([[1, 7, -3], [4, -5, 6]], { dtype: 'int32' });
    expect(amax(x).item()).toBe(7);
    expect(amin(x).item()).toBe(-5);
    expect(amax(x, 1).tolist()).toEqual([7, 6]);
    expect(amin(x, 0, true).tolist()).toEqual([[1, -5, -3]]);
    expect(amax(x, [0, 1]).dtype).toBe('int32');
    expect(amax(tensor([false, true])).tolist()).toBe(true);
    expect(amin(tensor([false, true])).dtype).toBe('bool');
  });

  it('propagate NaN, wherever it is in the window', () => {
    const x = tensor([[NAN, 1, 3], [0, 1, NAN], [0, 2, 1]]);
    expect(amax(x, 1).tolist()).toEqual([NAN, NAN, 2]);
    expect(amin(x, 1).tolist()).toEqual([NAN, NAN, 0]);
    expect(amax(x, 0).tolist()).toEqual([NAN, 2, NAN]);
    expect(amin(x).item()).toBeNaN();
  });

  it('match reference loops on random non-empty shapes, dims and layouts', () => {
    fc.assert(
      fc.property(reductionCase({ allowEmpty: false }), ({ shape, dims, keepdim, layout, seed }) => {
        const x = randomTensor(shape, layout, seed);
        const reduced = dims.length === 0 ? shape.map((_, d) => d) : dims;
        const largest = amax(x, dims, keepdim);
        expect(largest.shape).toEqual(expectedReducedShape(shape, reduced, keepdim));
        const smallest = amin(x, dims, keepdim).toTypedArray();
        groupsOf(x.toTypedArray(), shape, reduced).forEach((group, o) => {
          expect(largest.toTypedArray()[o]).toBe(referenceExtremum(group, true).value);
          expect(smallest[o]).toBe(referenceExtremum(group, false).value);
        });
      }),
    );
  });

  it('reject reducing an empty tensor over all dims or over a dim of size 0, like PyTorch', () => {
    expect(() => amax(zeros([0, 3]))).toThrow(
      new RangeError(
        "amax: expected reduction dim to be specified for input.numel() == 0 (got input shape [0, 3]); specify the reduction dim with the 'dim' argument",
      ),
    );
    expect(() => amin(zeros([0, 3]), [1, 0])).toThrow(
      new RangeError('amin: expected reduction dim 0 to have non-zero size (got input shape [0, 3])'),
    );
    expect(amax(zeros([0, 3]), 1).shape).toEqual([0]);
    expect(() => amax(zeros([2]), 1)).toThrow(new RangeError('amax: dimension out of range (expected to be in range of [-1, 0], but got 1)'));
  });
});

describe('max and min', () => {
  it('reduce everything without a dim, and give the values along a dim', () => {
    const x = tensor([[1, 5], [7, 2]]);
    expect(max(x).shape).toEqual([]);
    expect(max(x).item()).toBe(7);
    expect(min(x).item()).toBe(1);
    expect(max(x, 1).tolist()).toEqual([5, 7]);
    expect(min(x, 0, true).tolist()).toEqual([[1, 2]]);
    expect(max(x, -1, true).shape).toEqual([2, 1]);
    expect(max(tensor(3)).item()).toBe(3);
    expect(max(tensor([NAN, 1])).item()).toBeNaN();
    expect(max(tensor([true, false])).tolist()).toBe(true);
  });

  it('name themselves in errors, like PyTorch', () => {
    expect(() => max(zeros([0, 3]))).toThrow(
      new RangeError(
        "max: expected reduction dim to be specified for input.numel() == 0 (got input shape [0, 3]); specify the reduction dim with the 'dim' argument",
      ),
    );
    expect(() => min(zeros([0, 3]), 0)).toThrow(new RangeError('min: expected reduction dim 0 to have non-zero size (got input shape [0, 3])'));
    expect(() => max(zeros([2, 3]), 2)).toThrow(new RangeError('max: dimension out of range (expected to be in range of [-2, 1], but got 2)'));
  });
});

describe('maxWithIndices and minWithIndices', () => {
  it('return the first index on ties', () => {
    const largest = maxWithIndices(tensor(ties), 1);
    expect(largest.values.tolist()).toEqual([3, 0.5, 2]);
    expect(largest.indices.tolist()).toEqual([1, 0, 1]);
    expect(largest.indices.dtype).toBe('int32');
    const smallest = minWithIndices(tensor(ties), 1, true);
    expect(smallest.values.tolist()).toEqual([[-2], [0.5], [-1]]);
    expect(smallest.indices.tolist()).toEqual([[3], [0], [0]]);
    expect(maxWithIndices(tensor(ties), 0).indices.tolist()).toEqual([0, 0, 0, 2]);
  });

  it("give NaN at the first NaN's index", () => {
    const x = tensor([[1, NAN, 3, NAN], [0, 1, 2, -1]]);
    const { values, indices } = maxWithIndices(x, 1);
    expect(values.tolist()).toEqual([NAN, 2]);
    expect(indices.tolist()).toEqual([1, 2]);
    expect(minWithIndices(x, 1).indices.tolist()).toEqual([1, 3]);
    expect(maxWithIndices(x, 0).indices.tolist()).toEqual([0, 0, 0, 0]);
    expect(maxWithIndices(x.t(), 0).indices.tolist()).toEqual([1, 2]);
    // Along a leading dim (the lane loop), the first NaN still wins over later NaNs and numbers.
    const lanes = minWithIndices(tensor([[1, 2], [NAN, 5], [NAN, -9]]), 0);
    expect(lanes.values.tolist()).toEqual([NAN, -9]);
    expect(lanes.indices.tolist()).toEqual([1, 2]);
  });

  it('handle 0-d input, int32 and keepdim', () => {
    const scalar = maxWithIndices(tensor(2.5), 0);
    expect(scalar.values.item()).toBe(2.5);
    expect(scalar.indices.item()).toBe(0);
    expect(scalar.indices.shape).toEqual([]);
    const ints = maxWithIndices(tensor([[3, 9, 9], [4, -1, 4]], { dtype: 'int32' }), 1, true);
    expect(ints.values.tolist()).toEqual([[9], [4]]);
    expect(ints.values.dtype).toBe('int32');
    expect(ints.indices.tolist()).toEqual([[1], [0]]);
  });

  it('match reference loops along each dim of random shapes and layouts', () => {
    fc.assert(
      fc.property(reductionCase({ allowEmpty: false }), fc.nat(), ({ shape, keepdim, layout, seed }, pick) => {
        fc.pre(shape.length > 0);
        const dim = pick % shape.length;
        const x = randomTensor(shape, layout, seed);
        const largest = maxWithIndices(x, dim - shape.length, keepdim);
        const smallest = minWithIndices(x, dim, keepdim);
        expect(largest.indices.shape).toEqual(expectedReducedShape(shape, [dim], keepdim));
        groupsOf(x.toTypedArray(), shape, [dim]).forEach((group, o) => {
          const top = referenceExtremum(group, true);
          const bottom = referenceExtremum(group, false);
          expect(largest.values.toTypedArray()[o]).toBe(top.value);
          expect(largest.indices.toTypedArray()[o]).toBe(top.index);
          expect(smallest.values.toTypedArray()[o]).toBe(bottom.value);
          expect(smallest.indices.toTypedArray()[o]).toBe(bottom.index);
        });
      }),
    );
  });

  it('reject a dim of size 0 or out of range', () => {
    expect(() => maxWithIndices(zeros([0, 3]), 0)).toThrow(
      new RangeError('maxWithIndices: expected reduction dim 0 to have non-zero size (got input shape [0, 3])'),
    );
    expect(maxWithIndices(zeros([0, 3]), 1).values.shape).toEqual([0]);
    expect(() => minWithIndices(zeros([2]), -2)).toThrow(
      new RangeError('minWithIndices: dimension out of range (expected to be in range of [-1, 0], but got -2)'),
    );
  });
});

describe('argmax and argmin', () => {
  it('index the row-major flattening without a dim, first index on ties', () => {
    expect(argmax(tensor(ties)).item()).toBe(1);
    expect(argmin(tensor(ties)).item()).toBe(3);
    expect(argmax(tensor(ties).t()).item()).toBe(3); // the transpose's flattening meets 3 first at (1, 0)
    expect(argmax(tensor(ties), null, true).shape).toEqual([1, 1]);
    expect(argmax(tensor(ties)).dtype).toBe('int32');
    expect(argmax(tensor(2)).shape).toEqual([]);
    expect(argmax(tensor(2)).item()).toBe(0);
  });

  it('index along a dim, and let the first NaN win', () => {
    expect(argmax(tensor(ties), 1).tolist()).toEqual([1, 0, 1]);
    expect(argmin(tensor(ties), 1, true).tolist()).toEqual([[3], [0], [0]]);
    expect(argmax(tensor([1, NAN, 3, NAN])).item()).toBe(1);
    expect(argmin(tensor([1, NAN, 3, NAN])).item()).toBe(1);
    expect(argmax(tensor([[2, 9], [7, 1]], { dtype: 'int32' }), 0).tolist()).toEqual([1, 0]);
    expect(argmax(tensor([[5], [6], [7]]).expand(3, 4), 1).tolist()).toEqual([0, 0, 0]);
  });

  it('reject bool and empty input, like PyTorch', () => {
    expect(() => argmax(tensor([true, false]))).toThrow(
      new DTypeError('argmax: not implemented for dtype bool (expected float32, float64 or int32)'),
    );
    expect(() => argmin(zeros([0]))).toThrow(
      new RangeError(
        "argmin: expected reduction dim to be specified for input.numel() == 0 (got input shape [0]); specify the reduction dim with the 'dim' argument",
      ),
    );
    expect(() => argmax(zeros([2, 0]), 1)).toThrow(new RangeError('argmax: expected reduction dim 1 to have non-zero size (got input shape [2, 0])'));
    expect(() => argmax(zeros([2]), 3)).toThrow(new RangeError('argmax: dimension out of range (expected to be in range of [-1, 0], but got 3)'));
  });
});
