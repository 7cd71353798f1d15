import { enableGrad, grad, gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, getKernel, logSoftmax, rand, randint, randn, softmax, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, type CrossEntropyLossOptions, crossEntropy, nllLoss } from './index.js';

const REDUCTIONS = ['mean', 'sum', 'none'] as const;
const int32 = { dtype: 'int32' } as const;
const float64 = { dtype: 'float64' } as const;

describe('crossEntropy with class indices', () => {
  it('is log C for uniform logits, smoothed or not, and its gradient is (1/C − onehot) / N', () => {
    const logits = zeros([2, 4], { requiresGrad: true });
    const target = tensor([1, 3], int32);
    expect(crossEntropy(logits, target).item()).toBeCloseTo(Math.log(4), 6);
    expect(crossEntropy(logits, target, { labelSmoothing: 0.3 }).item()).toBeCloseTo(Math.log(4), 6);
    crossEntropy(logits, target).backward();
    expect(logits.grad!.tolist()).toEqual([
      [0.125, -0.375, 0.125, 0.125],
      [0.125, 0.125, 0.125, -0.375],
    ]);
  });

  it('stays finite for logits of ±1e4 (max-shifted log-sum-exp)', () => {
    const logits = tensor([[1e4, -1e4], [-1e4, 1e4]], { requiresGrad: true });
    const loss = crossEntropy(logits, tensor([1, 1], int32), { reduction: 'none' });
    expect(loss.tolist()).toEqual([2e4, 0]);
    crossEntropy(logits, tensor([1, 1], int32), { labelSmoothing: 0.2 }).backward();
    expect(logits.grad!.toTypedArray().every(Number.isFinite)).toBe(true);
  });

  it("divides 'mean' by the weights of the targets not ignored; all ignored is NaN, as PyTorch", () => {
    const logits = zeros([3, 2]);
    const weight = tensor([1, 3]);
    // Each loss is log 2 · w[t]: (1 + 3) · log 2 / (1 + 3) when the third target is ignored.
    expect(crossEntropy(logits, tensor([0, 1, -100], int32), { weight }).item()).toBeCloseTo(Math.log(2), 6);
    expect(crossEntropy(logits, tensor([0, 1, 1], int32), { weight, reduction: 'sum' }).item()).toBeCloseTo(7 * Math.log(2), 5);
    expect(crossEntropy(logits, tensor([-100, -100, -100], int32)).item()).toBeNaN();
    expect(crossEntropy(logits, tensor([-100, -100, -100], int32), { reduction: 'sum' }).item()).toBe(0);
    expect(crossEntropy(logits, tensor([5, 1, 5], int32), { ignoreIndex: 5, reduction: 'none', labelSmoothing: 0.5 }).tolist()).toEqual([
      0, Math.fround(Math.log(2)), 0,
    ]);
  });

  it('passes gradcheck for every reduction and option, K-d and unbatched inputs', () => {
    const weight = rand([4], float64).add(0.5);
    const cases: [number[], number[], CrossEntropyLossOptions][] = [
      [[3, 4], [3], {}],
      [[3, 4], [3], { weight }],
      [[3, 4, 2], [3, 2], { weight, labelSmoothing: 0.3 }],
      [[2, 4, 2, 2], [2, 2, 2], { labelSmoothing: 0.1 }],
      [[4], [], { weight, labelSmoothing: 0.2 }],
    ];
    for (const [inputShape, targetShape, options] of cases) {
      const target = randint(0, 4, targetShape, int32);
      for (const reduction of REDUCTIONS) {
        const logits = randn(inputShape, { ...float64, requiresGrad: true });
        expect(gradcheck((x) => crossEntropy(x, target, { ...options, reduction }), [logits])).toBe(true);
      }
    }
    const ignoredTarget = tensor([[0, -1], [3, 2], [-1, 1]], int32);
    const logits = randn([3, 4, 2], { ...float64, requiresGrad: true });
    for (const reduction of REDUCTIONS) {
      expect(gradcheck((x) => crossEntropy(x, ignoredTarget, { weight, ignoreIndex: -1, labelSmoothing: 0.4, reduction }), [logits])).toBe(true);
    }
  });

  it('has second derivatives (the recorded backward)', () => {
    const target = tensor([[1, 0], [3, -100], [2, 2]], int32);
    const weight = tensor([1, 2, 0.5, 1.5], float64);
    for (const reduction of REDUCTIONS) {
      const logits = randn([3, 4, 2], { ...float64, requiresGrad: true });
      expect(gradgradcheck((x) => crossEntropy(x, target, { weight, labelSmoothing: 0.2, reduction }), [logits])).toBe(true);
    }
  });

  it('gives the same gradient through the kernel and through the recorded backward', () => {
    const logits = randn([5, 6, 3], { ...float64, requiresGrad: true });
    const target = randint(0, 6, [5, 3], int32);
    const options = { weight: rand([6], float64), labelSmoothing: 0.15 };
    const [plain] = grad(crossEntropy(logits, target, options), logits);
    const [recorded] = enableGrad(() => grad(crossEntropy(logits, target, options), logits, null, { createGraph: true }));
    const difference = plain!.sub(recorded!).abs().max().item();
    expect(difference).toBeLessThan(1e-12);
    expect(recorded!.requiresGrad).toBe(true);
  });

  it('agrees with nllLoss of logSoftmax, and reads non-contiguous logits', () => {
    const logits = randn([10, 64]).t();
    const target = randint(0, 10, [64], int32);
    const fused = crossEntropy(logits, target, { reduction: 'none' }).toTypedArray();
    const composed = nllLoss(logSoftmax(logits, 1), target, { reduction: 'none' }).toTypedArray();
    fused.forEach((value, i) => expect(value).toBeCloseTo(composed[i]!, 5));
    expect(crossEntropy(logits, target).gradFn).toBeNull();
  });

  it("records one 'crossEntropy' node, gives a weight that requires grad no gradient and leaves the inputs unchanged", () => {
    const logits = randn([3, 4], { requiresGrad: true });
    const weight = rand([4], { requiresGrad: true });
    const target = tensor([0, 3, 1], int32);
    const before = [logits.tolist(), weight.tolist(), target.tolist()];
    const loss = crossEntropy(logits, target, { weight });
    expect(loss.gradFn?.name).toBe('crossEntropy');
    loss.backward();
    expect(weight.grad).toBeNull();
    expect(logits.grad?.shape).toEqual([3, 4]);
    expect([logits.tolist(), weight.tolist(), target.tolist()]).toEqual(before);
  });

  it('runs through the registered kernels', () => {
    expect(typeof getKernel('crossEntropy')).toBe('function');
    expect(typeof getKernel('crossEntropyBackward')).toBe('function');
  });
});

describe('crossEntropy with class probabilities', () => {
  it('is −Σ q log p, with the target and the weight differentiated', () => {
    const logits = tensor([[0, 0]]);
    expect(crossEntropy(logits, tensor([[0.25, 0.75]])).item()).toBeCloseTo(Math.log(2), 6);
    for (const reduction of REDUCTIONS) {
      const x = randn([3, 4, 2], { ...float64, requiresGrad: true });
      const q = softmax(randn([3, 4, 2], float64), 1).detach().requiresGrad_();
      const weight = rand([4], { ...float64, requiresGrad: true });
      expect(gradcheck((a, b, w) => crossEntropy(a, b, { weight: w, labelSmoothing: 0.3, reduction }), [x, q, weight])).toBe(true);
    }
    const unbatched = randn([5], { ...float64, requiresGrad: true });
    const distribution = softmax(randn([5], float64), 0);
    expect(gradcheck((a) => crossEntropy(a, distribution), [unbatched])).toBe(true);
  });
});

describe('crossEntropy bad inputs', () => {
  const logits = randn([3, 10]);

  it('rejects out-of-range class indices', () => {
    expect(() => new CrossEntropyLoss().forward(logits, tensor([0, 12, 1], int32))).toThrow(
      new RangeError('CrossEntropyLoss: target 12 is out of bounds for 10 classes'),
    );
    expect(() => crossEntropy(logits, tensor([0, -1, 1], int32))).toThrow(new RangeError('crossEntropy: target -1 is out of bounds for 10 classes'));
    expect(() => crossEntropy(logits, tensor([0, -100, 1], int32), { ignoreIndex: 3 })).toThrow(
      new RangeError('crossEntropy: target -100 is out of bounds for 10 classes'),
    );
  });

  it('rejects targets of the wrong dtype or shape, naming both shapes', () => {
    expect(() => crossEntropy(logits, tensor([0, 1, 2]))).toThrow(new DTypeError('crossEntropy: expected target of dtype int32 (class indices), got float32'));
    expect(() => new CrossEntropyLoss().forward(logits, tensor([true, false, true]))).toThrow(
      new DTypeError('CrossEntropyLoss: expected target of dtype int32 (class indices) or float32 (class probabilities, the input\'s dtype), got bool'),
    );
    expect(() => crossEntropy(logits, tensor([0, 1], int32))).toThrow(
      new ShapeError('crossEntropy: expected target of shape [3] for input of shape [3, 10], got [2]'),
    );
    expect(() => crossEntropy(logits, rand([3, 9]))).toThrow(
      new ShapeError('crossEntropy: expected target of shape [3] (class indices) or [3, 10] (class probabilities) for input of shape [3, 10], got [3, 9]'),
    );
    expect(() => crossEntropy(logits, rand([3, 10], float64))).toThrow(
      new DTypeError("crossEntropy: expected target of dtype float32 (class probabilities, the input's dtype), got float64"),
    );
    expect(() => crossEntropy(randn([2, 3, 4]), zeros([2, 3], int32))).toThrow(
      new ShapeError('crossEntropy: expected target of shape [2, 4] for input of shape [2, 3, 4], got [2, 3]'),
    );
  });

  it('rejects bad inputs and weights', () => {
    expect(() => crossEntropy(randn([]), tensor(0, int32))).toThrow(
      new ShapeError('crossEntropy: expected input of shape [C], [N, C] or [N, C, d1, ..., dk], got []'),
    );
    expect(() => crossEntropy(zeros([2, 3], int32), zeros([2], int32))).toThrow(new DTypeError('crossEntropy: expected a floating-point input, got int32'));
    expect(() => crossEntropy(logits, zeros([3], int32), { weight: zeros([9]) })).toThrow(
      new ShapeError('crossEntropy: expected a weight with one element per class (10), got shape [9]'),
    );
    expect(() => crossEntropy(logits, zeros([3], int32), { weight: zeros([10], float64) })).toThrow(
      new DTypeError("crossEntropy: expected weight of dtype float32 (the input's), got float64"),
    );
    expect(() => crossEntropy(logits, rand([3, 10]), { weight: zeros([4]) })).toThrow(
      new ShapeError('crossEntropy: expected a weight with one element per class (10), got shape [4]'),
    );
  });
});

describe('CrossEntropyLoss', () => {
  it('keeps its options, holds weight as a buffer and prints as PyTorch', () => {
    const weight = tensor([1, 2, 3]);
    const loss = new CrossEntropyLoss({ weight, ignoreIndex: 0, labelSmoothing: 0.1, reduction: 'sum' });
    expect([loss.ignoreIndex, loss.labelSmoothing, loss.reduction]).toEqual([0, 0.1, 'sum']);
    expect(loss.weight).toBe(weight);
    expect(loss.buffers()).toEqual([weight]);
    expect(Object.keys(loss.stateDict())).toEqual(['weight']);
    expect(loss.toString()).toBe('CrossEntropyLoss()');
    expect(new CrossEntropyLoss().stateDict()).toEqual({});
  });

  it('reads the weight buffer at every forward, so a loaded state dict takes effect', () => {
    const loss = new CrossEntropyLoss({ weight: tensor([1, 1]), reduction: 'sum' });
    const logits = zeros([2, 2]);
    const target = tensor([0, 1], int32);
    expect(loss.forward(logits, target).item()).toBeCloseTo(2 * Math.log(2), 6);
    loss.loadStateDict({ weight: tensor([2, 3]) });
    expect(loss.forward(logits, target).item()).toBeCloseTo(5 * Math.log(2), 5);
  });

  it('leaves its weight unchanged when forward throws', () => {
    const loss = new CrossEntropyLoss({ weight: tensor([1, 2]) });
    expect(() => loss.forward(zeros([2, 2]), tensor([0, 2], int32))).toThrow(RangeError);
    expect(loss.weight!.tolist()).toEqual([1, 2]);
  });
});
