import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, randn, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { HuberLoss, L1Loss, MSELoss, SmoothL1Loss, huberLoss, l1Loss, mseLoss, smoothL1Loss } from './index.js';

const REDUCTIONS = ['mean', 'sum', 'none'] as const;

function float64Pair(shape: number[]): [ReturnType<typeof randn>, ReturnType<typeof randn>] {
  return [randn(shape, { dtype: 'float64', requiresGrad: true }), randn(shape, { dtype: 'float64', requiresGrad: true })];
}

describe('regression losses', () => {
  it('compute the values of the formulas (exact small cases)', () => {
    const input = tensor([1, 2, 3]);
    const target = tensor([1, 0, 0]);
    expect(mseLoss(input, target).item()).toBeCloseTo(13 / 3, 6);
    expect(mseLoss(input, target, { reduction: 'sum' }).item()).toBe(13);
    expect(l1Loss(input, target, { reduction: 'sum' }).item()).toBe(5);
    expect(l1Loss(input, target, { reduction: 'none' }).tolist()).toEqual([0, 2, 3]);
    expect(smoothL1Loss(tensor([0.5, 3]), tensor([0, 0]), { reduction: 'none' }).tolist()).toEqual([0.125, 2.5]);
    expect(smoothL1Loss(tensor([0.5, 3]), tensor([0, 0]), { reduction: 'none', beta: 0 }).tolist()).toEqual([0.5, 3]);
    expect(huberLoss(tensor([0.5, 3]), tensor([0, 0]), { delta: 2, reduction: 'none' }).tolist()).toEqual([0.125, 4]);
    // Huber = beta · smooth L1 when delta = beta.
    expect(huberLoss(tensor([0.5, 3]), tensor([0, 0]), { delta: 2, reduction: 'sum' }).item()).toBe(
      2 * smoothL1Loss(tensor([0.5, 3]), tensor([0, 0]), { beta: 2, reduction: 'sum' }).item(),
    );
  });

  it('keep the input shape with reduction none, 0-d otherwise', () => {
    const [input, target] = [randn([2, 3, 4]), randn([2, 3, 4])];
    for (const fn of [mseLoss, l1Loss, smoothL1Loss, huberLoss]) {
      expect(fn(input, target, { reduction: 'none' }).shape).toEqual([2, 3, 4]);
      expect(fn(input, target).shape).toEqual([]);
      expect(fn(input, target).dtype).toBe('float32');
    }
  });

  it('pass gradcheck for input and target, every reduction and option', () => {
    for (const reduction of REDUCTIONS) {
      const [input, target] = float64Pair([3, 4]);
      expect(gradcheck((x, t) => mseLoss(x, t, { reduction }), [input, target])).toBe(true);
      expect(gradcheck((x, t) => l1Loss(x, t, { reduction }), [input, target])).toBe(true);
      for (const beta of [0, 0.5, 1, 3]) {
        expect(gradcheck((x, t) => smoothL1Loss(x, t, { reduction, beta }), [input, target])).toBe(true);
      }
      for (const delta of [0.5, 1, 3]) {
        expect(gradcheck((x, t) => huberLoss(x, t, { reduction, delta }), [input, target])).toBe(true);
      }
    }
  });

  it('have second derivatives (the smooth L1 op included)', () => {
    const [input, target] = float64Pair([5]);
    expect(gradgradcheck((x, t) => smoothL1Loss(x, t, { beta: 2 }), [input, target])).toBe(true);
    expect(gradgradcheck((x, t) => huberLoss(x, t, { delta: 2, reduction: 'sum' }), [input, target])).toBe(true);
    expect(gradgradcheck((x, t) => mseLoss(x, t, { reduction: 'none' }), [input, target])).toBe(true);
  });

  it("give PyTorch's slopes at the kinks", () => {
    const input = tensor([1, 1, 3, -1], { requiresGrad: true });
    const target = tensor([1, 0, 2, 0], { requiresGrad: true });
    l1Loss(input, target, { reduction: 'sum' }).backward();
    expect(input.grad!.tolist()).toEqual([0, 1, 1, -1]);
    input.grad = null;
    target.grad = null;
    // smooth L1 with beta 0 at a zero difference: −1 for both (PyTorch 1.13 tests z <= −beta first).
    smoothL1Loss(input, target, { reduction: 'sum', beta: 0 }).backward();
    expect(input.grad!.tolist()).toEqual([-1, 1, 1, -1]);
    expect(target.grad!.tolist()).toEqual([-1, -1, -1, 1]);
  });

  it('reject different shapes instead of broadcasting, naming the loss and both shapes', () => {
    expect(() => mseLoss(randn([2, 3]), randn([3]))).toThrow(
      new ShapeError('mseLoss: expected input and target of the same shape, got input [2, 3] and target [3]'),
    );
    expect(() => new MSELoss().forward(randn([4, 1]), randn([4]))).toThrow(
      new ShapeError('MSELoss: expected input and target of the same shape, got input [4, 1] and target [4]'),
    );
    expect(() => new SmoothL1Loss().forward(randn([4]), randn([1]))).toThrow(
      new ShapeError('SmoothL1Loss: expected input and target of the same shape, got input [4] and target [1]'),
    );
    expect(() => huberLoss(randn([]), randn([1]))).toThrow(
      new ShapeError('huberLoss: expected input and target of the same shape, got input [] and target [1]'),
    );
  });

  it('reject integer inputs, targets of another dtype and non-tensors', () => {
    expect(() => l1Loss(tensor([1, 2], { dtype: 'int32' }), tensor([1, 2], { dtype: 'int32' }))).toThrow(
      new DTypeError('l1Loss: expected a floating-point input, got int32'),
    );
    expect(() => new L1Loss().forward(randn([2]), randn([2], { dtype: 'float64' }))).toThrow(
      new DTypeError("L1Loss: expected target of dtype float32 (the input's), got float64"),
    );
    expect(() => new HuberLoss().forward(randn([2]), [1, 2] as never)).toThrow(
      new TypeError('HuberLoss: expected target to be a Tensor, got an array'),
    );
    expect(() => mseLoss(3 as never, randn([2]))).toThrow(new TypeError('mseLoss: expected input to be a Tensor, got number'));
  });

  it('modules keep their options, print as PyTorch and match the functional forms', () => {
    const loss = new SmoothL1Loss({ beta: 0.5, reduction: 'sum' });
    expect(loss.beta).toBe(0.5);
    expect(loss.reduction).toBe('sum');
    expect(loss.toString()).toBe('SmoothL1Loss()');
    expect(new HuberLoss({ delta: 3 }).delta).toBe(3);
    expect(loss.parameters()).toEqual([]);
    expect(loss.stateDict()).toEqual({});
    const [input, target] = [randn([3, 2]), randn([3, 2])];
    expect(loss.forward(input, target).item()).toBe(smoothL1Loss(input, target, { beta: 0.5, reduction: 'sum' }).item());
    expect(new MSELoss({ reduction: 'none' }).forward(input, target).tolist()).toEqual(mseLoss(input, target, { reduction: 'none' }).tolist());
    expect(() => new HuberLoss({ delta: -1 })).toThrow(new RangeError('HuberLoss: delta must be a positive finite number, got -1'));
  });

  it('leave the inputs unchanged', () => {
    const [input, target] = [randn([3]), randn([3])];
    const before = [input.tolist(), target.tolist()];
    for (const fn of [mseLoss, l1Loss, smoothL1Loss, huberLoss]) fn(input, target);
    expect([input.tolist(), target.tolist()]).toEqual(before);
  });
});
