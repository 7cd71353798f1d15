import { DTypeError, Generator, ShapeError, type Tensor, isGradEnabled, manualSeed, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import {
  calculateFanInAndFanOut,
  calculateGain,
  constant_,
  dirac_,
  eye_,
  kaimingNormal_,
  kaimingUniform_,
  normal_,
  ones_,
  orthogonal_,
  truncNormal_,
  uniform_,
  xavierNormal_,
  xavierUniform_,
  zeros_,
} from './init.js';
import { init } from './index.js';
import { Parameter } from './parameter.js';

/** Sample mean and standard deviation (divisor n − 1), in float64. */
function moments(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const data = t.toTypedArray();
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of data) {
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  const mean = sum / data.length;
  let squares = 0;
  for (const value of data) squares += (value - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (data.length - 1)), min, max };
}

/** Checks 1e5-sample statistics against the formula's mean and std. */
function expectDistribution(t: Tensor, expectedMean: number, expectedStd: number): void {
  const { mean, std } = moments(t);
  // The sample mean's standard error is std/√n ≈ 0.3% of std; the sample std's about 0.2–0.3% of std.
  expect(Math.abs(mean - expectedMean)).toBeLessThan(5 * expectedStd / Math.sqrt(t.numel()));
  expect(Math.abs(std / expectedStd - 1)).toBeLessThan(0.015);
}

describe('calculateGain and fans', () => {
  it('matches torch.nn.init.calculate_gain (PyTorch 1.13 values)', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('conv2d')).toBe(1);
    expect(calculateGain('convTranspose3d')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBe(1.6666666666666667);
    expect(calculateGain('relu')).toBe(1.4142135623730951);
    expect(calculateGain('leakyRelu')).toBe(1.4141428569978354);
    expect(calculateGain('leakyRelu', 0.2)).toBe(1.3867504905630728);
    expect(calculateGain('leakyRelu', Math.sqrt(5))).toBe(0.5773502691896257);
    expect(calculateGain('selu')).toBe(0.75);
  });

  it('rejects unknown nonlinearities and bad slopes', () => {
    expect(() => calculateGain('leaky_relu' as never)).toThrow(
      new RangeError(
        "calculateGain: unsupported nonlinearity 'leaky_relu' (expected one of 'linear', 'conv1d', 'conv2d', 'conv3d', 'convTranspose1d', 'convTranspose2d', 'convTranspose3d', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'selu')",
      ),
    );
    expect(() => calculateGain('leakyRelu', true as never)).toThrow(new RangeError('calculateGain: negative slope true is not a valid number'));
  });

  it('computes fan in and fan out as torch.nn.init._calculate_fan_in_and_fan_out', () => {
    // PyTorch 1.13: (4,3) -> (3,4); (8,3,5) -> (15,40); (16,4,3,3) -> (36,144); (2,6,1,2,3) -> (36,12)
    expect(calculateFanInAndFanOut(zeros([4, 3]))).toEqual({ fanIn: 3, fanOut: 4 });
    expect(calculateFanInAndFanOut(zeros([8, 3, 5]))).toEqual({ fanIn: 15, fanOut: 40 });
    expect(calculateFanInAndFanOut(zeros([16, 4, 3, 3]))).toEqual({ fanIn: 36, fanOut: 144 });
    expect(calculateFanInAndFanOut(zeros([2, 6, 1, 2, 3]))).toEqual({ fanIn: 36, fanOut: 12 });
    expect(() => calculateFanInAndFanOut(zeros([5]))).toThrow(
      new ShapeError('calculateFanInAndFanOut: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got shape [5])'),
    );
  });
});

describe('random initializers: statistics over 1e5 samples', () => {
  it('kaimingUniform_: U(-b, b) with b = gain·√(3/fanIn)', () => {
    manualSeed(1);
    const weight = kaimingUniform_(zeros([1000, 100]));
    const std = Math.sqrt(2) / Math.sqrt(100);
    expectDistribution(weight, 0, std);
    const { min, max } = moments(weight);
    expect(max).toBeLessThanOrEqual(Math.sqrt(3) * std);
    expect(min).toBeGreaterThanOrEqual(-Math.sqrt(3) * std);
    expect(max).toBeGreaterThan(0.99 * Math.sqrt(3) * std);
  });

  it('kaimingUniform_ with a = √5 (the Linear/Conv default) and fanOut', () => {
    manualSeed(2);
    const weight = kaimingUniform_(zeros([50, 40, 5, 10]), { a: Math.sqrt(5), mode: 'fanOut' });
    // gain √(2/(1+5)), fanOut 50·50
    expectDistribution(weight, 0, Math.sqrt(2 / 6) / Math.sqrt(2500));
  });

  it('kaimingNormal_: N(0, gain²/fan)', () => {
    manualSeed(3);
    const weight = kaimingNormal_(zeros([200, 50, 10]), { mode: 'fanOut', nonlinearity: 'relu' });
    expectDistribution(weight, 0, Math.sqrt(2) / Math.sqrt(2000));
  });

  it('xavierUniform_ and xavierNormal_: std = gain·√(2/(fanIn + fanOut))', () => {
    manualSeed(4);
    const uniform = xavierUniform_(zeros([500, 200]), { gain: 2 });
    expectDistribution(uniform, 0, 2 * Math.sqrt(2 / 700));
    expect(moments(uniform).max).toBeLessThanOrEqual(Math.sqrt(3) * 2 * Math.sqrt(2 / 700));
    const normal = xavierNormal_(zeros([100, 300, 3]));
    expectDistribution(normal, 0, Math.sqrt(2 / 1200));
  });

  it('uniform_ and normal_ take their parameters', () => {
    manualSeed(5);
    const uniform = uniform_(zeros([100000], { dtype: 'float64' }), -1, 3);
    expectDistribution(uniform, 1, 4 / Math.sqrt(12));
    expect(moments(uniform).min).toBeGreaterThanOrEqual(-1);
    expectDistribution(normal_(zeros([100000]), 2, 0.5), 2, 0.5);
  });

  it('truncNormal_ matches the truncated normal moments and stays in [a, b]', () => {
    manualSeed(6);
    // Moments from the truncated-normal formulas (computed with Python's math.erf).
    const standard = truncNormal_(zeros([100000]));
    expectDistribution(standard, 0, 0.8796256610342398);
    expect(moments(standard).min).toBeGreaterThanOrEqual(-2);
    expect(moments(standard).max).toBeLessThanOrEqual(2);
    const shifted = truncNormal_(zeros([100000]), { mean: 1, std: 0.5, a: 0, b: 1 });
    expectDistribution(shifted, 0.6386051238773847, 0.2506572747793294);
    expect(moments(shifted).min).toBeGreaterThanOrEqual(0);
    expect(moments(shifted).max).toBeLessThanOrEqual(1);
  });
});

describe('random initializers: seeding and in-place writes', () => {
  it('draws the same values after the same seed, and from a given generator', () => {
    manualSeed(7);
    const first = kaimingUniform_(zeros([4, 3])).tolist();
    manualSeed(7);
    expect(kaimingUniform_(zeros([4, 3])).tolist()).toEqual(first);
    const a = normal_(zeros([5]), 0, 1, { generator: new Generator(11) }).tolist();
    const b = normal_(zeros([5]), 0, 1, { generator: new Generator(11) }).tolist();
    expect(a).toEqual(b);
    expect(a).not.toEqual(normal_(zeros([5]), 0, 1, { generator: new Generator(12) }).tolist());
  });

  it('writes in place through strides, bumps the version and records no gradient', () => {
    const parameter = new Parameter(zeros([3, 4]).t());
    const version = parameter.version;
    expect(init.ones_(parameter)).toBe(parameter);
    expect(parameter.version).toBe(version + 1);
    expect(Array.from(parameter.storage.data)).toEqual(new Array(12).fill(1));
    xavierUniform_(parameter);
    expect(parameter.isLeaf).toBe(true);
    expect(parameter.requiresGrad).toBe(true);
    expect(isGradEnabled()).toBe(true);
    // The transposed view [4, 3] has fanIn 3 and fanOut 4.
    expect(moments(parameter).max).toBeLessThanOrEqual(Math.sqrt(6 / 7));
  });

  it('leaves tensors with no elements unchanged', () => {
    const empty = zeros([0, 3]);
    expect(kaimingUniform_(empty)).toBe(empty);
    expect(xavierNormal_(zeros([0, 0])).shape).toEqual([0, 0]);
    expect(orthogonal_(zeros([0, 2])).shape).toEqual([0, 2]);
  });
});

describe('deterministic initializers', () => {
  it('constant_, zeros_ and ones_ fill every dtype', () => {
    expect(constant_(zeros([2, 2]), 0.5).tolist()).toEqual([[0.5, 0.5], [0.5, 0.5]]);
    expect(constant_(zeros([3], { dtype: 'int32' }), 2.7).tolist()).toEqual([2, 2, 2]);
    expect(ones_(zeros([2], { dtype: 'bool' })).tolist()).toEqual([true, true]);
    expect(zeros_(tensor([1, 2, 3])).tolist()).toEqual([0, 0, 0]);
  });

  it('eye_ fills an identity, rectangular included', () => {
    expect(eye_(zeros([2, 3])).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye_(tensor([[5, 5], [5, 5], [5, 5]])).tolist()).toEqual([[1, 0], [0, 1], [0, 0]]);
  });

  it('dirac_ sets the same entries as torch.nn.init.dirac_', () => {
    const nonzero = (t: Tensor): number[][] => {
      const result: number[][] = [];
      const data = t.toTypedArray();
      const strides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
      data.forEach((value, flat) => {
        if (value !== 0) result.push(strides.map((stride, d) => Math.floor(flat / stride) % t.shape[d]!));
      });
      return result;
    };
    // PyTorch 1.13: w.nonzero() after init.dirac_(w, groups) on these shapes.
    expect(nonzero(dirac_(zeros([4, 2, 3]), 2))).toEqual([[0, 0, 1], [1, 1, 1], [2, 0, 1], [3, 1, 1]]);
    expect(nonzero(dirac_(zeros([2, 3, 3, 2])))).toEqual([[0, 0, 1, 1], [1, 1, 1, 1]]);
    expect(nonzero(dirac_(zeros([3, 1, 2, 2, 3])))).toEqual([[0, 0, 1, 1, 1]]);
  });

  it('orthogonal_ gives orthonormal rows or columns times the gain', () => {
    const gram = (t: Tensor, rows: boolean): number[][] => {
      const m = t.shape[0]!;
      const n = t.numel() / m;
      const data = t.toTypedArray();
      const size = rows ? m : n;
      return Array.from({ length: size }, (_, i) =>
        Array.from({ length: size }, (_, j) => {
          let dot = 0;
          for (let k = 0; k < (rows ? n : m); k++) dot += rows ? data[i * n + k]! * data[j * n + k]! : data[k * n + i]! * data[k * n + j]!;
          return dot;
        }),
      );
    };
    const identityTimes = (size: number, value: number): number[][] =>
      Array.from({ length: size }, (_, i) => Array.from({ length: size }, (_, j) => (i === j ? value : 0)));
    manualSeed(8);
    const tall = orthogonal_(zeros([6, 3], { dtype: 'float64' }));
    gram(tall, false).forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(identityTimes(3, 1)[i]![j]!, 12)));
    const wide = orthogonal_(zeros([3, 2, 4], { dtype: 'float64' }), { gain: 2 });
    gram(wide, true).forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(identityTimes(3, 4)[i]![j]!, 12)));
  });
});

describe('initializer errors', () => {
  it('name the initializer, the expected and the actual value', () => {
    const ints = zeros([2, 2], { dtype: 'int32' });
    expect(() => uniform_(ints)).toThrow(new DTypeError('uniform_: expected a floating point tensor, got int32'));
    expect(() => kaimingNormal_(ints)).toThrow(new DTypeError('kaimingNormal_: expected a floating point tensor, got int32'));
    expect(() => uniform_(zeros([2]), 2, 1)).toThrow(new RangeError('uniform_: expects a [a, b) range with a <= b, got a=2, b=1'));
    expect(() => uniform_(zeros([2]), 0, Infinity)).toThrow(new RangeError('uniform_: bounds must be finite, got a=0, b=Infinity'));
    expect(() => normal_(zeros([2]), 0, -1)).toThrow(new RangeError('normal_: expects std >= 0, got std=-1'));
    expect(() => truncNormal_(zeros([2]), { a: 1, b: 1 })).toThrow(new RangeError('truncNormal_: expected the cutoffs a < b, got a=1, b=1'));
    expect(() => kaimingUniform_(zeros([2, 2]), { mode: 'fan_in' as never })).toThrow(
      new RangeError("kaimingUniform_: mode 'fan_in' is not supported, use 'fanIn' or 'fanOut'"),
    );
    expect(() => xavierUniform_(zeros([3]))).toThrow(
      new ShapeError('xavierUniform_: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got shape [3])'),
    );
    expect(() => kaimingUniform_(zeros([3]))).toThrow(
      new ShapeError('kaimingUniform_: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got shape [3])'),
    );
    expect(() => eye_(zeros([2, 2, 2]))).toThrow(new ShapeError('eye_: only tensors with 2 dimensions are supported, got shape [2, 2, 2]'));
    expect(() => dirac_(zeros([2, 2]))).toThrow(new ShapeError('dirac_: only tensors with 3, 4, or 5 dimensions are supported, got shape [2, 2]'));
    expect(() => dirac_(zeros([3, 2, 2]), 2)).toThrow(new RangeError('dirac_: dim 0 (size 3) must be divisible by groups, got groups=2'));
    expect(() => orthogonal_(zeros([4]))).toThrow(new ShapeError('orthogonal_: only tensors with 2 or more dimensions are supported, got shape [4]'));
    expect(() => constant_(zeros([1]), '1' as never)).toThrow(new TypeError('constant_: expected a number, got string'));
    expect(() => zeros_([1, 2] as never)).toThrow(new TypeError('zeros_: expected tensor to be a Tensor, got an array'));
  });

  it('change nothing when they throw', () => {
    const weight = zeros([3]);
    expect(() => xavierUniform_(weight)).toThrow(ShapeError);
    expect(weight.tolist()).toEqual([0, 0, 0]);
    expect(weight.version).toBe(0);
  });
});
