import { gradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, manualSeed, rand, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { LPPool1d, LPPool2d, lpPool1d, lpPool2d, maxPool2d } from './index.js';

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function expectThrow(run: () => unknown, type: new (message: string) => Error, message: string): void {
  const error = thrown(run);
  expect(error).toBeInstanceOf(type);
  expect(error.message).toBe(message);
}

/** Positive float64 inputs in [0.5, 1.5) that require grad (no zero sums, no NaN from odd powers). */
function positive(shape: number[]): Tensor {
  return rand(shape, { dtype: 'float64' }).add(0.5).requiresGrad_();
}

describe('gradcheck (float64)', () => {
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    ['lpPool1d p = 2', (x) => lpPool1d(x, 2, 3, { stride: 2 }), [2, 2, 7]],
    ['lpPool1d p = 1.5, ceil mode', (x) => lpPool1d(x, 1.5, 2, { ceilMode: true }), [2, 5]],
    ['lpPool2d p = 3, asymmetric', (x) => lpPool2d(x, 3, [2, 3], { stride: [1, 2] }), [1, 2, 4, 5]],
  ];
  for (const [name, run, shape] of cases) {
    it(name, () => {
      manualSeed(14);
      expect(gradcheck(run, [positive(shape)])).toBe(true);
    });
  }

  it('p = 1 with signed inputs (a window sum)', () => {
    manualSeed(15);
    expect(gradcheck((x) => lpPool2d(x, 1, 2), [randn([1, 1, 4, 4], { dtype: 'float64', requiresGrad: true })])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('takes (Σ x^p)^(1/p) over each window', () => {
    expect(lpPool1d(tensor([[[3, 4, 6, 8]]]), 2, 2).tolist()).toEqual([[[5, 10]]]);
    expect(lpPool1d(tensor([[[1, -2, 4, 5]]]), 1, 2).tolist()).toEqual([[[-1, 9]]]);
    expect(lpPool2d(tensor([[[2, 2], [2, 2]]], { dtype: 'float64' }), 3, 2).item()).toBeCloseTo(32 ** (1 / 3), 12);
  });

  it('scales a ceil-mode partial window by the whole kernel, as PyTorch', () => {
    // Windows [0, 2) and [2, 4) of a size-3 input: the last holds only 4, averaged over 1 element, times 2.
    expect(lpPool1d(tensor([[[3, 4, 4]]], { dtype: 'float64' }), 1, 2, { ceilMode: true }).tolist()).toEqual([[[7, 8]]]);
  });

  it('tends to max pooling as p grows', () => {
    manualSeed(16);
    const x = rand([1, 2, 6, 6]).add(0.5);
    const difference = lpPool2d(x, 60, 2).sub(maxPool2d(x, 2)).abs().amax().item();
    expect(difference).toBeLessThan(0.05);
  });
});

describe('layers', () => {
  it('print as PyTorch and forward the functional op', () => {
    expect(new LPPool1d(2, 3).toString()).toBe('LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)');
    expect(new LPPool2d(2.5, [2, 3], { stride: 1, ceilMode: true }).toString()).toBe(
      'LPPool2d(norm_type=2.5, kernel_size=(2, 3), stride=1, ceil_mode=True)',
    );
    expect(new LPPool2d(Number.POSITIVE_INFINITY, 2).toString()).toBe('LPPool2d(norm_type=inf, kernel_size=2, stride=None, ceil_mode=False)');
    manualSeed(17);
    const x = randn([2, 3, 6, 6]);
    const layer = new LPPool2d(2, 3, { stride: 2 });
    expect(layer.parameters()).toEqual([]);
    expect(layer.forward(x).tolist()).toEqual(lpPool2d(x, 2, 3, { stride: 2 }).tolist());
  });

  it('name the class in their errors', () => {
    expectThrow(() => new LPPool1d(0, 2), RangeError, 'LPPool1d: normType must be a nonzero number, got 0');
    expectThrow(() => new LPPool2d(2, 2).forward(zeros([1, 1, 1, 4])), ShapeError, 'LPPool2d: the calculated output size [0, 2] is too small for input spatial size [1, 4] (kernelSize [2, 2], stride [2, 2], padding [0, 0], dilation [1, 1])');
  });
});

describe('bad input', () => {
  it('rejects invalid options and inputs', () => {
    expectThrow(() => lpPool2d(zeros([1, 4, 4]), Number.NaN, 2), RangeError, 'lpPool2d: normType must be a nonzero number, got NaN');
    expectThrow(() => lpPool1d(zeros([1, 4]), 2, 2, { stride: -1 }), RangeError, 'lpPool1d: stride must be a positive integer or a tuple of 1 positive integer, got -1');
    expectThrow(() => lpPool1d(zeros([4]), 2, 2), ShapeError, 'lpPool1d: expected a 2-D (unbatched [C, L]) or 3-D (batched [N, C, L]) input, got shape [4]');
    expectThrow(() => lpPool2d(zeros([1, 4, 4], { dtype: 'int32' }), 2, 2), DTypeError, 'lpPool2d: expected a floating-point input, got int32');
  });
});
