import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, ones, tensor } from '@strata/tensor';

import '../index.js';
import { sliceBackward, sumToShape } from './helpers.js';

/** A shape and a shape it broadcasts to (extra leading dims, size-1 dims grown). */
const broadcastTarget = fc
  .array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 })
  .chain((target) =>
    fc.record({
      target: fc.constant(target),
      keep: fc.integer({ min: 0, max: target.length }),
      ones: fc.array(fc.boolean(), { minLength: target.length, maxLength: target.length }),
    }),
  )
  .map(({ target, keep, ones: toOne }) => ({
    target,
    source: target.slice(target.length - keep).map((size, i) => (toOne[target.length - keep + i] ? 1 : size)),
  }));

describe('sumToShape', () => {
  it('sums a broadcast gradient of ones back to the count of copies of each element', () => {
    fc.assert(
      fc.property(broadcastTarget, ({ source, target }) => {
        const copies = target.reduce((a, b) => a * b, 1) / source.reduce((a, b) => a * b, 1);
        const reduced = sumToShape(ones(target, { dtype: 'float64' }), source);
        expect(reduced.shape).toEqual(source);
        expect([...reduced.toTypedArray()].every((value) => value === copies)).toBe(true);
      }),
    );
  });

  it('matches the gradient of expand', () => {
    fc.assert(
      fc.property(broadcastTarget, ({ source, target }) => {
        const x = ones(source, { dtype: 'float64', requiresGrad: true });
        const weights = arange(target.reduce((a, b) => a * b, 1), { dtype: 'float64' }).reshape(target);
        x.expand(target).mul(weights).sum().backward();
        expect(x.grad!.tolist()).toEqual(sumToShape(weights, source).tolist());
      }),
    );
  });
});

describe('sliceBackward', () => {
  it('places the gradient at the sliced positions and zeros elsewhere', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        (size, start, step) => {
          fc.pre(start <= size);
          const count = Math.ceil((size - start) / step);
          const gradient = arange(1, count * 2 + 1, 1, { dtype: 'float64' }).reshape(2, count);
          const placed = sliceBackward(gradient, [2, size], 1, start, step);
          expect(placed.shape).toEqual([2, size]);
          const expected = [0, 1].map((row) =>
            Array.from({ length: size }, (_, i) =>
              i >= start && (i - start) % step === 0 ? row * count + (i - start) / step + 1 : 0,
            ),
          );
          expect(placed.tolist()).toEqual(expected);
        },
      ),
    );
  });

  it('is what slice backpropagates', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7], { dtype: 'float64', requiresGrad: true });
    x.slice(0, 1, 6, 2).mul(tensor([10, 20, 30], { dtype: 'float64' })).sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 10, 0, 20, 0, 30, 0]);
  });
});
