/**
 * The 2-D float32 pooling loops against the general kernels, which float64
 * inputs take: max and min pooling give the same values and indices
 * (ties, NaNs and ±0 included), average pooling the same values up to
 * float32 rounding, and all the same gradients; over random windows,
 * strides, paddings, ceil mode, and the unrolled 2×2 stride-2 case.
 */
import '@strata/autograd';
import { type Tensor, randn, tensor } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avgPool2d, maxPool2d, minPool2d } from '../index.js';

/** Random values with many ties, zeros of both signs, NaNs and infinities. */
function awkwardValues(shape: number[], seed: number): Tensor {
  const values = randn(shape, { dtype: 'float64' }).toTypedArray() as Float64Array;
  const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 1];
  for (let i = 0; i < values.length; i++) {
    const pick = (i * 7919 + seed * 104729) % 23;
    if (pick < specials.length) values[i] = specials[pick]!;
    else values[i] = Math.round(values[i]! * 2) / 2;
  }
  return tensor(Array.from(values), { dtype: 'float64' }).reshape(shape);
}

function same(actual: Tensor, expected: Tensor): void {
  expect(Array.from(actual.to('float64').toTypedArray())).toEqual(Array.from(expected.toTypedArray()));
}

function close(actual: Tensor, expected: Tensor): void {
  const a = actual.toTypedArray();
  const e = expected.toTypedArray();
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i]! - e[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e[i]!)));
}

const windows = fc.record({
  kernel: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  padding: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  extra: fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })),
  ceilMode: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe('2-D float32 pooling loops', () => {
  it('give the general kernels\' results over random windows', () => {
    fc.assert(
      fc.property(windows, ({ kernel, stride, padding, extra, ceilMode, seed }) => {
        // PyTorch's rule: padding at most half the kernel.
        const pad = padding.map((p, d) => Math.min(p, Math.floor(kernel[d]! / 2)));
        const size = kernel.map((k, d) => k + extra[d]!);
        const x64 = awkwardValues([2, 3, ...size], seed);
        const x32 = x64.to('float32');
        const options = { stride, padding: pad, ceilMode, returnIndices: true } as const;
        for (const pool of [maxPool2d, minPool2d]) {
          const [values32, indices32] = pool(x32, kernel, options);
          const [values64, indices64] = pool(x64, kernel, options);
          same(values32, values64);
          expect(Array.from(indices32.toTypedArray())).toEqual(Array.from(indices64.toTypedArray()));
        }
        const finite64 = randn([2, 3, ...size], { dtype: 'float64' }).to('float32').to('float64').requiresGrad_(true);
        const finite32 = finite64.detach().to('float32').requiresGrad_(true);
        for (const countIncludePad of [true, false]) {
          const averages = [finite32, finite64].map((x) => avgPool2d(x, kernel, { stride, padding: pad, ceilMode, countIncludePad }));
          close(averages[0]!, averages[1]!);
          const upstream = randn(averages[1]!.shape, { dtype: 'float64' }).to('float32');
          averages[0]!.backward(upstream);
          averages[1]!.backward(upstream.to('float64'));
          close(finite32.grad!, finite64.grad!);
          finite32.grad = null;
          finite64.grad = null;
        }
      }),
      { numRuns: 150, seed: 21 },
    );
  });

  it('send each window\'s gradient to its maximum (2×2 stride 2)', () => {
    const x64 = awkwardValues([2, 4, 8, 10], 5).requiresGrad_(true);
    const x32 = x64.detach().to('float32').requiresGrad_(true);
    const outputs = [x32, x64].map((x) => maxPool2d(x, 2));
    same(outputs[0]!, outputs[1]!.detach());
    outputs[0]!.sum().backward();
    outputs[1]!.sum().backward();
    same(x32.grad!, x64.grad!);
  });
});
