import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, manualSeed, randn, tensor, zeros } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveAvgPool3d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  AdaptiveMaxPool3d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveAvgPool3d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool3d,
  avgPool2d,
  maxPool2d,
} from './index.js';

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
    ['adaptiveAvgPool1d overlapping windows', (x) => adaptiveAvgPool1d(x, 3), [2, 2, 7]],
    ['adaptiveAvgPool2d larger than the input, null', (x) => adaptiveAvgPool2d(x, [5, null]), [1, 2, 3, 4]],
    ['adaptiveAvgPool3d', (x) => adaptiveAvgPool3d(x, [2, 3, 2]), [1, 1, 3, 4, 3]],
    ['adaptiveMaxPool1d', (x) => adaptiveMaxPool1d(x, 4), [2, 7]],
    ['adaptiveMaxPool2d not dividing', (x) => adaptiveMaxPool2d(x, [2, 3]), [1, 2, 5, 4]],
    ['adaptiveMaxPool3d larger than the input', (x) => adaptiveMaxPool3d(x, [3, 2, 4]), [1, 1, 2, 3, 3]],
  ];
  for (const [name, run, shape] of cases) {
    it(name, () => {
      manualSeed(9);
      expect(gradcheck(run, [randn(shape, float64)])).toBe(true);
    });
  }

  it('second derivatives (the backward is itself differentiable)', () => {
    manualSeed(10);
    expect(gradgradcheck((x) => adaptiveAvgPool2d(x, [2, 3]), [randn([1, 1, 3, 5], float64)])).toBe(true);
    expect(gradgradcheck((x) => adaptiveMaxPool1d(x, 2), [randn([2, 5], float64)])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('pools [floor(o·n/m), ceil((o+1)·n/m)) for each output position', () => {
    // n = 5, m = 3: windows [0, 2), [1, 4), [3, 5).
    const x = tensor([[[1, 2, 3, 4, 8]]]);
    expect(adaptiveAvgPool1d(x, 3).tolist()).toEqual([[[1.5, 3, 6]]]);
    expect(adaptiveMaxPool1d(x, 3, { returnIndices: true }).map((t) => t.tolist())).toEqual([[[[2, 4, 8]]], [[[1, 3, 4]]]]);
    // n = 2, m = 3: windows [0, 1), [0, 2), [1, 2).
    expect(adaptiveAvgPool1d(tensor([[2, 4]]), 3).tolist()).toEqual([[2, 3, 4]]);
  });

  it('keeps ties to the first element and lets NaN win', () => {
    expect(adaptiveMaxPool1d(tensor([[[3, 3, 1, 3]]]), 1, { returnIndices: true })[1].tolist()).toEqual([[[0]]]);
    const [values, indices] = adaptiveMaxPool2d(tensor([[[Number.NaN, 1], [2, Number.NaN]]]), 1, { returnIndices: true });
    expect(Number.isNaN(values.item())).toBe(true);
    expect(indices.item()).toBe(3);
  });

  it('equals the fixed pooling when the input divides evenly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }), (out, factor, seed) => {
        manualSeed(seed);
        const x = randn([2, 2, out * factor, out * factor + out], { dtype: 'float64' });
        const kernel = [factor, factor + 1];
        expect(adaptiveMaxPool2d(x, [out, out]).tolist()).toEqual(maxPool2d(x, kernel).tolist());
        const average = adaptiveAvgPool2d(x, [out, out]);
        expect(average.sub(avgPool2d(x, kernel)).abs().amax().item()).toBeLessThan(1e-12);
      }),
      { numRuns: 30 },
    );
  });

  it('gives an empty output for an output size of 0', () => {
    expect(adaptiveAvgPool2d(zeros([2, 3, 4, 4]), [0, 2]).shape).toEqual([2, 3, 0, 2]);
  });
});

describe('layers', () => {
  it('print as PyTorch', () => {
    expect(new AdaptiveAvgPool1d(3).toString()).toBe('AdaptiveAvgPool1d(output_size=3)');
    expect(new AdaptiveAvgPool2d([null, 3]).toString()).toBe('AdaptiveAvgPool2d(output_size=(None, 3))');
    expect(new AdaptiveAvgPool3d(2).toString()).toBe('AdaptiveAvgPool3d(output_size=2)');
    expect(new AdaptiveMaxPool1d(5).toString()).toBe('AdaptiveMaxPool1d(output_size=5)');
    expect(new AdaptiveMaxPool2d([2, 3], { returnIndices: true }).toString()).toBe('AdaptiveMaxPool2d(output_size=(2, 3))');
    expect(new AdaptiveMaxPool3d([2, null, 4]).toString()).toBe('AdaptiveMaxPool3d(output_size=(2, None, 4))');
  });

  it('have no parameters and forward the functional op', () => {
    manualSeed(11);
    const x = randn([2, 3, 7, 9]);
    const layer = new AdaptiveMaxPool2d([3, null], { returnIndices: true });
    expect(layer.parameters()).toEqual([]);
    expect(layer.stateDict()).toEqual({});
    const [output, indices] = layer.forward(x);
    const [expectedOutput, expectedIndices] = adaptiveMaxPool2d(x, [3, null], { returnIndices: true });
    expect(output.tolist()).toEqual(expectedOutput.tolist());
    expect(indices.tolist()).toEqual(expectedIndices.tolist());
    expect(new AdaptiveAvgPool3d(1).forward(randn([3, 2, 2, 2])).shape).toEqual([3, 1, 1, 1]);
  });

  it('name the class in their errors', () => {
    expectThrow(() => new AdaptiveAvgPool2d([2]), RangeError, 'AdaptiveAvgPool2d: outputSize must be a non-negative integer or null, or a tuple of 2 of them, got [2]');
    expectThrow(() => new AdaptiveMaxPool1d(2).forward(zeros([4])), ShapeError, 'AdaptiveMaxPool1d: expected a 2-D (unbatched [C, L]) or 3-D (batched [N, C, L]) input, got shape [4]');
    expectThrow(() => new AdaptiveMaxPool3d(2, { returnIndices: 1 as unknown as boolean }), RangeError, 'AdaptiveMaxPool3d: returnIndices must be a boolean, got 1');
  });
});

describe('bad input', () => {
  it('rejects invalid output sizes', () => {
    expectThrow(() => adaptiveAvgPool2d(zeros([1, 4, 4]), -1), RangeError, 'adaptiveAvgPool2d: outputSize must be a non-negative integer or null, or a tuple of 2 of them, got -1');
    expectThrow(() => adaptiveMaxPool3d(zeros([1, 4, 4, 4]), [2, 2.5, 2]), RangeError, 'adaptiveMaxPool3d: outputSize must be a non-negative integer or null, or a tuple of 3 of them, got [2, 2.5, 2]');
    expectThrow(() => adaptiveAvgPool1d(zeros([1, 4]), [2, 2]), RangeError, 'adaptiveAvgPool1d: outputSize must be a non-negative integer or null, or a tuple of 1 of them, got [2, 2]');
  });

  it('rejects bad inputs', () => {
    expectThrow(() => adaptiveAvgPool2d(zeros([1, 1, 0, 4]), 2), ShapeError, 'adaptiveAvgPool2d: expected an input with non-zero sizes except the batch dimension, got shape [1, 1, 0, 4]');
    expectThrow(() => adaptiveMaxPool2d(zeros([4, 4]), 2), ShapeError, 'adaptiveMaxPool2d: expected a 3-D (unbatched [C, H, W]) or 4-D (batched [N, C, H, W]) input, got shape [4, 4]');
    expectThrow(() => adaptiveAvgPool1d(zeros([1, 4], { dtype: 'int32' }), 2), DTypeError, 'adaptiveAvgPool1d: expected a floating-point input, got int32');
  });
});
