import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, manualSeed, randn, tensor, zeros } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MaxPool2d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d, maxPool1d, maxPool2d, maxPool3d, maxUnpool1d, maxUnpool2d, maxUnpool3d } from './index.js';

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
  it('maxUnpool1d/2d/3d (the gradient reads each value back at its index)', () => {
    manualSeed(12);
    const [v1, i1] = maxPool1d(randn([2, 2, 8]), 2, { returnIndices: true });
    expect(gradcheck((x) => maxUnpool1d(x, i1, 2), [v1.to('float64').requiresGrad_()])).toBe(true);
    // Non-overlapping windows: with duplicate indices only the last value lands, yet (as in PyTorch) each reads the gradient.
    const [v2, i2] = maxPool2d(randn([1, 2, 5, 6]), [2, 3], { stride: [3, 3], padding: [1, 0], returnIndices: true });
    expect(gradcheck((x) => maxUnpool2d(x, i2, [2, 3], { stride: 3, padding: [1, 0], outputSize: [5, 6] }), [v2.to('float64').requiresGrad_()])).toBe(true);
    const [v3, i3] = maxPool3d(randn([1, 1, 4, 4, 2]), 2, { returnIndices: true });
    expect(gradcheck((x) => maxUnpool3d(x, i3, 2), [v3.to('float64').requiresGrad_()])).toBe(true);
  });

  it('second derivatives', () => {
    manualSeed(13);
    const [values, indices] = maxPool2d(randn([1, 1, 4, 4]), 2, { returnIndices: true });
    expect(gradgradcheck((x) => maxUnpool2d(x, indices, 2), [randn(values.shape, float64)])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('puts each value at its index, zeros elsewhere, the later of two values at one position staying', () => {
    const values = tensor([[[5, 7, 9]]]);
    expect(maxUnpool1d(values, tensor([[[1, 2, 5]]], { dtype: 'int32' }), 2).tolist()).toEqual([[[0, 5, 7, 0, 0, 9]]]);
    expect(maxUnpool1d(values, tensor([[[1, 1, 3]]], { dtype: 'int32' }), 2, { stride: 1 }).tolist()).toEqual([[[0, 7, 0, 9]]]);
  });

  it('takes the output size as spatial sizes or the full shape', () => {
    const [values, indices] = maxPool2d(randn([1, 2, 5, 5]), 2, { returnIndices: true });
    const [even, evenIndices] = maxPool2d(randn([1, 2, 4, 4]), 2, { returnIndices: true });
    expect(maxUnpool2d(even, evenIndices, 2).shape).toEqual([1, 2, 4, 4]);
    expect(maxUnpool2d(values, indices, 2, { outputSize: [5, 5] }).shape).toEqual([1, 2, 5, 5]);
    expect(maxUnpool2d(values, indices, 2, { outputSize: [1, 2, 5, 5] }).shape).toEqual([1, 2, 5, 5]);
  });

  it('inverts max pooling where the maxima are (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1000 }), (kernel, stride, seed) => {
        manualSeed(seed);
        const size = kernel + 3;
        const x = randn([2, 2, size, size]);
        const [values, indices] = maxPool2d(x, kernel, { stride, returnIndices: true });
        const restored = maxUnpool2d(values, indices, kernel, { stride, outputSize: [size, size] });
        // Where a maximum came from, the restored tensor holds the input's value; everywhere else 0.
        const plane = x.reshape(4, -1).toTypedArray();
        const back = restored.reshape(4, -1).toTypedArray();
        const chosen = new Set<number>();
        const at = indices.reshape(4, -1).toTypedArray();
        const perPlane = at.length / 4;
        at.forEach((index, i) => chosen.add(Math.floor(i / perPlane) * size * size + index));
        back.forEach((value, i) => expect(value).toBe(chosen.has(i) ? plane[i] : 0));
      }),
      { numRuns: 30 },
    );
  });
});

describe('layers', () => {
  it('print as PyTorch (sizes as tuples) and forward the functional op', () => {
    expect(new MaxUnpool1d(2).toString()).toBe('MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))');
    expect(new MaxUnpool2d([2, 3], { stride: 1, padding: 1 }).toString()).toBe('MaxUnpool2d(kernel_size=(2, 3), stride=(1, 1), padding=(1, 1))');
    expect(new MaxUnpool3d(2).toString()).toBe('MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))');
    const pool = new MaxPool2d(2, { returnIndices: true });
    const unpool = new MaxUnpool2d(2);
    expect(unpool.parameters()).toEqual([]);
    const x = randn([1, 1, 5, 5]);
    const [output, indices] = pool.forward(x);
    expect(unpool.forward(output, indices, [5, 5]).tolist()).toEqual(maxUnpool2d(output, indices, 2, { outputSize: [5, 5] }).tolist());
    const [even, evenIndices] = pool.forward(randn([1, 1, 4, 4]));
    expect(unpool.forward(even, evenIndices).shape).toEqual([1, 1, 4, 4]);
  });

  it('name the class in their errors', () => {
    expectThrow(() => new MaxUnpool2d(0), RangeError, 'MaxUnpool2d: kernelSize must be a positive integer or a tuple of 2 positive integers, got 0');
    const [values, indices] = maxPool2d(randn([1, 1, 4, 4]), 2, { returnIndices: true });
    expectThrow(() => new MaxUnpool2d(2).forward(values, indices, [7, 4]), RangeError, 'MaxUnpool2d: invalid outputSize [7, 4] (dim 0 must be strictly between 2 and 6)');
  });
});

describe('bad input', () => {
  const [values, indices] = maxPool2d(tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]), 2, { returnIndices: true });

  it('rejects an output size of the wrong length or out of range', () => {
    expectThrow(() => maxUnpool2d(values, indices, 2, { outputSize: [5] }), RangeError, 'maxUnpool2d: outputSize must have 2 or 4 elements, got [5]');
    expectThrow(() => maxUnpool2d(values, indices, 2, { outputSize: [1, 5, 5] }), RangeError, 'maxUnpool2d: outputSize must have 2 or 4 elements, got [1, 5, 5]');
    expectThrow(() => maxUnpool2d(values, indices, 2, { outputSize: [6, 5] }), RangeError, 'maxUnpool2d: invalid outputSize [6, 5] (dim 0 must be strictly between 2 and 6)');
    expectThrow(() => maxUnpool2d(values, indices, 2, { outputSize: [4, 2] }), RangeError, 'maxUnpool2d: invalid outputSize [4, 2] (dim 1 must be strictly between 2 and 6)');
  });

  it('rejects indices outside the output plane, of another shape or dtype', () => {
    expectThrow(() => maxUnpool2d(values, indices.add(12), 2), RangeError, 'maxUnpool2d: found an invalid max index 17 (the output planes are of size 4x4)');
    expectThrow(() => maxUnpool2d(values, indices.sub(6), 2), RangeError, 'maxUnpool2d: found an invalid max index -1 (the output planes are of size 4x4)');
    expectThrow(() => maxUnpool2d(values, indices.to('float32'), 2), DTypeError, 'maxUnpool2d: expected int32 indices, got float32');
    expectThrow(() => maxUnpool2d(values, indices.narrow(3, 0, 1), 2), ShapeError, "maxUnpool2d: expected indices of the input's shape [1, 1, 2, 2], got shape [1, 1, 2, 1]");
    expectThrow(() => maxUnpool2d(values, null as unknown as Tensor, 2), TypeError, 'maxUnpool2d: expected indices to be a Tensor, got null');
  });

  it('rejects inputs of the wrong rank and an output size below 1', () => {
    expectThrow(() => maxUnpool1d(zeros([3]), zeros([3], { dtype: 'int32' }), 2), ShapeError, 'maxUnpool1d: expected a 2-D (unbatched [C, L]) or 3-D (batched [N, C, L]) input, got shape [3]');
    expectThrow(() => maxUnpool1d(zeros([1, 1]), zeros([1, 1], { dtype: 'int32' }), 1, { padding: 1 }), ShapeError, 'maxUnpool1d: the calculated output size [-1] is too small for input spatial size [1] (kernelSize [1], stride [1], padding [1])');
    expectThrow(() => maxUnpool3d(zeros([1, 2, 2, 2], { dtype: 'int32' }), zeros([1, 2, 2, 2], { dtype: 'int32' }), 2), DTypeError, 'maxUnpool3d: expected a floating-point input, got int32');
  });
});
