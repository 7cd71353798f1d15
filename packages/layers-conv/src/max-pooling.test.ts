import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, manualSeed, randn, tensor, zeros } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  type MaxPoolOptions,
  MinPool1d,
  MinPool2d,
  MinPool3d,
  maxPool1d,
  maxPool2d,
  maxPool3d,
  minPool1d,
  minPool2d,
  minPool3d,
} from './index.js';

const float64 = { dtype: 'float64' as const, requiresGrad: true };

/** The error `run` throws (its class and message are then pinned). */
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

describe('gradcheck (float64, inputs without ties)', () => {
  const cases: [string, (x: Tensor) => Tensor, number[]][] = [
    ['maxPool1d stride, padding, dilation', (x) => maxPool1d(x, 3, { stride: 2, padding: 1, dilation: 2 }), [2, 2, 9]],
    ['maxPool2d overlapping windows', (x) => maxPool2d(x, 3, { stride: 1, padding: 1 }), [1, 2, 4, 5]],
    ['maxPool2d asymmetric, ceil mode', (x) => maxPool2d(x, [2, 3], { stride: [2, 1], padding: [1, 0], ceilMode: true }), [2, 1, 5, 4]],
    ['maxPool3d', (x) => maxPool3d(x, 2, { stride: 1, padding: 1 }), [1, 1, 3, 3, 4]],
    ['minPool1d', (x) => minPool1d(x, 2, { stride: 1 }), [2, 3, 6]],
    ['minPool2d ceil mode, dilation', (x) => minPool2d(x, 2, { stride: 2, dilation: 2, padding: 1, ceilMode: true }), [1, 2, 5, 5]],
    ['minPool3d unbatched', (x) => minPool3d(x, [1, 2, 2], { stride: 1 }), [2, 2, 3, 3]],
  ];
  for (const [name, run, shape] of cases) {
    it(name, () => {
      manualSeed(7);
      expect(gradcheck(run, [randn(shape, float64)])).toBe(true);
    });
  }

  it('second derivatives (the backward is itself differentiable)', () => {
    manualSeed(8);
    expect(gradgradcheck((x) => maxPool2d(x, 2, { stride: 1 }), [randn([1, 2, 3, 4], float64)])).toBe(true);
    expect(gradgradcheck((x) => minPool1d(x, 3, { stride: 2, padding: 1 }), [randn([2, 5], float64)])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('takes the first of equal values in row-major window order, for max and min alike', () => {
    const x = tensor([[[[1, 1], [1, 1]]]]);
    const [, maxIndices] = maxPool2d(x, 2, { returnIndices: true });
    const [, minIndices] = minPool2d(x, 2, { returnIndices: true });
    expect(maxIndices.tolist()).toEqual([[[[0]]]]);
    expect(minIndices.tolist()).toEqual([[[[0]]]]);
    const row = tensor([[[0, 5, 5, 2, 2, 0]]]);
    expect(maxPool1d(row, 3, { returnIndices: true }).map((t) => t.tolist())).toEqual([[[[5, 2]]], [[[1, 3]]]]);
    expect(minPool1d(row, 3, { returnIndices: true }).map((t) => t.tolist())).toEqual([[[[0, 0]]], [[[0, 5]]]]);
  });

  it('lets NaN win, the last NaN of a window giving the index', () => {
    const [values, indices] = maxPool1d(tensor([[[1, Number.NaN, 3, Number.NaN, 9, 1]]]), 6, { returnIndices: true });
    expect(Number.isNaN(values.item())).toBe(true);
    expect(indices.item()).toBe(3);
  });

  it('never picks the padding, and returns int32 indices within each plane', () => {
    const x = tensor([[[-5, -6], [-7, -8]], [[1, 2], [3, 4]]]);
    const [values, indices] = maxPool2d(x, 2, { stride: 1, padding: 1, returnIndices: true });
    expect(values.tolist()).toEqual([
      [[-5, -5, -6], [-5, -5, -6], [-7, -7, -8]],
      [[1, 2, 2], [3, 4, 4], [3, 4, 4]],
    ]);
    expect(indices.dtype).toBe('int32');
    expect(indices.tolist()).toEqual([
      [[0, 0, 1], [0, 0, 1], [2, 2, 3]],
      [[0, 1, 1], [2, 3, 3], [2, 3, 3]],
    ]);
  });

  it('sends each window gradient to its winner, overlapping windows adding up', () => {
    const x = tensor([[[1, 9, 2, 3]]], { requiresGrad: true });
    maxPool1d(x, 2, { stride: 1 }).sum().backward();
    expect(x.grad!.tolist()).toEqual([[[0, 2, 0, 1]]]);
  });

  it('minPool equals -maxPool(-x), indices included (property, integer inputs with ties)', () => {
    const settings = fc.record({
      rank: fc.constantFrom(1, 2, 3),
      kernel: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 3 }),
      dilation: fc.integer({ min: 1, max: 2 }),
      ceilMode: fc.boolean(),
      extra: fc.integer({ min: 0, max: 3 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(settings, ({ rank, kernel, stride, dilation, ceilMode, extra, seed }) => {
        manualSeed(seed);
        const size = dilation * (kernel - 1) + 1 + extra;
        const x = randn([2, ...new Array<number>(rank).fill(size)]).mul(2).round();
        const options: MaxPoolOptions = { stride, dilation, ceilMode, padding: Math.floor(kernel / 2), returnIndices: true };
        const pool = [maxPool1d, maxPool2d, maxPool3d][rank - 1]!;
        const minimum = [minPool1d, minPool2d, minPool3d][rank - 1]!;
        const [maxValues, maxIndices] = pool(x.neg(), kernel, options) as [Tensor, Tensor];
        const [minValues, minIndices] = minimum(x, kernel, options) as [Tensor, Tensor];
        expect(minValues.tolist()).toEqual(maxValues.neg().tolist());
        expect(minIndices.tolist()).toEqual(maxIndices.tolist());
      }),
      { numRuns: 60 },
    );
  });
});

describe('layers', () => {
  it('print as PyTorch and keep the options as given', () => {
    expect(new MaxPool2d(2).toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
    expect(new MinPool1d(3, { stride: 1, padding: 1, ceilMode: true }).toString()).toBe(
      'MinPool1d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=True)',
    );
    const layer = new MaxPool3d([2, 2, 1], { stride: null, dilation: [1, 2, 1] });
    expect(layer.toString()).toBe('MaxPool3d(kernel_size=(2, 2, 1), stride=(2, 2, 1), padding=0, dilation=(1, 2, 1), ceil_mode=False)');
    expect(layer.stride).toEqual([2, 2, 1]);
  });

  it('have no parameters or buffers and forward the functional op', () => {
    manualSeed(3);
    const x = randn([2, 3, 6, 6]);
    const layer = new MaxPool2d(3, { stride: 2, padding: 1, returnIndices: true });
    expect(layer.parameters()).toEqual([]);
    expect(layer.stateDict()).toEqual({});
    const [output, indices] = layer.forward(x);
    const [expectedOutput, expectedIndices] = maxPool2d(x, 3, { stride: 2, padding: 1, returnIndices: true });
    expect(output.tolist()).toEqual(expectedOutput.tolist());
    expect(indices.tolist()).toEqual(expectedIndices.tolist());
    expect(new MinPool3d(2).forward(randn([1, 2, 2, 2])).shape).toEqual([1, 1, 1, 1]);
    expect(new MaxPool1d(2).forward(x.reshape(6, 36)).shape).toEqual([6, 18]);
  });

  it('name the class in their errors, and stay usable after one', () => {
    expectThrow(() => new MaxPool2d(3, { padding: 2 }), RangeError, 'MaxPool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1');
    const layer = new MinPool2d(2);
    expectThrow(() => layer.forward(zeros([4, 4])), ShapeError, 'MinPool2d: expected a 3-D (unbatched [C, H, W]) or 4-D (batched [N, C, H, W]) input, got shape [4, 4]');
    expect(layer.training).toBe(true);
    expect(layer.forward(zeros([1, 4, 4])).shape).toEqual([1, 2, 2]);
  });
});

describe('bad input', () => {
  const x = zeros([1, 1, 4, 4]);

  it('rejects invalid sizes', () => {
    expectThrow(() => maxPool2d(x, 0), RangeError, 'maxPool2d: kernelSize must be a positive integer or a tuple of 2 positive integers, got 0');
    expectThrow(() => maxPool2d(x, [2, 2, 2]), RangeError, 'maxPool2d: kernelSize must be a positive integer or a tuple of 2 positive integers, got [2, 2, 2]');
    expectThrow(() => maxPool1d(zeros([1, 4]), 1.5), RangeError, 'maxPool1d: kernelSize must be a positive integer or a tuple of 1 positive integer, got 1.5');
    expectThrow(() => maxPool2d(x, 2, { stride: [1, 0] }), RangeError, 'maxPool2d: stride must be a positive integer or a tuple of 2 positive integers, got [1, 0]');
    expectThrow(() => maxPool3d(zeros([1, 4, 4, 4]), 2, { padding: -1 }), RangeError, 'maxPool3d: padding must be a non-negative integer or a tuple of 3 non-negative integers, got -1');
    expectThrow(() => minPool2d(x, 2, { dilation: 0 }), RangeError, 'minPool2d: dilation must be a positive integer or a tuple of 2 positive integers, got 0');
  });

  it('rejects a padding over half the (dilated) kernel, as PyTorch', () => {
    expectThrow(() => maxPool2d(x, 3, { padding: 2 }), RangeError, 'maxPool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1');
    expectThrow(() => maxPool2d(x, [3, 2], { padding: [1, 2] }), RangeError, 'maxPool2d: pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1');
    // Half the dilated kernel (5) allows 2, but PyTorch's shape check also wants half the kernel itself.
    expectThrow(() => minPool1d(zeros([1, 9]), 3, { padding: 2, dilation: 2 }), RangeError, 'minPool1d: pad should be at most half of kernel size, but got pad=2 and kernel_size=3');
  });

  it('rejects flags that are not booleans', () => {
    expectThrow(() => maxPool2d(x, 2, { ceilMode: 1 as unknown as boolean }), RangeError, 'maxPool2d: ceilMode must be a boolean, got 1');
    expectThrow(() => maxPool2d(x, 2, { returnIndices: 'yes' as unknown as boolean }), RangeError, "maxPool2d: returnIndices must be a boolean, got 'yes'");
  });

  it('rejects inputs of the wrong rank, empty dimensions or an integer dtype', () => {
    expectThrow(() => maxPool1d(zeros([4]), 2), ShapeError, 'maxPool1d: expected a 2-D (unbatched [C, L]) or 3-D (batched [N, C, L]) input, got shape [4]');
    expectThrow(() => maxPool3d(zeros([1, 1, 1, 4, 4, 4]), 2), ShapeError, 'maxPool3d: expected a 4-D (unbatched [C, D, H, W]) or 5-D (batched [N, C, D, H, W]) input, got shape [1, 1, 1, 4, 4, 4]');
    expectThrow(() => maxPool2d(zeros([1, 0, 4, 4]), 2), ShapeError, 'maxPool2d: expected an input with non-zero sizes except the batch dimension, got shape [1, 0, 4, 4]');
    expectThrow(() => minPool2d(zeros([0, 4, 4]), 2), ShapeError, 'minPool2d: expected an input with non-zero sizes except the batch dimension, got shape [0, 4, 4]');
    expectThrow(() => maxPool2d(zeros([1, 4, 4], { dtype: 'int32' }), 2), DTypeError, 'maxPool2d: expected a floating-point input, got int32');
    expectThrow(() => maxPool2d([1, 2] as unknown as Tensor, 2), TypeError, 'maxPool2d: expected input to be a Tensor, got an array');
  });

  it('rejects an output size below 1', () => {
    expectThrow(() => maxPool2d(x, 5), ShapeError, 'maxPool2d: the calculated output size [0, 0] is too small for input spatial size [4, 4] (kernelSize [5, 5], stride [5, 5], padding [0, 0], dilation [1, 1])');
    expectThrow(() => maxPool1d(zeros([1, 4]), 2, { dilation: 4 }), ShapeError, 'maxPool1d: the calculated output size [0] is too small for input spatial size [4] (kernelSize [2], stride [2], padding [0], dilation [4])');
  });

  it('accepts an empty batch', () => {
    expect(maxPool2d(zeros([0, 3, 4, 4]), 2).shape).toEqual([0, 3, 2, 2]);
  });
});
