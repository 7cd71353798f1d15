/**
 * Numerical care: statistics are accumulated in float64 with two passes, so
 * a large mean next to a small spread loses nothing, in float32 inputs too;
 * and properties that hold for any shape and layout (fast-check).
 */
import '@strata/autograd';
import { type Tensor, tensor } from '@strata/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchNorm, groupNorm, instanceNorm, layerNorm, rmsNorm } from './index.js';

/**
 * 10⁴ ± 2⁻⁶, alternating: exact in float32 (whose spacing there is 2⁻¹⁰),
 * with mean exactly 10⁴ and biased variance exactly 2⁻¹². Normalized with
 * eps = 0 every value is exactly ±1. In float32, E[x²] − E[x]² is 10⁸ − 10⁸:
 * the variance is lost entirely.
 */
function alternating(shape: number[]): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = 10_000 + (i % 2 === 0 ? 1 : -1) * 2 ** -6;
  return tensor(data, { shape });
}

function expectPlusMinusOne(output: Tensor): void {
  const values = output.toTypedArray();
  values.forEach((value, i) => expect(value, `element ${i}`).toBe(i % 2 === 0 ? 1 : -1));
}

describe('a large mean and a small variance in float32', () => {
  it('normalizes to exactly ±1 in every op that centers', () => {
    expectPlusMinusOne(batchNorm(alternating([4, 3, 8]), null, null, { training: true, eps: 0 }));
    expectPlusMinusOne(layerNorm(alternating([6, 16]), 16, { eps: 0 }));
    expectPlusMinusOne(groupNorm(alternating([2, 4, 6]), 2, { eps: 0 }));
    expectPlusMinusOne(instanceNorm(alternating([2, 3, 10]), { eps: 0 }));
    // [N, C] layout: each row holds one value per channel; alternate the batch instead.
    const rows = tensor(new Float32Array([10_000 + 2 ** -6, 10_000 + 2 ** -6, 10_000 - 2 ** -6, 10_000 - 2 ** -6]), { shape: [2, 2] });
    expect(batchNorm(rows, null, null, { training: true, eps: 0 }).tolist()).toEqual([
      [1, 1],
      [-1, -1],
    ]);
  });

  it('keeps the exact unbiased variance in the running statistics', () => {
    const runningMean = tensor([0]);
    const runningVar = tensor([0]);
    // 8 values 10⁴ ± 2⁻⁶: biased variance 2⁻¹², unbiased 2⁻¹² · 8/7.
    batchNorm(alternating([8, 1]), runningMean, runningVar, { training: true, momentum: 1, eps: 0 });
    expect(runningMean.tolist()).toEqual([10_000]);
    expect(runningVar.toTypedArray()[0]).toBe(Math.fround(2 ** -12 * (8 / 7)));
  });

  it('gets the gradient right too (constant upstream: zero input gradient, exactly)', () => {
    const x = alternating([4, 2, 4]).requiresGrad_(true);
    batchNorm(x, null, null, { training: true, eps: 0 }).sum().backward();
    expect(Array.from(x.grad!.toTypedArray()).every((value) => value === 0)).toBe(true);
  });
});

describe('properties for any shape', () => {
  const shape = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 });
  const values = (count: number) => fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: count, maxLength: count });

  it('layerNorm and batchNorm do not see a shift or a positive scale of their input', () => {
    fc.assert(
      fc.property(
        shape.chain((dims) => fc.tuple(fc.constant(dims), values(dims.reduce((a, b) => a * b, 1)))),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        ([dims, data], shift, scale) => {
          const x = tensor(Float64Array.from(data), { shape: dims });
          const moved = x.mul(scale).add(shift);
          const last = dims[dims.length - 1]!;
          // eps scaled with the variance, so both sides solve the same problem.
          const eps = 1e-3;
          const reference = layerNorm(x, last, { eps }).toTypedArray();
          const actual = layerNorm(moved, last, { eps: eps * scale * scale }).toTypedArray();
          actual.forEach((value, i) => expect(value).toBeCloseTo(reference[i]!, 6));
          const batchValues = dims[0]! * dims.slice(2).reduce((a, b) => a * b, 1);
          if (batchValues > 1) {
            const batchReference = batchNorm(x, null, null, { training: true, eps }).toTypedArray();
            const batchActual = batchNorm(moved, null, null, { training: true, eps: eps * scale * scale }).toTypedArray();
            batchActual.forEach((value, i) => expect(value).toBeCloseTo(batchReference[i]!, 6));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives a strided view the same result as its contiguous copy', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 })),
        fc.integer({ min: 0, max: 1000 }),
        ([a, b, c], seed) => {
          const data = Float64Array.from({ length: a * b * c }, (_, i) => Math.sin(seed + i * 1.7) * 3);
          // [a, c, b] viewed as [a, b, c]: non-contiguous.
          const strided = tensor(data, { shape: [a, c, b] }).transpose(1, 2);
          const copy = strided.contiguous();
          const pairs: [Tensor, Tensor][] = [
            [batchNorm(strided, null, null, { training: true }), batchNorm(copy, null, null, { training: true })],
            [layerNorm(strided, c), layerNorm(copy, c)],
            [groupNorm(strided, 1), groupNorm(copy, 1)],
            [instanceNorm(strided), instanceNorm(copy)],
            [rmsNorm(strided, [b, c]), rmsNorm(copy, [b, c])],
          ];
          for (const [left, right] of pairs) expect(left.toTypedArray()).toEqual(right.toTypedArray());
        },
      ),
      { numRuns: 40 },
    );
  });

  it('layerNorm leaves every row with mean 0 and variance 1 (eps 0)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 1000 }), (rows, length, seed) => {
        const data = Float64Array.from({ length: rows * length }, (_, i) => Math.cos(seed * 0.37 + i * 2.3) * 5 + seed);
        const output = layerNorm(tensor(data, { shape: [rows, length] }), length, { eps: 0 }).toTypedArray();
        for (let r = 0; r < rows; r++) {
          const row = Array.from(output.subarray(r * length, (r + 1) * length));
          const mean = row.reduce((s, v) => s + v, 0) / length;
          const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / length;
          expect(mean).toBeCloseTo(0, 9);
          expect(variance).toBeCloseTo(1, 9);
        }
      }),
      { numRuns: 50 },
    );
  });
});
