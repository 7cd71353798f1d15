import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, arange, manualSeed, ones, randn, zeros } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fold, Unfold, fold, unfold } from './index.js';

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
  it('unfold and fold, with dilation, padding and stride', () => {
    manualSeed(18);
    const options = { dilation: [1, 2], padding: [1, 0], stride: [2, 1] };
    expect(gradcheck((x) => unfold(x, [2, 2], options), [randn([1, 2, 4, 5], float64)])).toBe(true);
    expect(gradcheck((x) => fold(x, [4, 5], [2, 2], options), [randn([1, 8, 9], float64)])).toBe(true);
    expect(gradcheck((x) => fold(x, 3, 2), [randn([4, 4], float64)])).toBe(true);
  });

  it('second derivatives', () => {
    manualSeed(19);
    expect(gradgradcheck((x) => unfold(x, 2, { padding: 1 }), [randn([1, 1, 3, 3], float64)])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('lays the blocks out channel-major, one column per block position', () => {
    const x = arange(2 * 3 * 3).reshape(1, 2, 3, 3).to('float32');
    const blocks = unfold(x, 2);
    expect(blocks.shape).toEqual([1, 8, 4]);
    // Column 0 is the top-left block of channel 0 (0, 1, 3, 4) then of channel 1 (9, 10, 12, 13).
    expect(blocks.index([0, null, 0]).tolist()).toEqual([0, 1, 3, 4, 9, 10, 12, 13]);
    expect(blocks.index([0, 3, null]).tolist()).toEqual([4, 5, 7, 8]);
    expect(unfold(x, 2, { padding: 1, stride: 3 }).index([0, null, 0]).tolist()).toEqual([0, 0, 0, 0, 0, 0, 0, 9]);
  });

  it('fold(unfold(x)) is x times how many blocks cover each element (property, integer inputs)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 1000 }),
        (kernel, stride, dilation, padding, seed) => {
          manualSeed(seed);
          const size = dilation * (kernel - 1) + 2;
          const x = randn([2, 2, size, size + 1]).mul(4).round().add(0); // + 0 turns -0 into 0
          const options = { stride, dilation, padding };
          const spatial = [size, size + 1];
          const covered = fold(unfold(ones(x.shape), kernel, options), spatial, kernel, options);
          expect(fold(unfold(x, kernel, options), spatial, kernel, options).tolist()).toEqual(x.mul(covered).add(0).tolist());
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fold inverts unfold for non-overlapping blocks', () => {
    manualSeed(20);
    const x = randn([2, 3, 6, 4]);
    expect(fold(unfold(x, 2, { stride: 2 }), [6, 4], 2, { stride: 2 }).tolist()).toEqual(x.tolist());
    const unbatched = randn([3, 4, 6]);
    expect(fold(unfold(unbatched, [2, 3], { stride: [2, 3] }), [4, 6], [2, 3], { stride: [2, 3] }).tolist()).toEqual(unbatched.tolist());
  });
});

describe('layers', () => {
  it('print as PyTorch and forward the functional op', () => {
    expect(new Fold([4, 5], 2).toString()).toBe('Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1)');
    expect(new Fold(4, [2, 3], { dilation: 2, padding: [1, 0], stride: [1, 2] }).toString()).toBe(
      'Fold(output_size=4, kernel_size=(2, 3), dilation=2, padding=(1, 0), stride=(1, 2))',
    );
    expect(new Unfold(2, { padding: 1 }).toString()).toBe('Unfold(kernel_size=2, dilation=1, padding=1, stride=1)');
    manualSeed(21);
    const x = randn([2, 3, 4, 5]);
    const layer = new Unfold([2, 3], { padding: 1 });
    expect(layer.parameters()).toEqual([]);
    expect(layer.forward(x).tolist()).toEqual(unfold(x, [2, 3], { padding: 1 }).tolist());
    const columns = randn([2, 12, 12]);
    expect(new Fold([4, 5], 2).forward(columns).tolist()).toEqual(fold(columns, [4, 5], 2).tolist());
  });

  it('name the class in their errors', () => {
    expectThrow(() => new Fold([4, 0], 2), RangeError, 'Fold: outputSize must be a positive integer or a tuple of 2 positive integers, got [4, 0]');
    expectThrow(() => new Unfold(2).forward(zeros([4, 4])), ShapeError, 'Unfold: expected a 3-D (unbatched) or 4-D (batched [N, C, H, W]) input, got shape [4, 4]');
  });
});

describe('bad input', () => {
  it('rejects invalid options', () => {
    expectThrow(() => unfold(zeros([1, 1, 4, 4]), 0), RangeError, 'unfold: kernelSize must be a positive integer or a tuple of 2 positive integers, got 0');
    expectThrow(() => unfold(zeros([1, 1, 4, 4]), 2, { padding: -1 }), RangeError, 'unfold: padding must be a non-negative integer or a tuple of 2 non-negative integers, got -1');
    expectThrow(() => fold(zeros([1, 4, 9]), [4, 4], 2, { dilation: [1, 0] }), RangeError, 'fold: dilation must be a positive integer or a tuple of 2 positive integers, got [1, 0]');
    expectThrow(() => fold(zeros([1, 4, 9]), [4, 4, 4], 2), RangeError, 'fold: outputSize must be a positive integer or a tuple of 2 positive integers, got [4, 4, 4]');
  });

  it('rejects an unfold with no block', () => {
    expectThrow(() => unfold(zeros([1, 1, 4, 4]), [5, 2]), ShapeError, 'unfold: given input spatial size [4, 4], kernelSize [5, 2], dilation [1, 1] and padding [0, 0], the calculated number of sliding blocks [0, 3] must be at least 1 in each dimension');
  });

  it('rejects fold inputs that do not hold the blocks', () => {
    expectThrow(() => fold(zeros([2, 12, 12]), [4, 5], 5), ShapeError, "fold: expected the input's dimension 1 (12, shape [2, 12, 12]) to be divisible by the product of kernelSize [5, 5] (25)");
    expectThrow(() => fold(zeros([2, 12, 12]), [4, 6], 2), ShapeError, "fold: given outputSize [4, 6], kernelSize [2, 2], dilation [1, 1], padding [0, 0] and stride [1, 1], expected the input's last dimension to be the number of sliding blocks 3 * 5 = 15, got 12 (shape [2, 12, 12])");
    expectThrow(() => fold(zeros([2, 12, 3, 4]), [4, 5], 2), ShapeError, 'fold: expected a 2-D (unbatched) or 3-D (batched [N, C·K, L]) input, got shape [2, 12, 3, 4]');
    expectThrow(() => fold(zeros([1, 0, 12]), [4, 5], 2), ShapeError, 'fold: expected an input with non-zero sizes except the batch dimension, got shape [1, 0, 12]');
    expectThrow(() => unfold(zeros([1, 1, 4, 4], { dtype: 'int32' }), 2), DTypeError, 'unfold: expected a floating-point input, got int32');
    expectThrow(() => fold('columns' as unknown as Tensor, 4, 2), TypeError, "fold: expected input to be a Tensor, got string");
  });

  it('accepts an empty batch', () => {
    expect(fold(zeros([0, 12, 12]), [4, 5], 2).shape).toEqual([0, 3, 4, 5]);
    expect(unfold(zeros([0, 3, 4, 4]), 2).shape).toEqual([0, 12, 9]);
  });
});
