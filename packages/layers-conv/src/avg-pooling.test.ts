import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, arange, manualSeed, ones, randn, tensor, zeros } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AvgPool1d, AvgPool2d, AvgPool3d, avgPool1d, avgPool2d, avgPool3d, unfold } from './index.js';

const float64 = { dtype: 'float64' as const, requiresGrad: true };

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

describe('gradcheck (float64)', () => {
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    ['avgPool1d padding, ceil mode', (x) => avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [2, 2, 8]],
    ['avgPool2d without the padding in the divisor', (x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), [1, 2, 5, 6]],
    ['avgPool2d divisor override, asymmetric', (x) => avgPool2d(x, [2, 3], { stride: [1, 2], padding: [1, 0], divisorOverride: 4 }), [2, 1, 4, 5]],
    ['avgPool3d ceil mode, partial windows', (x) => avgPool3d(x, 2, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [1, 1, 3, 4, 3]],
    ['avgPool3d unbatched', (x) => avgPool3d(x, [1, 2, 2]), [2, 2, 4, 4]],
  ];
  for (const [name, run, shape] of cases) {
    it(name, () => {
      manualSeed(5);
      expect(gradcheck(run, [randn(shape, float64)])).toBe(true);
    });
  }

  it('second derivatives (the backward is itself differentiable)', () => {
    manualSeed(6);
    expect(gradgradcheck((x) => avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), [randn([1, 1, 4, 5], float64)])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('divides by the window size, with or without the padding, or by the override', () => {
    const x = tensor([[[1, 2, 3, 4]]]);
    expect(avgPool1d(x, 3, { stride: 2, padding: 1 }).tolist()).toEqual([[[1, 3]]]);
    expect(avgPool1d(x, 3, { stride: 2, padding: 1, countIncludePad: false }).tolist()).toEqual([[[1.5, 3]]]);
    expect(avgPool1d(x, 3, { stride: 2, padding: 1, divisorOverride: 2 }).tolist()).toEqual([[[1.5, 4.5]]]);
    expect(avgPool1d(x, 2, { divisorOverride: -1 }).tolist()).toEqual([[[-3, -7]]]);
  });

  it('counts a ceil-mode window that runs past the padding only up to the padded end', () => {
    // Windows [-1, 1), [1, 3), [3, 5): the last covers input 3 and the right padding 4; nothing beyond.
    const x = tensor([[[2, 4, 6, 8]]]);
    expect(avgPool1d(x, 2, { stride: 2, padding: 1, ceilMode: true }).tolist()).toEqual([[[1, 5, 4]]]);
    expect(avgPool1d(x, 2, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }).tolist()).toEqual([[[2, 5, 8]]]);
    // Size 6, kernel 3, stride 2, no padding: ceil mode adds the window [4, 7), which holds 2 elements and divides by 2.
    const six = tensor([[[1, 2, 3, 4, 9, 7]]], { dtype: 'float64' });
    expect(avgPool1d(six, 3, { stride: 2 }).tolist()).toEqual([[[2, 16 / 3]]]);
    expect(avgPool1d(six, 3, { stride: 2, ceilMode: true }).tolist()).toEqual([[[2, 16 / 3, 8]]]);
  });

  it('truncates int32 averages toward zero, as PyTorch', () => {
    const x = tensor([[[-7, 0, 5, 2, 1]]], { dtype: 'int32' });
    const y = avgPool1d(x, 2, { stride: 2 });
    expect(y.dtype).toBe('int32');
    expect(y.tolist()).toEqual([[[-3, 3]]]);
  });

  it('spreads each gradient over its window with the same divisor', () => {
    const x = ones([1, 1, 4], { dtype: 'float64', requiresGrad: true });
    avgPool1d(x, 3, { stride: 2, padding: 1, countIncludePad: false }).sum().backward();
    expect(x.grad!.tolist()).toEqual([[[0.5, 0.5 + 1 / 3, 1 / 3, 1 / 3]]]);
  });

  it('with divisorOverride 1 sums each window, as unfold does (property, integer inputs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        (kernel, stride, extra, seed) => {
          manualSeed(seed);
          const padding = Math.floor(kernel / 2);
          const x = randn([2, 3, kernel + extra, kernel + extra + 1]).mul(4).round();
          const sums = avgPool2d(x, kernel, { stride, padding, divisorOverride: 1 });
          const blocks = unfold(x, kernel, { stride, padding }).reshape(2, 3, kernel * kernel, -1).sum(2);
          expect(sums.reshape(2, 3, -1).tolist()).toEqual(blocks.tolist());
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('layers', () => {
  it('print as PyTorch: AvgPool1d with 1-tuples, the others as given', () => {
    expect(new AvgPool1d(3).toString()).toBe('AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))');
    expect(new AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false, divisorOverride: 2 }).toString()).toBe(
      'AvgPool2d(kernel_size=3, stride=1, padding=1)',
    );
    expect(new AvgPool3d([1, 2, 3]).toString()).toBe('AvgPool3d(kernel_size=(1, 2, 3), stride=(1, 2, 3), padding=0)');
  });

  it('have no parameters and forward the functional op', () => {
    manualSeed(4);
    const x = randn([2, 3, 7, 7]);
    const layer = new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true });
    expect(layer.parameters()).toEqual([]);
    expect(layer.stateDict()).toEqual({});
    expect(layer.forward(x).tolist()).toEqual(avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }).tolist());
    expect(layer.divisorOverride).toBe(null);
    expect(layer.countIncludePad).toBe(true);
  });

  it('name the class in their errors', () => {
    expectThrow(() => new AvgPool2d(2, { divisorOverride: 0 }), RangeError, 'AvgPool2d: divisorOverride must be a nonzero integer or null, got 0');
    expectThrow(() => new AvgPool1d(2).forward(zeros([4])), ShapeError, 'AvgPool1d: expected a 2-D (unbatched [C, L]) or 3-D (batched [N, C, L]) input, got shape [4]');
  });
});

describe('bad input', () => {
  const x = arange(16).reshape(1, 4, 4).to('float32');

  it('rejects invalid options', () => {
    expectThrow(() => avgPool2d(x, 3, { padding: 2 }), RangeError, 'avgPool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1');
    expectThrow(() => avgPool2d(x, 2, { divisorOverride: 1.5 }), RangeError, 'avgPool2d: divisorOverride must be a nonzero integer or null, got 1.5');
    expectThrow(() => avgPool2d(x, 2, { countIncludePad: 'no' as unknown as boolean }), RangeError, "avgPool2d: countIncludePad must be a boolean, got 'no'");
    expectThrow(() => avgPool3d(zeros([1, 4, 4, 4]), [2, 2]), RangeError, 'avgPool3d: kernelSize must be a positive integer or a tuple of 3 positive integers, got [2, 2]');
    expectThrow(() => avgPool1d(zeros([1, 4]), 2, { stride: 0 }), RangeError, 'avgPool1d: stride must be a positive integer or a tuple of 1 positive integer, got 0');
  });

  it('rejects bad inputs', () => {
    expectThrow(() => avgPool2d(zeros([4, 4], { dtype: 'bool' }), 2), ShapeError, 'avgPool2d: expected a 3-D (unbatched [C, H, W]) or 4-D (batched [N, C, H, W]) input, got shape [4, 4]');
    expectThrow(() => avgPool2d(zeros([1, 4, 4], { dtype: 'bool' }), 2), DTypeError, 'avgPool2d: expected a floating-point or int32 input, got bool');
    expectThrow(() => avgPool3d(zeros([1, 0, 4, 4, 4]), 2), ShapeError, 'avgPool3d: expected an input with non-zero sizes except the batch dimension, got shape [1, 0, 4, 4, 4]');
    expectThrow(() => avgPool2d(x, [5, 1]), ShapeError, 'avgPool2d: the calculated output size [0, 4] is too small for input spatial size [4, 4] (kernelSize [5, 1], stride [5, 1], padding [0, 0], dilation [1, 1])');
  });
});
