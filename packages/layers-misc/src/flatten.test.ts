import { ShapeError, arange, randn, tensor } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Flatten, Unflatten } from './index.js';

const shapes = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 });

describe('Flatten', () => {
  it('keeps the batch dimension by default and returns a view', () => {
    const x = randn([2, 3, 4]);
    const flat = new Flatten().forward(x);
    expect(flat.shape).toEqual([2, 12]);
    expect(flat.storage).toBe(x.storage);
    expect(new Flatten().toString()).toBe('Flatten(start_dim=1, end_dim=-1)');
    expect(new Flatten(0, 2).toString()).toBe('Flatten(start_dim=0, end_dim=2)');
  });

  it('keeps the elements in row-major order and multiplies the flattened sizes (property)', () => {
    fc.assert(
      fc.property(shapes, fc.nat(), fc.nat(), (shape, first, second) => {
        const rank = shape.length;
        const [start, end] = [first % rank, second % rank].sort((a, b) => a - b) as [number, number];
        const x = arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);
        const flat = new Flatten(start, end).forward(x);
        const expected = [...shape.slice(0, start), shape.slice(start, end + 1).reduce((a, b) => a * b, 1), ...shape.slice(end + 1)];
        expect(flat.shape).toEqual(expected);
        expect(Array.from(flat.toTypedArray())).toEqual(Array.from(x.toTypedArray()));
      }),
    );
  });

  it('rejects dims out of range and a start after the end, naming the layer', () => {
    expect(() => new Flatten().forward(tensor(1))).toThrow(
      new RangeError('Flatten: dimension out of range (expected to be in range of [-1, 0], but got 1)'),
    );
    expect(() => new Flatten(2, 1).forward(randn([2, 3, 4]))).toThrow(
      new RangeError('Flatten: startDim (2) cannot come after endDim (1) for an input of shape [2, 3, 4]'),
    );
    expect(() => new Flatten(0.5)).toThrow(new RangeError('Flatten: startDim must be an integer, got 0.5'));
  });
});

describe('Unflatten', () => {
  it('splits one dimension, inferring a −1, as a view', () => {
    const x = randn([4, 6]);
    const out = new Unflatten(1, [2, -1]).forward(x);
    expect(out.shape).toEqual([4, 2, 3]);
    expect(out.storage).toBe(x.storage);
    expect(new Unflatten(1, [2, 3]).toString()).toBe('Unflatten(dim=1, unflattened_size=(2, 3))');
    expect(new Unflatten(0, [6]).toString()).toBe('Unflatten(dim=0, unflattened_size=(6,))');
  });

  it('undoes Flatten (property)', () => {
    fc.assert(
      fc.property(shapes, fc.nat(), (shape, pick) => {
        const dim = pick % shape.length;
        const x = randn(shape);
        const sizes = shape.slice(dim);
        const flat = new Flatten(dim).forward(x);
        const back = new Unflatten(dim, sizes).forward(flat);
        expect(back.shape).toEqual(shape);
        expect(Array.from(back.toTypedArray())).toEqual(Array.from(x.toTypedArray()));
      }),
    );
  });

  it('rejects sizes that do not multiply up, naming the layer and both sizes', () => {
    expect(() => new Unflatten(1, [2, 2]).forward(randn([3, 6]))).toThrow(
      new ShapeError("Unflatten: provided sizes [2, 2] don't multiply up to the size of dim 1 (6) in the input of shape [3, 6]"),
    );
    expect(() => new Unflatten(1, [4, -1]).forward(randn([3, 6]))).toThrow(ShapeError);
    expect(() => new Unflatten(2, [2, 3]).forward(randn([3, 6]))).toThrow(
      new RangeError('Unflatten: dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    );
  });

  it('rejects sizes that are not integers, or two inferred sizes', () => {
    expect(() => new Unflatten(1, [2.5, 3])).toThrow(new RangeError('Unflatten: unflattenedSize[0] must be a non-negative integer, got 2.5'));
    expect(() => new Unflatten(1, [-1, -1])).toThrow(new RangeError('Unflatten: only one size can be inferred (-1), got [-1, -1]'));
    expect(() => new Unflatten(1, [])).toThrow(new RangeError('Unflatten: unflattenedSize must be a non-empty array of integers, got []'));
  });
});

describe('Flatten and Unflatten refuse what is not a tensor', () => {
  it('name the layer and what came', () => {
    expect(() => new Flatten().forward(undefined as never)).toThrow(new TypeError('Flatten: expected input to be a Tensor, got undefined'));
    expect(() => new Flatten().forward([[1, 2]] as never)).toThrow(new TypeError('Flatten: expected input to be a Tensor, got an array'));
    expect(() => new Unflatten(1, [2, 2]).forward(4 as never)).toThrow(new TypeError('Unflatten: expected input to be a Tensor, got number'));
  });
});
