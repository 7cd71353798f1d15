import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  ShapeError,
  arange,
  eye,
  full,
  linspace,
  manualSeed,
  ones,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from './index.js';

describe('tensor()', () => {
  it('builds float32 from nested numbers, bool from booleans, and follows a typed array', () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([2, 2]);
    expect(a.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(tensor([true, false]).dtype).toBe('bool');
    expect(tensor([true, false]).tolist()).toEqual([true, false]);
    expect(tensor(new Int32Array(6), { shape: [2, 3] }).dtype).toBe('int32');
    expect(tensor(new Float64Array([1.5])).dtype).toBe('float64');
    expect(tensor([0, 2, 1], { dtype: 'int32' }).toTypedArray()).toEqual(new Int32Array([0, 2, 1]));
    const s = tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
  });

  it('copies the data it is given', () => {
    const data = new Float32Array([1, 2, 3]);
    const t = tensor(data);
    data[0] = 9;
    expect(t.tolist()).toEqual([1, 2, 3]);
  });

  it('rejects ragged arrays, wrong shapes and unknown dtypes', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(new ShapeError('tensor: ragged nested array (expected length 2 at depth 1, got 1)'));
    expect(() => tensor(new Float32Array(5), { shape: [2, 3] })).toThrow(
      new ShapeError('tensor: shape [2, 3] holds 6 elements, but the data has 5'),
    );
    expect(() => tensor([1], { dtype: 'int64' as 'int32' })).toThrow(
      new DTypeError("tensor: unknown dtype 'int64' (expected float32, float64, int32 or bool)"),
    );
    expect(() => zeros([2, -1])).toThrow(new RangeError('zeros: shape must hold non-negative integers, got [2, -1]'));
  });

  it('item() refuses tensors that are not one element', () => {
    expect(() => zeros([2]).item()).toThrow(new RangeError('item: a Tensor with 2 elements cannot be converted to a number (shape [2])'));
  });
});

describe('filled tensors and ranges', () => {
  it('zeros, ones, full, *Like and eye', () => {
    expect(zeros([2]).tolist()).toEqual([0, 0]);
    expect(ones([2], { dtype: 'int32' }).toTypedArray()).toEqual(new Int32Array([1, 1]));
    expect(full([2], 7).tolist()).toEqual([7, 7]);
    expect(zerosLike(tensor([1, 2], { dtype: 'float64' })).dtype).toBe('float64');
    expect(eye(2, 3).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
  });

  it('arange and linspace follow torch.arange / torch.linspace', () => {
    expect(arange(5).tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).tolist()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).tolist()).toEqual([5, 3, 1]);
    expect(linspace(0, 1, 5).tolist()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(3, 3, 1).tolist()).toEqual([3]);
    expect(() => arange(0, 5, 0)).toThrow(new RangeError('arange: step must be nonzero'));
    expect(() => arange(5, 0, 1)).toThrow(RangeError);
  });
});

describe('random creation', () => {
  it('the same seed gives the same numbers, and consecutive calls differ', () => {
    manualSeed(7);
    const first = randn([100]).toTypedArray();
    const second = randn([100]).toTypedArray();
    manualSeed(7);
    expect(randn([100]).toTypedArray()).toEqual(first);
    expect(second).not.toEqual(first);
  });

  it('rand is uniform on [0, 1) and randn is standard normal (moments over 1e5 samples)', () => {
    manualSeed(1);
    const u = rand([100_000]).toTypedArray();
    const n = randn([100_000]).toTypedArray();
    const mean = (x: ArrayLike<number>): number => Array.from(x).reduce((s, v) => s + v, 0) / x.length;
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(u)).toBeCloseTo(0.5, 2);
    expect(mean(n)).toBeCloseTo(0, 1);
    expect(mean(Array.from(n).map((v) => v * v))).toBeCloseTo(1, 1);
  });

  it('randint stays in [low, high) and hits every value; randperm is a permutation', () => {
    manualSeed(2);
    const values = Array.from(randint(3, 7, [1000]).toTypedArray());
    expect(new Set(values)).toEqual(new Set([3, 4, 5, 6]));
    expect(randint(0, 2, [3]).dtype).toBe('int32');
    const permutation = Array.from(randperm(50).toTypedArray());
    expect([...permutation].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => randint(5, 5, [1])).toThrow(new RangeError('randint: expected integers low < high, got low=5, high=5'));
    expect(() => rand([2], { dtype: 'int32' })).toThrow(new DTypeError('rand: expected a floating point dtype, got int32'));
  });
});
