import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, tensor } from '../index.js';
import { randomTensor, reductionCase } from '../ops/reduction-test-support.js';
import { extremumInto } from './reduction-extrema.js';
import { reducedShape, reductionLayout } from './reduction-layout.js';
import { sumKernel, varKernel } from './reduction.js';

describe('reductionLayout', () => {
  it('reads a contiguous input with adjacent reduced dims in place as [outer, reduced, inner]', () => {
    const x = arange(120).reshape(2, 3, 4, 5);
    const layout = reductionLayout(x, [1, 2], false);
    expect(layout.data).toBe(x.storage.data); // no copy
    expect([layout.outer, layout.reduced, layout.inner]).toEqual([2, 12, 5]);
    expect(layout.outputShape).toEqual([2, 5]);
    expect(reductionLayout(x, [3], true).outputShape).toEqual([2, 3, 4, 1]);
    const all = reductionLayout(x, [0, 1, 2, 3], false);
    expect([all.outer, all.reduced, all.inner]).toEqual([1, 120, 1]);
  });

  it('ignores size-1 dims when deciding adjacency', () => {
    const x = arange(20).reshape(4, 1, 5);
    const layout = reductionLayout(x, [0, 2], false);
    expect(layout.data).toBe(x.storage.data);
    expect([layout.outer, layout.reduced, layout.inner]).toEqual([1, 20, 1]);
    expect(layout.outputShape).toEqual([1]);
  });

  it('moves non-adjacent reduced dims to the end with one copy (inner = 1)', () => {
    const x = arange(24).reshape(2, 3, 4); // x[i][j][k] = 12i + 4j + k
    const layout = reductionLayout(x, [0, 2], false);
    expect([layout.outer, layout.reduced, layout.inner]).toEqual([3, 8, 1]);
    // Output j reads x[i][j][k] for (i, k) in row-major order.
    expect(Array.from(layout.data.subarray(0, 8))).toEqual([0, 1, 2, 3, 12, 13, 14, 15]);
    expect(Array.from(layout.data.subarray(8, 16))).toEqual([4, 5, 6, 7, 16, 17, 18, 19]);
  });

  it('reads a non-contiguous input in logical order', () => {
    const x = arange(6).reshape(2, 3).t(); // [[0, 3], [1, 4], [2, 5]]
    const layout = reductionLayout(x, [1], false);
    expect([layout.outer, layout.reduced, layout.inner]).toEqual([3, 2, 1]);
    expect(Array.from(layout.data)).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('covers every element once: a sum through the layout equals the plain total', () => {
    fc.assert(
      fc.property(reductionCase(), ({ shape, dims, keepdim, layout, seed }) => {
        const x = randomTensor(shape, layout, seed, 'float64');
        const plan = reductionLayout(x, dims, keepdim);
        expect(plan.outer * plan.reduced * plan.inner).toBe(x.numel());
        expect(plan.outputShape).toEqual(reducedShape(shape, dims, keepdim));
        const sorted = Array.from(plan.data).sort((a, b) => a - b);
        expect(sorted).toEqual(Array.from(x.toTypedArray()).sort((a, b) => a - b));
      }),
    );
  });
});

describe('reduction kernels', () => {
  it('give the same result through the lane loop (inner > 1) as through the row loop', () => {
    fc.assert(
      fc.property(reductionCase({ allowEmpty: false }), fc.nat(), ({ shape, keepdim, seed }, pick) => {
        fc.pre(shape.length > 1);
        const dim = pick % (shape.length - 1); // never the last dim, so inner > 1 unless trailing sizes are 1
        const x = randomTensor(shape, 'contiguous', seed, 'float64');
        const order = shape.map((_, d) => d).filter((d) => d !== dim);
        order.push(dim);
        // The same reduction with the reduced dim moved last runs the row loop.
        const moved = x.permute(order).contiguous();
        const last = shape.length - 1;
        const lanes = sumKernel(x, [dim], keepdim).toTypedArray();
        const rows = sumKernel(moved, [last], false).toTypedArray();
        expect(Array.from(lanes)).toEqual(Array.from(rows));
        expect(Array.from(varKernel(x, [dim], 1, false).toTypedArray())).toEqual(Array.from(varKernel(moved, [last], 1, false).toTypedArray()));
      }),
    );
  });

  it('extremumInto keeps the first index on ties in both loops', () => {
    const rows = reductionLayout(tensor([[2, 5, 5, 1]]), [1], false);
    const values = new Float64Array(1);
    const indices = new Int32Array(1);
    extremumInto(rows, values, indices, true);
    expect([values[0], indices[0]]).toEqual([5, 1]);
    const lanes = reductionLayout(tensor([[2, 1], [5, 1], [5, 7]]), [0], false);
    const laneValues = new Float64Array(2);
    const laneIndices = new Int32Array(2);
    extremumInto(lanes, laneValues, laneIndices, false);
    expect(Array.from(laneValues)).toEqual([2, 1]);
    expect(Array.from(laneIndices)).toEqual([0, 0]);
  });
});
