import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DTypeError,
  Generator,
  type Tensor,
  all,
  amax,
  amin,
  any,
  arange,
  argmax,
  argmin,
  installGradientRecorder,
  logsumexp,
  max,
  maxWithIndices,
  min,
  mean,
  norm,
  prod,
  randint,
  randn,
  std,
  sum,
  tensor,
  var as variance,
  zeros,
} from '../index.js';
import {
  expectClose,
  expectedReducedShape,
  groupsOf,
  randomTensor,
  reductionCase,
  referenceVariance,
} from './reduction-test-support.js';

const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

describe('sum', () => {
  it('sums integers exactly over one dim, a list of dims and all dims', () => {
    const x = arange(24).reshape(2, 3, 4); // x[i][j][k] = 12i + 4j + k
    // Σ_j (12i + 4j + k) = 36i + 12 + 3k
    expect(sum(x, 1).tolist()).toEqual([
      [12, 15, 18, 21],
      [48, 51, 54, 57],
    ]);
    // Σ_{i,k} = 2·4·4j + Σ_i 12i·4 + Σ_k k·2 = 32j + 48 + 12
    expect(sum(x, [0, 2]).tolist()).toEqual([60, 92, 124]);
    expect(sum(x, [2, 0]).tolist()).toEqual([60, 92, 124]);
    expect(sum(x).item()).toBe((23 * 24) / 2);
    expect(sum(x, []).item()).toBe(276);
    expect(sum(x, -1, true).shape).toEqual([2, 3, 1]);
    expect(sum(x, null, true).shape).toEqual([1, 1, 1]);
  });

  it('gives int32 for int32 and bool input and keeps float dtypes', () => {
    const ints = tensor([[1, -2], [3, 4]], { dtype: 'int32' });
    expect(sum(ints).dtype).toBe('int32');
    expect(sum(ints, 0).tolist()).toEqual([4, 2]);
    const flags = tensor([true, false, true, true]);
    expect(sum(flags).dtype).toBe('int32');
    expect(sum(flags).item()).toBe(3);
    expect(sum(tensor([1.5, 2.25], { dtype: 'float64' })).dtype).toBe('float64');
    expect(sum(tensor([1.5, 2.25])).dtype).toBe('float32');
  });

  it('sums over all dims at once as it does dim by dim (integer-valued floats: exact)', () => {
    fc.assert(
      fc.property(reductionCase(), ({ shape, seed }) => {
        const x = randint(-50, 50, shape, { generator: new Generator(seed) }).float();
        let stepwise = x;
        for (let d = shape.length - 1; d >= 0; d--) stepwise = sum(stepwise, d);
        expect(sum(x).item()).toBe(stepwise.item());
      }),
    );
  });

  it('follows the reduced-shape rule and a float64 reference loop on random shapes, dims and layouts', () => {
    fc.assert(
      fc.property(reductionCase(), ({ shape, dims, keepdim, layout, seed }) => {
        const x = randomTensor(shape, layout, seed);
        const result = sum(x, dims.length === 0 ? null : dims, keepdim);
        const reduced = dims.length === 0 ? shape.map((_, d) => d) : dims;
        expect(result.shape).toEqual(expectedReducedShape(shape, reduced, keepdim));
        const groups = groupsOf(x.toTypedArray(), shape, reduced);
        const actual = result.toTypedArray();
        groups.forEach((group, o) => expectClose(actual[o]!, Math.fround(group.reduce((a, b) => a + b, 0)), 2.4e-7, 1e-6));
      }),
    );
  });

  it('gives 0 over an empty dim, and reduces nothing for a 0-d input', () => {
    expect(sum(zeros([0, 3]), 0).tolist()).toEqual([0, 0, 0]);
    expect(sum(zeros([3, 0]), 1).tolist()).toEqual([0, 0, 0]);
    expect(sum(zeros([0])).item()).toBe(0);
    const scalar = tensor(2.5);
    expect(sum(scalar, 0).shape).toEqual([]);
    expect(sum(scalar, -1, true).shape).toEqual([]);
    expect(sum(scalar).item()).toBe(2.5);
  });

  it('propagates NaN and infinities', () => {
    expect(sum(tensor([1, NAN, 2])).item()).toBeNaN();
    expect(sum(tensor([1, INF, 2])).item()).toBe(INF);
    expect(sum(tensor([INF, -INF])).item()).toBeNaN();
  });

  it('rejects bad dims with the op, the range and the value', () => {
    const x = zeros([2, 3]);
    expect(() => sum(x, 2)).toThrow(new RangeError('sum: dimension out of range (expected to be in range of [-2, 1], but got 2)'));
    expect(() => sum(x, [0, -2])).toThrow(new RangeError('sum: dim 0 appears multiple times in the list of dims [0, -2]'));
    expect(() => sum(x, 0.5)).toThrow(RangeError);
    expect(() => sum(tensor(1), [0, -1])).toThrow(new RangeError('sum: dim 0 appears multiple times in the list of dims [0, -1]'));
  });
});

describe('mean and prod', () => {
  it('computes exact means and products of small integers', () => {
    const x = arange(1, 7).reshape(2, 3); // [[1, 2, 3], [4, 5, 6]]
    expect(mean(x, 1).tolist()).toEqual([2, 5]);
    expect(mean(x, 0, true).tolist()).toEqual([[2.5, 3.5, 4.5]]);
    expect(mean(x).item()).toBe(3.5);
    expect(prod(x, 1).tolist()).toEqual([6, 120]);
    expect(prod(x).item()).toBe(720);
    expect(prod(tensor([[2, 3], [4, 5]], { dtype: 'int32' }), 0).tolist()).toEqual([8, 15]);
    expect(prod(tensor([[2, 3], [4, 5]], { dtype: 'int32' })).dtype).toBe('int32');
    expect(prod(tensor([true, true])).dtype).toBe('int32');
  });

  it('gives NaN (mean) and 1 (prod) over an empty dim', () => {
    expect(mean(zeros([0, 2]), 0).tolist()).toEqual([NAN, NAN]);
    expect(prod(zeros([0, 2]), 0).tolist()).toEqual([1, 1]);
  });

  it('match float64 reference loops on random shapes, dims and layouts', () => {
    fc.assert(
      fc.property(reductionCase(), ({ shape, dims, keepdim, layout, seed }) => {
        const x = randomTensor(shape, layout, seed);
        const groups = groupsOf(x.toTypedArray(), shape, dims.length === 0 ? shape.map((_, d) => d) : dims);
        const means = mean(x, dims, keepdim).toTypedArray();
        const products = prod(x, dims, keepdim).toTypedArray();
        groups.forEach((group, o) => {
          expectClose(means[o]!, Math.fround(group.reduce((a, b) => a + b, 0) / group.length), 2.4e-7, 1e-6);
          expectClose(products[o]!, Math.fround(group.reduce((a, b) => a * b, 1)), 2.4e-7, 1e-30);
        });
      }),
    );
  });

  it('rejects integer input to mean, naming the dtype', () => {
    expect(() => mean(tensor([1, 2], { dtype: 'int32' }))).toThrow(
      new DTypeError('mean: could not infer output dtype; input dtype must be floating point (float32 or float64), got int32'),
    );
    expect(() => mean(tensor([true]))).toThrow(DTypeError);
    expect(() => prod(zeros([2]), 1)).toThrow(new RangeError('prod: dimension out of range (expected to be in range of [-1, 0], but got 1)'));
  });
});

describe('logsumexp', () => {
  it('is log Σ exp, shifted so large inputs do not overflow', () => {
    expect(logsumexp(tensor([0, 0, 0, 0], { dtype: 'float64' })).item()).toBe(Math.log(4));
    // log(e^1000 + e^1000) = 1000 + log 2
    expect(logsumexp(tensor([1000, 1000], { dtype: 'float64' })).item()).toBe(1000 + Math.log(2));
    expect(logsumexp(tensor([-1000, -1000], { dtype: 'float64' })).item()).toBe(-1000 + Math.log(2));
    expect(logsumexp(tensor([[1, 2], [3, 4]], { dtype: 'float64' }), 1).tolist()).toEqual([
      2 + Math.log(1 + Math.exp(-1)),
      4 + Math.log(1 + Math.exp(-1)),
    ]);
  });

  it('handles infinities like PyTorch and gives -∞ over an empty dim', () => {
    expect(logsumexp(tensor([INF, 1])).item()).toBe(INF);
    expect(logsumexp(tensor([-INF, -INF])).item()).toBe(-INF);
    expect(logsumexp(tensor([-INF, 0])).item()).toBe(0);
    expect(logsumexp(tensor([NAN, 1])).item()).toBeNaN();
    expect(logsumexp(zeros([0, 2]), 0).tolist()).toEqual([-INF, -INF]);
    expect(logsumexp(tensor([[NAN, -INF], [1, -INF], [INF, -INF]]), 0).tolist()).toEqual([NAN, -INF]);
  });

  it('gives float32 for int32 input', () => {
    const result = logsumexp(tensor([0, 0], { dtype: 'int32' }));
    expect(result.dtype).toBe('float32');
    expect(result.item()).toBe(Math.fround(Math.log(2)));
  });

  it('matches a float64 reference on random shapes, dims and layouts', () => {
    fc.assert(
      fc.property(reductionCase(), ({ shape, dims, keepdim, layout, seed }) => {
        const x = randomTensor(shape, layout, seed);
        const groups = groupsOf(x.toTypedArray(), shape, dims.length === 0 ? shape.map((_, d) => d) : dims);
        const actual = logsumexp(x, dims, keepdim).toTypedArray();
        groups.forEach((group, o) => {
          const maximum = Math.max(...group);
          const shift = Number.isFinite(maximum) ? maximum : 0;
          const expected = Math.log(group.reduce((a, b) => a + Math.exp(b - shift), 0)) + shift;
          expectClose(actual[o]!, Math.fround(expected), 2.4e-7, 1e-6);
        });
      }),
    );
  });
});

describe('var and std', () => {
  it('computes the unbiased and population variance exactly for small integers', () => {
    const x = tensor([1, 2, 3, 4], { dtype: 'float64' });
    // mean 2.5, Σ (x - mean)² = 5
    expect(variance(x).item()).toBe(5 / 3);
    expect(variance(x, null, { correction: 0 }).item()).toBe(5 / 4);
    expect(variance(x, 0, { correction: 2 }).item()).toBe(5 / 2);
    expect(std(x, null, { correction: 0 }).item()).toBe(Math.sqrt(1.25));
    const rows = tensor([[1, 3], [2, 2]]);
    expect(variance(rows, 1).tolist()).toEqual([2, 0]);
    expect(variance(rows, 1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(std(rows, 0, { correction: 0, keepdim: true }).tolist()).toEqual([[0.5, 0.5]]);
  });

  it('is exact for a large mean and a small spread (two-pass, never E[x²] - E[x]²)', () => {
    // 1e8 + d with d in {0, 0.25, 0.5, 0.75, 1} are exact doubles; Σ (d - 0.5)² = 0.625.
    const x = tensor([1e8, 1e8 + 0.25, 1e8 + 0.5, 1e8 + 0.75, 1e8 + 1], { dtype: 'float64' });
    expect(variance(x).item()).toBe(0.625 / 4);
    expect(variance(x, null, { correction: 0 }).item()).toBe(0.625 / 5);
  });

  it('matches a two-pass float64 reference for float32 values 1e4 + small noise', () => {
    const noise = randn([1000], { generator: new Generator(7) });
    const x = tensor(noise.toTypedArray().map((n) => 1e4 + 1e-2 * n));
    const stored = Array.from(x.toTypedArray());
    const expected = referenceVariance(stored, 1);
    expect(expected).toBeGreaterThan(5e-5); // the spread survived float32 storage
    expectClose(variance(x).item(), Math.fround(expected), 1.2e-7);
    expectClose(std(x).item(), Math.fround(Math.sqrt(expected)), 1.2e-7);
  });

  it('divides by max(N - correction, 0) like PyTorch: NaN or ∞ when nothing is left', () => {
    expect(variance(tensor([1.5])).item()).toBeNaN();
    expect(variance(tensor([1, 2, 3, 4]), null, { correction: 5 }).item()).toBe(INF);
    expect(variance(zeros([0, 3]), 0).tolist()).toEqual([NAN, NAN, NAN]);
    expect(std(zeros([0])).item()).toBeNaN();
  });

  it('match float64 reference loops on random shapes, dims, corrections and layouts', () => {
    fc.assert(
      fc.property(reductionCase(), fc.constantFrom(0, 1, 2), ({ shape, dims, keepdim, layout, seed }, correction) => {
        const x = randomTensor(shape, layout, seed);
        const groups = groupsOf(x.toTypedArray(), shape, dims.length === 0 ? shape.map((_, d) => d) : dims);
        const variances = variance(x, dims, { correction, keepdim });
        expect(variances.shape).toEqual(expectedReducedShape(shape, dims.length === 0 ? shape.map((_, d) => d) : dims, keepdim));
        const deviations = std(x, dims, { correction, keepdim }).toTypedArray();
        groups.forEach((group, o) => {
          const expected = referenceVariance(group, correction);
          expectClose(variances.toTypedArray()[o]!, Math.fround(expected), 2.4e-7, 1e-30);
          expectClose(deviations[o]!, Math.fround(Math.sqrt(expected)), 2.4e-7, 1e-30);
        });
      }),
    );
  });

  it('rejects integer input and a non-finite correction', () => {
    expect(() => variance(tensor([1, 2], { dtype: 'int32' }))).toThrow(
      new DTypeError('var: std and var only support floating point dtypes (float32 or float64), got int32'),
    );
    expect(() => std(tensor([true]))).toThrow(
      new DTypeError('std: std and var only support floating point dtypes (float32 or float64), got bool'),
    );
    expect(() => variance(tensor([1, 2]), null, { correction: NAN })).toThrow(
      new RangeError('var: correction must be a finite number, got NaN'),
    );
  });
});

describe('all and any', () => {
  it('tests for nonzero elements (NaN is nonzero, -0 is zero) and give bool', () => {
    expect(all(tensor([1, NAN, 2])).item()).toBe(1);
    expect(all(tensor([1, -0, 2])).item()).toBe(0);
    expect(any(tensor([0, -0])).item()).toBe(0);
    expect(any(tensor([0, NAN])).item()).toBe(1);
    expect(all(tensor([1, 2])).dtype).toBe('bool');
    const flags = tensor([[true, false], [true, true]]);
    expect(all(flags, 1).tolist()).toEqual([false, true]);
    expect(any(flags, 0, true).tolist()).toEqual([[true, true]]);
    expect(all(tensor([[1, 0], [2, 3]], { dtype: 'int32' }), 0).tolist()).toEqual([true, false]);
  });

  it('are true (all) and false (any) over an empty dim', () => {
    expect(all(zeros([0, 2]), 0).tolist()).toEqual([true, true]);
    expect(any(zeros([0, 2]), 0).tolist()).toEqual([false, false]);
  });

  it('match reference loops on random shapes, dims and layouts', () => {
    fc.assert(
      fc.property(reductionCase(), ({ shape, dims, keepdim, layout, seed }) => {
        // Rounded normals are often exactly zero, so both outcomes occur.
        const x = randomTensor(shape, layout, seed).toTypedArray().map(Math.round);
        const source = tensor(x, { shape });
        const groups = groupsOf(x, shape, dims.length === 0 ? shape.map((_, d) => d) : dims);
        const everything = all(source, dims, keepdim).toTypedArray();
        const something = any(source, dims, keepdim).toTypedArray();
        groups.forEach((group, o) => {
          expect(everything[o]).toBe(group.every((v) => v !== 0) ? 1 : 0);
          expect(something[o]).toBe(group.some((v) => v !== 0) ? 1 : 0);
        });
      }),
    );
  });
});

describe('norm', () => {
  it('computes p-norms of small integer vectors exactly', () => {
    const x = tensor([3, -4], { dtype: 'float64' });
    expect(norm(x).item()).toBe(5);
    expect(norm(x, 'fro').item()).toBe(5);
    expect(norm(x, 1).item()).toBe(7);
    expect(norm(x, INF).item()).toBe(4);
    expect(norm(x, -INF).item()).toBe(3);
    expect(norm(tensor([0, 1, -2, 0]), 0).item()).toBe(2);
    expect(norm(tensor([[1, -2], [3, 0]]), 1, 1).tolist()).toEqual([3, 3]);
    expect(norm(tensor([[3, 4], [0, 0]]), 2, 1, true).tolist()).toEqual([[5], [0]]);
    // (1 + 8)^(1/3) for |x| = [1, 2], p = 3
    expect(norm(tensor([1, -2], { dtype: 'float64' }), 3).item()).toBe(9 ** (1 / 3));
  });

  it('gives 0 over an empty dim for every p, and follows PyTorch at zeros and NaN', () => {
    for (const p of [2, 1, 0, 3, -1, INF, -INF]) expect(norm(zeros([0, 2]), p, 0).tolist()).toEqual([0, 0]);
    expect(norm(zeros([3]), -1).item()).toBe(0);
    expect(norm(tensor([NAN, 0]), 0).item()).toBe(1);
    expect(norm(tensor([1, NAN]), INF).item()).toBeNaN();
  });

  it('matches float64 reference loops on random shapes, dims, orders and layouts', () => {
    fc.assert(
      fc.property(reductionCase(), fc.constantFrom(2, 1, 3, 0.5, INF, -INF), ({ shape, dims, keepdim, layout, seed }, p) => {
        const x = randomTensor(shape, layout, seed);
        const groups = groupsOf(x.toTypedArray(), shape, dims.length === 0 ? shape.map((_, d) => d) : dims);
        const actual = norm(x, p, dims, keepdim).toTypedArray();
        groups.forEach((group, o) => {
          const magnitudes = group.map(Math.abs);
          let expected: number;
          if (group.length === 0) expected = 0;
          else if (p === INF) expected = Math.max(...magnitudes);
          else if (p === -INF) expected = Math.min(...magnitudes);
          else expected = magnitudes.reduce((a, b) => a + b ** p, 0) ** (1 / p);
          expectClose(actual[o]!, Math.fround(expected), 4.8e-7, 1e-30);
        });
      }),
    );
  });

  it('rejects integer input and an unsupported p', () => {
    expect(() => norm(tensor([1, 2], { dtype: 'int32' }))).toThrow(
      new DTypeError('norm: input dtype should be floating point (float32 or float64), got int32'),
    );
    // @ts-expect-error 'nuc' (the nuclear matrix norm) is not supported
    expect(() => norm(tensor([1, 2]), 'nuc')).toThrow(new RangeError("norm: p must be a number (Infinity allowed) or 'fro', got 'nuc'"));
    expect(() => norm(tensor([1, 2]), NAN)).toThrow(new RangeError("norm: p must be a number (Infinity allowed) or 'fro', got NaN"));
  });
});

describe('reduction records and methods', () => {
  const records: { name: string; inputs: readonly Tensor[]; output: Tensor; attributes: unknown }[] = [];
  beforeAll(() => {
    installGradientRecorder({
      record: (name, inputs, output, attributes) => records.push({ name, inputs, output, attributes }),
      backward: () => undefined,
      rebase: (tensor, source) => tensor.setGradientNode(source.gradFn),
      observe: () => undefined,
    });
  });
  beforeEach(() => {
    records.length = 0;
  });

  it('record differentiable reductions with what their gradients need', () => {
    const x = randn([2, 3, 4], { requiresGrad: true });
    const total = sum(x, [2, -3], true);
    expect(records.at(-1)).toEqual({ name: 'sum', inputs: [x], output: total, attributes: { inputShape: [2, 3, 4], dims: [0, 2], keepdim: true } });
    const deviation = std(x, 1, { correction: 0 });
    expect(records.at(-1)!.attributes).toEqual({ inputShape: [2, 3, 4], dims: [1], correction: 0, keepdim: false });
    expect(records.at(-1)!.output).toBe(deviation);
    norm(x, 'fro');
    expect(records.at(-1)).toMatchObject({ name: 'norm', attributes: { p: 2, dims: [0, 1, 2], keepdim: false } });
    const { values, indices } = maxWithIndices(x, -1);
    expect(records.at(-1)).toMatchObject({ name: 'maxWithIndices', output: values, attributes: { dim: 2, keepdim: false } });
    expect((records.at(-1)!.attributes as { indices: Tensor }).indices).toBe(indices);
    max(x, 0);
    expect(records.at(-1)!.name).toBe('maxWithIndices');
    min(x);
    expect(records.at(-1)).toMatchObject({ name: 'min', attributes: { dims: [0, 1, 2], keepdim: false } });
    for (const op of [mean, prod, logsumexp, amax, amin] as const) {
      op(x, 1);
      expect(records.at(-1)).toMatchObject({ attributes: { inputShape: [2, 3, 4], dims: [1], keepdim: false } });
    }
    expect(records.map((record) => record.name).slice(-5)).toEqual(['mean', 'prod', 'logsumexp', 'amax', 'amin']);
  });

  it('record nothing for inputs without grad, and nothing for argmax, all or any', () => {
    sum(randn([3]));
    const x = randn([3], { requiresGrad: true });
    argmax(x);
    argmin(x, 0);
    all(x);
    any(x);
    expect(records).toEqual([]);
  });

  it('are Tensor methods too', () => {
    const x = arange(1, 7).reshape(2, 3);
    expect(x.sum(1).tolist()).toEqual([6, 15]);
    expect(x.mean(0, true).tolist()).toEqual([[2.5, 3.5, 4.5]]);
    expect(x.prod().item()).toBe(720);
    expect(x.amax(1).tolist()).toEqual([3, 6]);
    expect(x.amin([0, 1]).item()).toBe(1);
    expect(x.logsumexp(1).tolist()).toEqual(logsumexp(x, 1).tolist());
    expect(x.max().item()).toBe(6);
    expect(x.min(1).tolist()).toEqual([1, 4]);
    expect(x.maxWithIndices(0).indices.tolist()).toEqual([1, 1, 1]);
    expect(x.minWithIndices(1, true).values.tolist()).toEqual([[1], [4]]);
    expect(x.argmax().item()).toBe(5);
    expect(x.argmin(1).tolist()).toEqual([0, 0]);
    expect(x.var(1).tolist()).toEqual([1, 1]);
    expect(x.std(1, { correction: 0 }).tolist()).toEqual(std(x, 1, { correction: 0 }).tolist());
    expect(x.all().item()).toBe(1);
    expect(x.any(0).tolist()).toEqual([true, true, true]);
    expect(x.norm(1).item()).toBe(21);
  });
});
