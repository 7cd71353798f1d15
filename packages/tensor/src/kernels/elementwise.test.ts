import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arange, contiguousStrides, getKernel, tensor } from '../index.js';
import { BinaryCode, binaryKernel, binaryRow } from './binary.js';
import { RowWalk, broadcastStrides } from './elementwise.js';
import { UnaryCode, unaryKernel } from './unary.js';

/** Every storage position the walk visits, per operand, in output order. */
function walkPositions(walk: RowWalk): number[][] {
  const visited: number[][] = walk.positions.map(() => []);
  for (let row = 0; row < walk.rowCount; row++) {
    for (let i = 0; i < walk.rowLength; i++) {
      walk.positions.forEach((start, k) => visited[k]!.push(start + i * walk.rowStrides[k]!));
    }
    walk.advance();
  }
  return visited;
}

/** The same positions by explicit index arithmetic: offset + sum of index * stride. */
function naivePositions(shape: readonly number[], strides: readonly (readonly number[])[], offsets: readonly number[]): number[][] {
  const total = shape.reduce((product, size) => product * size, 1);
  return strides.map((operandStrides, k) => {
    const positions: number[] = [];
    for (let flat = 0; flat < total; flat++) {
      let rest = flat;
      let position = offsets[k]!;
      for (let d = shape.length - 1; d >= 0; d--) {
        position += (rest % shape[d]!) * operandStrides[d]!;
        rest = Math.floor(rest / shape[d]!);
      }
      positions.push(position);
    }
    return positions;
  });
}

describe('RowWalk', () => {
  it('visits exactly the positions index arithmetic gives, for any shape, strides and offsets', () => {
    const layout = fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 5 }).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        strides: fc.array(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: shape.length, maxLength: shape.length }), {
          minLength: 1,
          maxLength: 3,
        }),
        offset: fc.integer({ min: 0, max: 10 }),
      }),
    );
    fc.assert(
      fc.property(layout, ({ shape, strides, offset }) => {
        const offsets = strides.map((_, k) => offset + k);
        const walk = new RowWalk(shape, strides, offsets);
        expect(walk.rowCount * walk.rowLength).toBe(shape.reduce((product, size) => product * size, 1));
        expect(walkPositions(walk)).toEqual(naivePositions(shape, strides, offsets));
      }),
      { numRuns: 300 },
    );
  });

  it('merges dimensions that every operand walks contiguously', () => {
    const contiguous = new RowWalk([2, 3, 4], [contiguousStrides([2, 3, 4]), contiguousStrides([2, 3, 4])], [0, 0]);
    expect([contiguous.rowCount, contiguous.rowLength]).toEqual([1, 24]);
    // [1000, 1000] + [1000]: the broadcast operand keeps two dimensions apart, rows stay long.
    const rowBroadcast = new RowWalk([1000, 1000], [[1000, 1], [0, 1]], [0, 0]);
    expect([rowBroadcast.rowCount, rowBroadcast.rowLength, ...rowBroadcast.rowStrides]).toEqual([1000, 1000, 1, 1]);
    // Size-1 dimensions are dropped whatever their stride.
    const squeezed = new RowWalk([1, 5, 1], [[99, 1, 7]], [3]);
    expect([squeezed.rowCount, squeezed.rowLength, squeezed.positions[0]]).toEqual([1, 5, 3]);
    const scalar = new RowWalk([], [[]], [4]);
    expect([scalar.rowCount, scalar.rowLength, scalar.rowStrides[0]]).toEqual([1, 1, 0]);
  });

  it('broadcastStrides puts 0 on missing and size-1 dimensions', () => {
    const column = arange(3).reshape(3, 1);
    expect(broadcastStrides(column, [2, 3, 4])).toEqual([0, 1, 0]);
    expect(broadcastStrides(arange(12).reshape(3, 4).t(), [2, 4, 3])).toEqual([0, 1, 4]);
  });
});

describe('binary and unary kernels', () => {
  it('give the same result on the flat, scalar and strided paths', () => {
    const a = arange(12).reshape(3, 4);
    const b = arange(12).mul(3).reshape(3, 4);
    const flat = binaryKernel('add', BinaryCode.Add, a, b, 'float32');
    const strided = binaryKernel('add', BinaryCode.Add, a.t().contiguous().t(), b.t().contiguous().t(), 'float32');
    expect(strided.tolist()).toEqual(flat.tolist());
    expect(flat.tolist()).toEqual([
      [0, 4, 8, 12],
      [16, 20, 24, 28],
      [32, 36, 40, 44],
    ]);
    const withScalar = binaryKernel('mul', BinaryCode.Multiply, tensor(2), a, 'float32');
    const withExpanded = binaryKernel('mul', BinaryCode.Multiply, tensor([2]).expand(3, 4), a.t().contiguous().t(), 'float32');
    expect(withScalar.tolist()).toEqual(withExpanded.tolist());
    expect((withScalar.tolist() as number[][])[2]).toEqual([16, 18, 20, 22]);
  });

  it('read operands at their offsets', () => {
    const storage = arange(10);
    const tail = storage.slice(0, 6);
    expect(binaryKernel('sub', BinaryCode.Subtract, tail, storage.slice(0, 2, 3), 'int32').tolist()).toEqual([4, 5, 6, 7]);
    expect(unaryKernel(UnaryCode.Negate, storage.slice(0, 7, 10), 'float64').tolist()).toEqual([-7, -8, -9]);
  });

  it('write the result dtype: int32 wraps, float32 rounds, bool stores 1 and 0', () => {
    const big = tensor([2147483647, -2147483648], { dtype: 'int32' });
    expect(binaryKernel('add', BinaryCode.Add, big, tensor(1, { dtype: 'int32' }), 'int32').tolist()).toEqual([-2147483648, -2147483647]);
    const third = binaryKernel('div', BinaryCode.Divide, tensor([1]), tensor([3]), 'float32');
    expect(third.tolist()).toEqual([Math.fround(1 / 3)]);
    expect(Array.from(binaryKernel('gt', BinaryCode.Greater, tensor([3, 1]), tensor([2, 2]), 'bool').toTypedArray())).toEqual([1, 0]);
  });

  it('runs one row with per-operand strides', () => {
    const out = new Float64Array(3);
    binaryRow(BinaryCode.AddScaled, new Float64Array([1, 2, 3, 4, 5, 6]), 1, 2, new Float64Array([10]), 0, 0, out, 0, 3, 0.5, 0);
    expect(Array.from(out)).toEqual([7, 9, 11]);
  });

  it('throw on an integer division by zero', () => {
    expect(() => binaryKernel('div', BinaryCode.DivideFloorInteger, tensor([1], { dtype: 'int32' }), tensor([0], { dtype: 'int32' }), 'int32')).toThrow(
      'div: integer division by zero (ZeroDivisionError)',
    );
  });

  it('are registered under the op names', () => {
    const x = tensor([1, 4]);
    expect(getKernel('add')(x, x, 1, 'float32').tolist()).toEqual([2, 8]);
    expect(getKernel('sqrt')(x, 'float32').tolist()).toEqual([1, 2]);
    expect(getKernel('clamp')(x, 2, null, 'float32').tolist()).toEqual([2, 4]);
    expect(getKernel('clamp')(x, null, tensor([3, 3]), 'float32').tolist()).toEqual([1, 3]);
    expect(getKernel('where')(tensor([true, false]), x, tensor(0), 'float32').tolist()).toEqual([1, 0]);
    expect(getKernel('isclose')(x, tensor([1.5, 4]), 0, 0.5, false).tolist()).toEqual([true, true]);
  });
});
