import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, rand, randn, sigmoid, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { BCELoss, BCEWithLogitsLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits } from './index.js';

const REDUCTIONS = ['mean', 'sum', 'none'] as const;
const float64 = { dtype: 'float64' } as const;

function probabilities(shape: number[]): ReturnType<typeof rand> {
  return rand(shape, float64).mul(0.9).add(0.05).detach().requiresGrad_();
}

describe('binaryCrossEntropy', () => {
  it('is −(t log x + (1 − t) log(1 − x)), each log floored at −100', () => {
    expect(binaryCrossEntropy(tensor([0.8, 0.1], float64), tensor([1, 0], float64)).item()).toBeCloseTo((-Math.log(0.8) - Math.log(0.9)) / 2, 12);
    const saturated = binaryCrossEntropy(tensor([0, 1, 0, 1]), tensor([0, 1, 1, 0]), { reduction: 'none' });
    expect(Array.from(saturated.toTypedArray(), (value) => value + 0)).toEqual([0, 0, 100, 100]);
  });

  it('passes gradcheck for input and target, weights broadcast, every reduction', () => {
    for (const reduction of REDUCTIONS) {
      for (const weight of [null, rand([3], float64).add(0.5), rand([2, 3], float64)]) {
        const [input, target] = [probabilities([2, 3]), rand([2, 3], { ...float64, requiresGrad: true })];
        expect(gradcheck((x, t) => binaryCrossEntropy(x, t, { weight, reduction }), [input, target])).toBe(true);
      }
    }
    const [input, target] = [probabilities([4]), rand([4], { ...float64, requiresGrad: true })];
    expect(gradgradcheck((x, t) => binaryCrossEntropy(x, t), [input, target])).toBe(true);
  });

  it("floors the gradient's denominator x · (1 − x) at 1e-12, as PyTorch", () => {
    const input = tensor([0, 1, 0.5], { ...float64, requiresGrad: true });
    binaryCrossEntropy(input, tensor([1, 0, 1], float64), { reduction: 'sum' }).backward();
    expect(input.grad!.tolist()).toEqual([-1e12, 1e12, -2]);
  });

  it('rejects probabilities outside [0, 1], other shapes and dtypes', () => {
    expect(() => binaryCrossEntropy(tensor([0.5, 1.5]), tensor([0, 1]))).toThrow(
      new RangeError('binaryCrossEntropy: expected every element of input in [0, 1], got 1.5'),
    );
    expect(() => new BCELoss().forward(tensor([Number.NaN]), tensor([0]))).toThrow(
      new RangeError('BCELoss: expected every element of input in [0, 1], got NaN'),
    );
    expect(() => binaryCrossEntropy(rand([2, 3]), rand([3]))).toThrow(
      new ShapeError('binaryCrossEntropy: expected input and target of the same shape, got input [2, 3] and target [3]'),
    );
    expect(() => binaryCrossEntropy(rand([2, 3]), rand([2, 3]), { weight: rand([2]) })).toThrow(
      new ShapeError("binaryCrossEntropy: weight of shape [2] does not broadcast to the input's shape [2, 3]"),
    );
    expect(() => new BCELoss({ weight: rand([3], float64) }).forward(rand([2, 3]), rand([2, 3]))).toThrow(
      new DTypeError("BCELoss: expected weight of dtype float32 (the input's), got float64"),
    );
  });

  it('BCELoss holds its weight as a buffer', () => {
    const weight = rand([3]);
    const loss = new BCELoss({ weight, reduction: 'sum' });
    expect(loss.weight).toBe(weight);
    expect(Object.keys(loss.stateDict())).toEqual(['weight']);
    expect(loss.toString()).toBe('BCELoss()');
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  it('equals binaryCrossEntropy of the sigmoid where that is accurate', () => {
    const logits = randn([3, 4], float64);
    const target = rand([3, 4], float64);
    const direct = binaryCrossEntropyWithLogits(logits, target).item();
    expect(direct).toBeCloseTo(binaryCrossEntropy(sigmoid(logits), target).item(), 12);
  });

  it('stays finite for logits of ±1e4 (log-sigmoid form), with posWeight too', () => {
    const logits = tensor([1e4, -1e4, 1e4, -1e4], { requiresGrad: true });
    const target = tensor([1, 0, 0, 1]);
    const loss = binaryCrossEntropyWithLogits(logits, target, { reduction: 'none', posWeight: tensor([2, 2, 2, 2]) });
    expect(loss.tolist()).toEqual([0, 0, 1e4, 2e4]);
    loss.sum().backward();
    expect(logits.grad!.tolist()).toEqual([0, 0, 1, -2]);
  });

  it('passes gradcheck for input and target with weight and posWeight broadcast, every reduction', () => {
    for (const reduction of REDUCTIONS) {
      for (const [weight, posWeight] of [[null, null], [rand([3], float64), null], [null, rand([3], float64).add(0.5)], [rand([2, 1], float64), rand([3], float64)]]) {
        const input = randn([2, 3], { ...float64, requiresGrad: true });
        const target = rand([2, 3], { ...float64, requiresGrad: true });
        expect(gradcheck((x, t) => binaryCrossEntropyWithLogits(x, t, { weight, posWeight, reduction }), [input, target])).toBe(true);
      }
    }
    const input = randn([4], { ...float64, requiresGrad: true });
    const target = rand([4], { ...float64, requiresGrad: true });
    expect(gradgradcheck((x, t) => binaryCrossEntropyWithLogits(x, t, { posWeight: tensor([3], float64) }), [input, target])).toBe(true);
  });

  it('gives weights that require grad no gradient, as PyTorch', () => {
    const weight = rand([3], { requiresGrad: true });
    const posWeight = rand([3], { requiresGrad: true });
    const input = randn([2, 3], { requiresGrad: true });
    binaryCrossEntropyWithLogits(input, rand([2, 3]), { weight, posWeight }).backward();
    expect([weight.grad, posWeight.grad]).toEqual([null, null]);
    expect(input.grad?.shape).toEqual([2, 3]);
  });

  it('rejects other shapes and weights that do not broadcast to the input', () => {
    expect(() => binaryCrossEntropyWithLogits(randn([4, 3]), rand([4, 1]))).toThrow(
      new ShapeError('binaryCrossEntropyWithLogits: expected input and target of the same shape, got input [4, 3] and target [4, 1]'),
    );
    expect(() => new BCEWithLogitsLoss({ posWeight: rand([4]) }).forward(randn([2, 3]), rand([2, 3]))).toThrow(
      new ShapeError("BCEWithLogitsLoss: posWeight of shape [4] does not broadcast to the input's shape [2, 3]"),
    );
    expect(() => binaryCrossEntropyWithLogits(randn([2, 3]), rand([2, 3]), { weight: rand([4, 2, 3]) })).toThrow(
      new ShapeError("binaryCrossEntropyWithLogits: weight of shape [4, 2, 3] does not broadcast to the input's shape [2, 3]"),
    );
    expect(() => binaryCrossEntropyWithLogits(zeros([2], { dtype: 'int32' }), zeros([2], { dtype: 'int32' }))).toThrow(
      new DTypeError('binaryCrossEntropyWithLogits: expected a floating-point input, got int32'),
    );
  });

  it("BCEWithLogitsLoss holds weight and pos_weight as buffers, under PyTorch's keys", () => {
    const posWeight = tensor([1, 2, 3]);
    const loss = new BCEWithLogitsLoss({ posWeight });
    expect(loss.posWeight).toBe(posWeight);
    expect(loss.pos_weight).toBe(posWeight);
    expect(loss.weight).toBeNull();
    expect(Object.keys(loss.stateDict())).toEqual(['pos_weight']);
    expect(Object.keys(new BCEWithLogitsLoss({ weight: tensor([1, 1, 1]), posWeight }).stateDict())).toEqual(['weight', 'pos_weight']);
    loss.loadStateDict({ pos_weight: tensor([1, 1, 1]) });
    const [input, target] = [randn([2, 3]), rand([2, 3])];
    expect(loss.forward(input, target).item()).toBeCloseTo(binaryCrossEntropyWithLogits(input, target).item(), 6);
    expect(loss.toString()).toBe('BCEWithLogitsLoss()');
  });
});
