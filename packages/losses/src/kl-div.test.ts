import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, logSoftmax, randn, softmax, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { KLDivLoss, klDiv } from './index.js';

const float64 = { dtype: 'float64' } as const;

describe('klDiv', () => {
  it('is Σ t (log t − input), 0 where t = 0; batchmean divides by the batch size', () => {
    const input = tensor([[Math.log(0.5), Math.log(0.5)], [Math.log(0.25), Math.log(0.75)]], float64);
    const target = tensor([[1, 0], [0.5, 0.5]], float64);
    const none = klDiv(input, target, { reduction: 'none' }).tolist() as number[][];
    expect(none[0]![1]).toBe(0);
    const expected = Math.log(2) + 0.5 * Math.log(0.5 / 0.25) + 0.5 * Math.log(0.5 / 0.75);
    expect(klDiv(input, target, { reduction: 'sum' }).item()).toBeCloseTo(expected, 12);
    expect(klDiv(input, target, { reduction: 'batchmean' }).item()).toBeCloseTo(expected / 2, 12);
    expect(klDiv(input, target).item()).toBeCloseTo(expected / 4, 12);
    const positive = tensor([[0.2, 0.8], [0.5, 0.5]], float64);
    expect(klDiv(input, positive.log(), { reduction: 'sum', logTarget: true }).item()).toBeCloseTo(klDiv(input, positive, { reduction: 'sum' }).item(), 12);
    // A log-target of −∞ is a probability of 0: e^−∞ · (−∞ − x) is NaN, as in PyTorch.
    expect(klDiv(input, target.log(), { reduction: 'sum', logTarget: true }).item()).toBeNaN();
    expect(klDiv(tensor(0.3), tensor(0.5), { reduction: 'batchmean' }).item()).toBeCloseTo(0.5 * (Math.log(0.5) - 0.3), 6);
  });

  it('passes gradcheck for input and target, every reduction, with and without logTarget', () => {
    for (const reduction of ['mean', 'sum', 'none', 'batchmean'] as const) {
      const input = logSoftmax(randn([3, 4], float64), 1).detach().requiresGrad_();
      const target = softmax(randn([3, 4], float64), 1).detach().requiresGrad_();
      expect(gradcheck((x, t) => klDiv(x, t, { reduction }), [input, target])).toBe(true);
      const logTarget = logSoftmax(randn([3, 4], float64), 1).detach().requiresGrad_();
      expect(gradcheck((x, t) => klDiv(x, t, { reduction, logTarget: true }), [input, logTarget])).toBe(true);
    }
    const input = randn([5], { ...float64, requiresGrad: true });
    const target = softmax(randn([5], float64), 0).detach().requiresGrad_();
    expect(gradgradcheck((x, t) => klDiv(x, t, { reduction: 'sum' }), [input, target])).toBe(true);
  });

  it('gives finite gradients where the target is 0 (−input for the target; PyTorch 1.13 gives NaN), NaN for negative targets', () => {
    const input = tensor([-1, -2], { requiresGrad: true });
    const target = tensor([0, 0.5], { requiresGrad: true });
    klDiv(input, target, { reduction: 'sum' }).backward();
    expect(input.grad!.tolist()).toEqual([-0, -0.5]);
    expect(target.grad!.toTypedArray()[0]).toBe(1);
    expect(Number.isNaN(klDiv(tensor([-1]), tensor([-0.1]), { reduction: 'sum' }).item())).toBe(true);
  });

  it('rejects other shapes and dtypes', () => {
    expect(() => klDiv(randn([2, 3]), randn([3]))).toThrow(
      new ShapeError('klDiv: expected input and target of the same shape, got input [2, 3] and target [3]'),
    );
    expect(() => new KLDivLoss().forward(randn([2]), randn([2], float64))).toThrow(
      new DTypeError("KLDivLoss: expected target of dtype float32 (the input's), got float64"),
    );
  });

  it('KLDivLoss keeps its options', () => {
    const loss = new KLDivLoss({ reduction: 'batchmean', logTarget: true });
    expect([loss.reduction, loss.logTarget]).toEqual(['batchmean', true]);
    expect(loss.toString()).toBe('KLDivLoss()');
    const [input, target] = [randn([2, 3]), randn([2, 3])];
    expect(loss.forward(input, target).item()).toBe(klDiv(input, target, { reduction: 'batchmean', logTarget: true }).item());
  });
});
