import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, type Tensor, glu, logSoftmax, softmax, softmin, tensor, zeros } from '../index.js';
import { expectClose, groupsOf, randomTensor, reductionCase } from './reduction-test-support.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;
const list = (x: Tensor): number[] => Array.from(x.toTypedArray());

/** The elements of `values` (row-major, `shape`) at each output position, grouped along `dim`. */
function slicesAlong(values: ArrayLike<number>, shape: readonly number[], dim: number): { slices: number[][]; positions: number[][] } {
  const positions = groupsOf(Array.from({ length: values.length }, (_, i) => i), shape, [dim]);
  return { slices: positions.map((group) => group.map((i) => values[i]!)), positions };
}

describe('softmax, logSoftmax and softmin', () => {
  it('normalize along the dim', () => {
    const x = tensor([[1, 1], [0, Math.log(3)]], { dtype: 'float64' });
    const probabilities = list(softmax(x, 1));
    [0.5, 0.5, 0.25, 0.75].forEach((p, i) => expectClose(probabilities[i]!, p, 1e-15));
    const logs = list(logSoftmax(x, -1));
    [Math.log(0.5), Math.log(0.5), Math.log(0.25), Math.log(0.75)].forEach((p, i) => expectClose(logs[i]!, p, 1e-15));
    const columns = list(softmax(tensor([[0, 2], [0, 2]]), 0));
    expect(columns).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('are shift-invariant and do not overflow for large inputs', () => {
    const large = tensor([[1000, 1001, 999], [-1000, -1001, -999]]);
    const small = tensor([[1, 2, 0], [-1, -2, 0]]);
    expect(list(softmax(large, 1))).toEqual(list(softmax(small, 1)));
    expect(list(logSoftmax(large, 1))).toEqual(list(logSoftmax(small, 1)));
    expect(list(softmax(large, 1)).every(Number.isFinite)).toBe(true);
  });

  it('softmin is softmax of -x', () => {
    fc.assert(
      fc.property(reductionCase(), fc.nat(), ({ shape, layout, seed }, pick) => {
        fc.pre(shape.length > 0);
        const dim = pick % shape.length;
        const x = randomTensor(shape, layout, seed);
        const negated = tensor(x.toTypedArray().map((v) => -v), { shape });
        expect(list(softmin(x, dim))).toEqual(list(softmax(negated, dim)));
      }),
      { numRuns: 50 },
    );
  });

  it('match a float64 max-shifted reference along every dim of random shapes and layouts', () => {
    fc.assert(
      fc.property(reductionCase(), fc.nat(), ({ shape, layout, seed }, pick) => {
        fc.pre(shape.length > 0);
        const dim = pick % shape.length;
        const x = randomTensor(shape, layout, seed);
        const probabilities = softmax(x, dim - shape.length);
        const logs = logSoftmax(x, dim).toTypedArray();
        expect(probabilities.shape).toEqual(shape);
        const { slices, positions } = slicesAlong(x.toTypedArray(), shape, dim);
        slices.forEach((slice, s) => {
          const maximum = Math.max(...slice);
          const total = slice.reduce((a, v) => a + Math.exp(v - maximum), 0);
          let sum = 0;
          slice.forEach((v, j) => {
            const at = positions[s]![j]!;
            expectClose(probabilities.toTypedArray()[at]!, Math.fround(Math.exp(v - maximum) / total), 2.4e-7, 1e-30);
            expectClose(logs[at]!, Math.fround(v - maximum - Math.log(total)), 2.4e-7, 1e-7);
            sum += probabilities.toTypedArray()[at]!;
          });
          if (slice.length > 0) expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
        });
      }),
    );
  });

  it('give the same bits along a leading dim (lane loop) as along the last dim (row loop)', () => {
    const x = randomTensor([5, 7], 'contiguous', 3, 'float64');
    const transposed = x.t().contiguous();
    for (const op of [softmax, logSoftmax, softmin]) {
      expect(list(op(x, 0).t().contiguous())).toEqual(list(op(transposed, 1)));
    }
  });

  it('put NaN in a row with a NaN or whose maximum is infinite, like PyTorch', () => {
    const x = tensor([[1, NAN, 2], [0, 1, 2], [-INF, -INF, -INF], [INF, 0, 1], [-INF, 0, 0]]);
    const result = softmax(x, 1).tolist() as number[][];
    expect(result[0]).toEqual([NAN, NAN, NAN]);
    expect(result[1]!.every(Number.isFinite)).toBe(true);
    expect(result[2]).toEqual([NAN, NAN, NAN]);
    expect(result[3]).toEqual([NAN, NAN, NAN]);
    expect(result[4]).toEqual([0, 0.5, 0.5]);
    expect((logSoftmax(x, 1).tolist() as number[][])[4]).toEqual([-INF, Math.fround(-Math.log(2)), Math.fround(-Math.log(2))]);
  });

  it('handle 0-d and empty inputs', () => {
    expect(softmax(tensor(3), 0).item()).toBe(1);
    expect(logSoftmax(tensor(3), -1).item()).toBe(0);
    expect(softmax(zeros([0, 3]), 0).shape).toEqual([0, 3]);
    expect(softmin(zeros([2, 0]), 1).shape).toEqual([2, 0]);
  });

  it('reject integer input and a dim out of range', () => {
    expect(() => softmax(tensor([1, 2], { dtype: 'int32' }), 0)).toThrow(
      new DTypeError("softmax: not implemented for 'int32' (expected float32 or float64)"),
    );
    expect(() => logSoftmax(tensor([true]), 0)).toThrow(new DTypeError("logSoftmax: not implemented for 'bool' (expected float32 or float64)"));
    expect(() => softmin(zeros([2, 3]), 2)).toThrow(
      new RangeError('softmin: dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    );
  });
});

describe('glu', () => {
  it('is a · sigmoid(b) for the halves of the dim, which it halves', () => {
    const x = tensor([[1, -2, 0, 3], [4, 5, -1, 100]], { dtype: 'float64' });
    const result = glu(x);
    expect(result.shape).toEqual([2, 2]);
    const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
    const expected = [1 * sigmoid(0), -2 * sigmoid(3), 4 * sigmoid(-1), 5 * sigmoid(100)];
    list(result).forEach((v, i) => expectClose(v, expected[i]!, 1e-15));
    const rows = glu(x, 0);
    expect(rows.shape).toEqual([1, 4]);
    list(rows).forEach((v, i) => expectClose(v, [1, -2, 0, 3][i]! * sigmoid([4, 5, -1, 100][i]!), 1e-15));
  });

  it('reads non-contiguous input and a middle dim', () => {
    const x = randomTensor([2, 6, 3], 'permuted', 5);
    const result = glu(x, -2);
    expect(result.shape).toEqual([2, 3, 3]);
    const values = x.toTypedArray();
    const out = result.toTypedArray();
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        for (let k = 0; k < 3; k++) {
          const a = values[i * 18 + j * 3 + k]!;
          const b = values[i * 18 + (j + 3) * 3 + k]!;
          expectClose(out[i * 9 + j * 3 + k]!, Math.fround(a / (1 + Math.exp(-b))), 2.4e-7, 1e-30);
        }
      }
    }
  });

  it('rejects an odd size, a 0-d input and integer input', () => {
    expect(() => glu(zeros([3, 5]))).toThrow(new ShapeError('glu: halving dimension must be even, but dimension 1 is size 5 (shape [3, 5])'));
    expect(() => glu(tensor(1))).toThrow(new ShapeError('glu: does not support 0-d tensors because halving size must be even, got shape []'));
    expect(() => glu(tensor([1, 2], { dtype: 'int32' }))).toThrow(new DTypeError("glu: not implemented for 'int32' (expected float32 or float64)"));
  });
});
