import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, rand, randint, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { NLLLoss, nllLoss } from './index.js';

const REDUCTIONS = ['mean', 'sum', 'none'] as const;
const int32 = { dtype: 'int32' } as const;
const float64 = { dtype: 'float64' } as const;

describe('nllLoss', () => {
  it('picks −weight[t] · input[n, t] and divides the mean by the weights of the targets', () => {
    const input = tensor([[-1, -2, -3], [-4, -5, -6]], { requiresGrad: true });
    const target = tensor([2, 0], int32);
    expect(nllLoss(input, target, { reduction: 'none' }).tolist()).toEqual([3, 4]);
    expect(nllLoss(input, target).item()).toBe(3.5);
    const weight = tensor([1, 1, 3]);
    // (3·3 + 1·4) / (3 + 1)
    expect(nllLoss(input, target, { weight }).item()).toBe(13 / 4);
    expect(nllLoss(input, tensor([2, -100], int32), { weight, reduction: 'sum' }).item()).toBe(9);
    nllLoss(input, target, { weight }).backward();
    expect(input.grad!.tolist()).toEqual([[0, 0, -0.75], [-0.25, 0, 0]]);
  });

  it('takes K-d inputs [N, C, d1, d2] and unbatched [C]', () => {
    const input = randn([2, 3, 4, 5]);
    const target = randint(0, 3, [2, 4, 5], int32);
    expect(nllLoss(input, target, { reduction: 'none' }).shape).toEqual([2, 4, 5]);
    const value = input.toTypedArray()[(1 * 3 + target.toTypedArray()[1 * 20 + 2 * 5 + 3]!) * 20 + 2 * 5 + 3]!;
    expect(nllLoss(input, target, { reduction: 'none' }).toTypedArray()[1 * 20 + 2 * 5 + 3]).toBe(-value);
    expect(nllLoss(tensor([-1, -2, -3]), tensor(1, int32)).item()).toBe(2);
    expect(nllLoss(tensor([-1, -2, -3]), tensor(1, int32), { reduction: 'none' }).shape).toEqual([]);
  });

  it('passes gradcheck and gradgradcheck for every reduction and option', () => {
    const weight = rand([4], float64).add(0.5);
    const target = tensor([[0, -100], [3, 2], [1, 1]], int32);
    for (const reduction of REDUCTIONS) {
      for (const options of [{}, { weight }, { weight, ignoreIndex: 1 }]) {
        const input = randn([3, 4, 2], { ...float64, requiresGrad: true });
        const safeTarget = 'ignoreIndex' in options ? target.clamp({ min: 0 }) : target;
        expect(gradcheck((x) => nllLoss(x, safeTarget, { ...options, reduction }), [input])).toBe(true);
        expect(gradgradcheck((x) => nllLoss(x, safeTarget, { ...options, reduction }), [input])).toBe(true);
      }
    }
  });

  it('rejects bad targets, inputs and weights, naming the loss', () => {
    const input = randn([3, 10]);
    expect(() => new NLLLoss().forward(input, tensor([0, 12, 1], int32))).toThrow(new RangeError('NLLLoss: target 12 is out of bounds for 10 classes'));
    expect(() => nllLoss(input, tensor([0, 1, 2]))).toThrow(new DTypeError('nllLoss: expected target of dtype int32 (class indices), got float32'));
    expect(() => nllLoss(randn([2, 3, 5]), zeros([2, 4], int32))).toThrow(
      new ShapeError('nllLoss: expected target of shape [2, 5] for input of shape [2, 3, 5], got [2, 4]'),
    );
    expect(() => nllLoss(randn([3, 5]), tensor(1, int32))).toThrow(
      new ShapeError('nllLoss: expected target of shape [3] for input of shape [3, 5], got []'),
    );
    expect(() => new NLLLoss({ weight: zeros([4]) }).forward(input, zeros([3], int32))).toThrow(
      new ShapeError('NLLLoss: expected a weight with one element per class (10), got shape [4]'),
    );
    expect(() => nllLoss(randn([]), zeros([], int32))).toThrow(
      new ShapeError('nllLoss: expected input of shape [C], [N, C] or [N, C, d1, ..., dk], got []'),
    );
    expect(() => nllLoss(input, 'labels' as never)).toThrow(new TypeError("nllLoss: expected target to be a Tensor, got string"));
  });

  it('NLLLoss keeps its options and its weight buffer', () => {
    const weight = tensor([1, 2]);
    const loss = new NLLLoss({ weight, ignoreIndex: 1, reduction: 'none' });
    expect([loss.ignoreIndex, loss.reduction, loss.weight]).toEqual([1, 'none', weight]);
    expect(Object.keys(loss.stateDict())).toEqual(['weight']);
    expect(loss.toString()).toBe('NLLLoss()');
    expect(loss.forward(tensor([[-1, -2], [-3, -4]]), tensor([0, 1], int32)).tolist()).toEqual([1, 0]);
    expect(() => new NLLLoss({ ignoreIndex: 0.5 })).toThrow(new RangeError('NLLLoss: ignoreIndex must be an integer, got 0.5'));
  });
});
