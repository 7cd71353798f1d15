import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, randn, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import {
  CosineEmbeddingLoss,
  MarginRankingLoss,
  TripletMarginLoss,
  cosineEmbeddingLoss,
  marginRankingLoss,
  tripletMarginLoss,
} from './index.js';

const REDUCTIONS = ['mean', 'sum', 'none'] as const;
const int32 = { dtype: 'int32' } as const;
const float64 = { dtype: 'float64' } as const;

function inputs(...shape: number[]): ReturnType<typeof randn> {
  return randn(shape, { ...float64, requiresGrad: true });
}

describe('cosineEmbeddingLoss', () => {
  it('is 1 − cos for similar pairs and max(0, cos − margin) for dissimilar ones', () => {
    const a = tensor([[1, 0], [1, 0], [1, 1]]);
    const b = tensor([[0, 1], [1, 0], [1, 1]]);
    const loss = cosineEmbeddingLoss(a, b, tensor([1, -1, -1], int32), { margin: 0.5, reduction: 'none' });
    const values = loss.tolist() as number[];
    expect(values[0]).toBeCloseTo(1, 6);
    expect(values[1]).toBeCloseTo(0.5, 6);
    expect(values[2]).toBeCloseTo(0.5, 6);
    expect(cosineEmbeddingLoss(tensor([3, 4]), tensor([3, 4]), tensor(1)).item()).toBeCloseTo(0, 6);
  });

  it('passes gradcheck for both inputs, every reduction and margin', () => {
    const target = tensor([1, -1, -1, 1], int32);
    for (const reduction of REDUCTIONS) {
      for (const margin of [0, 0.3, -0.4]) {
        expect(gradcheck((x, y) => cosineEmbeddingLoss(x, y, target, { margin, reduction }), [inputs(4, 3), inputs(4, 3)])).toBe(true);
      }
    }
    expect(gradgradcheck((x, y) => cosineEmbeddingLoss(x, y, tensor(-1, float64), { margin: -0.9 }), [inputs(3), inputs(3)])).toBe(true);
  });

  it('rejects targets other than ±1 and mismatched shapes', () => {
    expect(() => cosineEmbeddingLoss(randn([2, 3]), randn([2, 3]), tensor([1, 0], int32))).toThrow(
      new RangeError('cosineEmbeddingLoss: expected every target to be 1 or -1, got 0'),
    );
    expect(() => new CosineEmbeddingLoss().forward(randn([2, 3]), randn([2, 3]), tensor([[1], [1]], int32))).toThrow(
      new ShapeError('CosineEmbeddingLoss: expected a 0-D or 1-D target, got shape [2, 1]'),
    );
    expect(() => cosineEmbeddingLoss(randn([3]), randn([3]), tensor([1, 1, 1], int32))).toThrow(
      new ShapeError('cosineEmbeddingLoss: expected inputs of shape [3, D] for a target of shape [3], got [3]'),
    );
    expect(() => cosineEmbeddingLoss(randn([2, 3]), randn([2, 3]), tensor(1, int32))).toThrow(
      new ShapeError('cosineEmbeddingLoss: expected inputs of shape [D] for a target of shape [], got [2, 3]'),
    );
    expect(() => cosineEmbeddingLoss(randn([2, 3]), randn([2, 4]), tensor([1, 1], int32))).toThrow(
      new ShapeError('cosineEmbeddingLoss: expected input1 and input2 of the same shape, got input1 [2, 3] and input2 [2, 4]'),
    );
    expect(() => cosineEmbeddingLoss(randn([2, 3]), randn([2, 3]), tensor([true, false]))).toThrow(
      new DTypeError("cosineEmbeddingLoss: expected target of dtype int32 or float32 (the input's), got bool"),
    );
  });
});

describe('marginRankingLoss', () => {
  it('is max(0, −t (x1 − x2) + margin)', () => {
    const loss = marginRankingLoss(tensor([0.25, 1]), tensor([0.5, 0]), tensor([1, 1]), { margin: 0.25, reduction: 'none' });
    expect(loss.tolist()).toEqual([0.5, 0]);
    expect(marginRankingLoss(tensor([0.25, 1]), tensor([0.5, 0]), tensor([-1, -1], int32), { reduction: 'sum' }).item()).toBe(1);
  });

  it('passes gradcheck for both inputs and the target, every reduction and margin', () => {
    const target = tensor([1, -1, -1, 1, 1], { ...float64, requiresGrad: true });
    for (const reduction of REDUCTIONS) {
      for (const margin of [0, 0.7]) {
        expect(gradcheck((x, y, t) => marginRankingLoss(x, y, t, { margin, reduction }), [inputs(5), inputs(5), target])).toBe(true);
      }
    }
  });

  it('rejects mismatched shapes instead of broadcasting', () => {
    expect(() => new MarginRankingLoss().forward(randn([3]), randn([3]), randn([1, 3]))).toThrow(
      new ShapeError('MarginRankingLoss: expected input1 and target of the same shape, got input1 [3] and target [1, 3]'),
    );
    expect(() => marginRankingLoss(randn([3]), randn([1]), randn([3]))).toThrow(
      new ShapeError('marginRankingLoss: expected input1 and input2 of the same shape, got input1 [3] and input2 [1]'),
    );
    expect(() => marginRankingLoss(randn([3]), randn([3]), randn([3], float64))).toThrow(
      new DTypeError("marginRankingLoss: expected target of dtype int32 or float32 (the input's), got float64"),
    );
  });
});

describe('tripletMarginLoss', () => {
  it('is max(0, d(a, p) − d(a, n) + margin) with d the p-norm of a − b + eps', () => {
    const anchor = tensor([[0, 0]]);
    const positive = tensor([[3, 4]]);
    const negative = tensor([[6, 8]]);
    const options = { eps: 0, margin: 1 } as const;
    expect(tripletMarginLoss(anchor, positive, negative, options).item()).toBeCloseTo(0, 6);
    expect(tripletMarginLoss(anchor, negative, positive, options).item()).toBeCloseTo(6, 5);
    expect(tripletMarginLoss(anchor, negative, positive, { ...options, p: 1 }).item()).toBeCloseTo(8, 5);
    // swap: the positive–negative distance (5) is smaller than anchor–negative (5 vs 5 here is a tie); use a closer negative.
    const near = tensor([[4, 4]]);
    expect(tripletMarginLoss(anchor, positive, near, { ...options, swap: true }).item()).toBeCloseTo(5 - 1 + 1, 5);
  });

  it('passes gradcheck for all three inputs, every reduction and option', () => {
    for (const reduction of REDUCTIONS) {
      for (const options of [{}, { p: 1 }, { p: 3, margin: 2 }, { swap: true, margin: 3 }, { eps: 0.1, p: Infinity, margin: 2 }]) {
        expect(gradcheck((a, b, c) => tripletMarginLoss(a, b, c, { ...options, reduction }), [inputs(4, 3), inputs(4, 3), inputs(4, 3)])).toBe(true);
      }
    }
    expect(gradgradcheck((a, b, c) => tripletMarginLoss(a, b, c, { margin: 4 }), [inputs(3), inputs(3), inputs(3)])).toBe(true);
  });

  it('takes unbatched [D] and batched [N, D] (and more batch dimensions)', () => {
    expect(tripletMarginLoss(randn([5]), randn([5]), randn([5]), { reduction: 'none' }).shape).toEqual([]);
    expect(tripletMarginLoss(randn([2, 3, 4]), randn([2, 3, 4]), randn([2, 3, 4]), { reduction: 'none' }).shape).toEqual([2, 3]);
  });

  it('rejects mismatched shapes and 0-d inputs', () => {
    expect(() => new TripletMarginLoss().forward(randn([2, 4]), randn([2, 4]), randn([4]))).toThrow(
      new ShapeError('TripletMarginLoss: expected anchor and negative of the same shape, got anchor [2, 4] and negative [4]'),
    );
    expect(() => tripletMarginLoss(randn([]), randn([]), randn([]))).toThrow(
      new ShapeError('tripletMarginLoss: expected inputs of shape [D] or [N, D], got []'),
    );
    expect(() => new TripletMarginLoss({ p: -1 })).toThrow(new RangeError('TripletMarginLoss: p must be a positive number, got -1'));
  });

  it('modules keep their options and print as PyTorch', () => {
    const loss = new TripletMarginLoss({ margin: 2, p: 1, eps: 0, swap: true, reduction: 'sum' });
    expect([loss.margin, loss.p, loss.eps, loss.swap, loss.reduction]).toEqual([2, 1, 0, true, 'sum']);
    expect(loss.toString()).toBe('TripletMarginLoss()');
    expect(new CosineEmbeddingLoss({ margin: 0.5 }).margin).toBe(0.5);
    expect(new MarginRankingLoss({ margin: 1 }).margin).toBe(1);
  });
});
