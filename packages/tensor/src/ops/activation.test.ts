import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DTypeError,
  type Tensor,
  celu,
  elu,
  gelu,
  glu,
  hardsigmoid,
  hardswish,
  hardtanh,
  installGradientRecorder,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  mish,
  randn,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softmax,
  softmin,
  softplus,
  softsign,
  tanh,
  tanhshrink,
  tensor,
  threshold,
} from '../index.js';
import { expectClose, randomTensor, reductionCase } from './reduction-test-support.js';

const NAN = Number.NaN;
const f64 = (values: number[]): Tensor => tensor(values, { dtype: 'float64' });
const list = (x: Tensor): number[] => Array.from(x.toTypedArray());

/** Every pointwise activation with default options, for the shared identities. */
const POINTWISE: [string, (x: Tensor) => Tensor][] = [
  ['relu', relu],
  ['relu6', relu6],
  ['leakyRelu', (x) => leakyRelu(x, 0.2)],
  ['elu', (x) => elu(x, 0.5)],
  ['selu', selu],
  ['celu', (x) => celu(x, 2)],
  ['gelu', gelu],
  ['gelu tanh', (x) => gelu(x, { approximate: 'tanh' })],
  ['silu', silu],
  ['mish', mish],
  ['sigmoid', sigmoid],
  ['logSigmoid', logSigmoid],
  ['tanh', tanh],
  ['softplus', (x) => softplus(x, { beta: 2, threshold: 3 })],
  ['softsign', softsign],
  ['hardtanh', (x) => hardtanh(x, -0.5, 2)],
  ['hardswish', hardswish],
  ['hardsigmoid', hardsigmoid],
  ['tanhshrink', tanhshrink],
  ['threshold', (x) => threshold(x, 0.25, -2)],
];

describe('piecewise-linear activations', () => {
  it('relu, relu6, leakyRelu, hardtanh and threshold follow their definitions at the kinks', () => {
    const x = f64([-7, -1, -0.5, 0, 0.25, 0.5, 3, 6, 7]);
    expect(list(relu(x))).toEqual([0, 0, 0, 0, 0.25, 0.5, 3, 6, 7]);
    expect(list(relu6(x))).toEqual([0, 0, 0, 0, 0.25, 0.5, 3, 6, 6]);
    expect(list(leakyRelu(x))).toEqual([-7 * 0.01, -0.01, -0.5 * 0.01, 0, 0.25, 0.5, 3, 6, 7]);
    expect(list(leakyRelu(x, -0.5))).toEqual([3.5, 0.5, 0.25, -0, 0.25, 0.5, 3, 6, 7]); // 0 · slope, as PyTorch
    expect(list(hardtanh(x))).toEqual([-1, -1, -0.5, 0, 0.25, 0.5, 1, 1, 1]);
    expect(list(hardtanh(x, -0.5, 2))).toEqual([-0.5, -0.5, -0.5, 0, 0.25, 0.5, 2, 2, 2]);
    // threshold replaces x <= threshold (the threshold itself included)
    expect(list(threshold(x, 0.25, -2))).toEqual([-2, -2, -2, -2, -2, 0.5, 3, 6, 7]);
  });

  it('keep int32 for relu, relu6, hardtanh and threshold, as PyTorch does', () => {
    const x = tensor([-3, 0, 4, 9], { dtype: 'int32' });
    expect(relu(x).dtype).toBe('int32');
    expect(relu(x).tolist()).toEqual([0, 0, 4, 9]);
    expect(relu6(x).tolist()).toEqual([0, 0, 4, 6]);
    expect(hardtanh(x, -2, 5).tolist()).toEqual([-2, 0, 4, 5]);
    expect(threshold(x, 0, 7).tolist()).toEqual([7, 7, 4, 9]);
  });

  it('let NaN through', () => {
    for (const op of [relu, relu6, (x: Tensor) => leakyRelu(x), (x: Tensor) => hardtanh(x), (x: Tensor) => threshold(x, 1, 5)]) {
      expect(op(tensor([NAN])).item()).toBeNaN();
    }
  });

  it('hardswish and hardsigmoid are exact at their kinks', () => {
    const x = f64([-4, -3, -1.5, 0, 1.5, 3, 4]);
    // hardsigmoid: clamp(x + 3, 0, 6) / 6; hardswish: x times that
    expect(list(hardsigmoid(x))).toEqual([0, 0, 0.25, 0.5, 0.75, 1, 1]);
    expect(list(hardswish(x))).toEqual([-0, -0, -0.375, 0, 1.125, 3, 4]);
  });
});

describe('smooth activations', () => {
  it('gelu is exact x · Φ(x): matches mpmath to 1e-15', () => {
    // 0.5 x (1 + erf(x / √2)) from mpmath at 40 digits.
    const reference: [number, number][] = [
      [-6, -5.9195258702261885e-9],
      [-3, -0.0040496940948902835],
      [-1, -0.15865525393145705],
      [-0.5, -0.15426876936299344],
      [-0.001, -0.000499601057786089],
      [0.25, 0.14967658142073093],
      [0.5, 0.34573123063700656],
      [1, 0.8413447460685429],
      [2, 1.9544997361036416],
      [3, 2.99595030590511],
      [6, 5.999999994080474],
    ];
    const actual = list(gelu(f64(reference.map(([x]) => x))));
    reference.forEach(([, expected], i) => expectClose(actual[i]!, expected, 1e-15, 1e-15));
  });

  it("gelu's tanh form is PyTorch's formula", () => {
    const xs = [-5, -1, -0.1, 0, 0.3, 2, 10];
    const actual = list(gelu(f64(xs), { approximate: 'tanh' }));
    xs.forEach((x, i) => {
      const expected = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
      expectClose(actual[i]!, expected, 1e-15, 1e-300);
    });
  });

  it('elu, selu and celu follow PyTorch formulas', () => {
    const xs = [-3, -1, -0.001, 0, 0.5, 2];
    const alpha = 1.6732632423543772;
    const scale = 1.0507009873554805;
    const elus = list(elu(f64(xs), 0.5));
    const selus = list(selu(f64(xs)));
    const celus = list(celu(f64(xs), 2));
    xs.forEach((x, i) => {
      expectClose(elus[i]!, x > 0 ? x : 0.5 * (Math.exp(x) - 1), 1e-12, 1e-300);
      expectClose(selus[i]!, scale * (x > 0 ? x : alpha * (Math.exp(x) - 1)), 1e-12, 1e-300);
      expectClose(celus[i]!, x > 0 ? x : 2 * (Math.exp(x / 2) - 1), 1e-12, 1e-300);
    });
  });

  it('sigmoid, silu, mish, logSigmoid, softplus, softsign, tanh and tanhshrink follow their formulas', () => {
    const xs = [-8, -2, -0.5, 0, 0.75, 3, 12];
    const results = {
      sigmoid: list(sigmoid(f64(xs))),
      silu: list(silu(f64(xs))),
      mish: list(mish(f64(xs))),
      logSigmoid: list(logSigmoid(f64(xs))),
      softplus: list(softplus(f64(xs))),
      softsign: list(softsign(f64(xs))),
      tanh: list(tanh(f64(xs))),
      tanhshrink: list(tanhshrink(f64(xs))),
    };
    xs.forEach((x, i) => {
      expectClose(results.sigmoid[i]!, 1 / (1 + Math.exp(-x)), 1e-15, 1e-300);
      expectClose(results.silu[i]!, x / (1 + Math.exp(-x)), 1e-15, 1e-300);
      expectClose(results.mish[i]!, x * Math.tanh(Math.log1p(Math.exp(x))), 1e-14, 1e-300);
      // log σ(x) = -log(1 + e^(-x))
      expectClose(results.logSigmoid[i]!, -Math.log1p(Math.exp(-x)), 1e-14, 1e-300);
      expectClose(results.softplus[i]!, Math.log1p(Math.exp(x)), 1e-14, 1e-300);
      expect(results.softsign[i]).toBe(x / (1 + Math.abs(x)));
      expect(results.tanh[i]).toBe(Math.tanh(x));
      expect(results.tanhshrink[i]).toBe(x - Math.tanh(x));
    });
  });

  it('stay finite and exact where naive formulas overflow', () => {
    const x = f64([-1000, 1000]);
    expect(list(sigmoid(x))).toEqual([0, 1]);
    expect(list(logSigmoid(x))).toEqual([-1000, 0]); // min(x, 0) - log1p(exp(-|x|))
    expect(list(softplus(x))).toEqual([0, 1000]);
    expect(list(silu(x))).toEqual([-0, 1000]);
    expect(list(mish(x))).toEqual([-0, 1000]);
    expect(list(gelu(x))).toEqual([-0, 1000]);
    expect(list(tanh(x))).toEqual([-1, 1]);
    // sigmoid(-40) keeps its relative precision instead of rounding 1 - tiny
    expectClose(sigmoid(f64([-40])).item(), Math.exp(-40) / (1 + Math.exp(-40)), 1e-15);
    // logSigmoid(-40) is finite (log of sigmoid would be log of a tiny but positive number)
    expectClose(logSigmoid(f64([-40])).item(), -40 - Math.log1p(Math.exp(-40)), 1e-15);
  });

  it('softplus switches to x above the threshold of beta · x', () => {
    const x = f64([0.4, 0.6, -3]);
    const actual = list(softplus(x, { beta: 2, threshold: 1 }));
    expectClose(actual[0]!, Math.log1p(Math.exp(0.8)) / 2, 1e-15);
    expect(actual[1]).toBe(0.6);
    expectClose(actual[2]!, Math.log1p(Math.exp(-6)) / 2, 1e-15);
    expect(list(softplus(f64([20, 20.5])))).toEqual([Math.log1p(Math.exp(20)), 20.5]);
  });
});

describe('every pointwise activation', () => {
  it('computes float32 as float64 rounded once', () => {
    const values = randomTensor([64], 'contiguous', 11).toTypedArray().map((v) => 3 * v);
    const single = tensor(values);
    const double = tensor(Float64Array.from(values));
    for (const [name, op] of POINTWISE) {
      const expected = list(op(double)).map(Math.fround);
      expect(list(op(single)), name).toEqual(expected);
    }
  });

  it('gives a contiguous result of the same shape, equal to the result on a contiguous copy', () => {
    fc.assert(
      fc.property(reductionCase(), ({ shape, layout, seed }) => {
        const x = randomTensor(shape, layout, seed);
        for (const [name, op] of POINTWISE) {
          const result = op(x);
          expect(result.shape, name).toEqual(shape);
          expect(result.isContiguous(), name).toBe(true);
          expect(list(result), name).toEqual(list(op(x.contiguous())));
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('activation dtypes and options', () => {
  it('sigmoid and tanh give float32 for int32 and bool, softsign and tanhshrink for int32', () => {
    const ints = tensor([-1, 0, 2], { dtype: 'int32' });
    expect(sigmoid(ints).dtype).toBe('float32');
    expect(list(sigmoid(ints))).toEqual([-1, 0, 2].map((x) => Math.fround(1 / (1 + Math.exp(-x)))));
    expect(list(tanh(tensor([true, false])))).toEqual([Math.fround(Math.tanh(1)), 0]);
    expect(list(softsign(ints))).toEqual([-0.5, 0, Math.fround(2 / 3)]);
    expect(tanhshrink(ints).dtype).toBe('float32');
  });

  it('reject int32 input where PyTorch has no integer kernel, naming the op', () => {
    const ints = tensor([1, 2], { dtype: 'int32' });
    const floatOnly: [string, (x: Tensor) => Tensor][] = [
      ['leakyRelu', (x) => leakyRelu(x)],
      ['elu', (x) => elu(x)],
      ['selu', selu],
      ['celu', (x) => celu(x)],
      ['gelu', (x) => gelu(x)],
      ['silu', silu],
      ['mish', mish],
      ['logSigmoid', logSigmoid],
      ['softplus', (x) => softplus(x)],
      ['hardswish', hardswish],
      ['hardsigmoid', hardsigmoid],
    ];
    for (const [name, op] of floatOnly) {
      expect(() => op(ints)).toThrow(new DTypeError(`${name}: not implemented for 'int32' (expected float32 or float64)`));
      expect(() => op(tensor([true]))).toThrow(new DTypeError(`${name}: not implemented for 'bool' (expected float32 or float64)`));
    }
  });

  it('reject bool input where PyTorch does', () => {
    const flags = tensor([true, false]);
    for (const [name, op] of [
      ['relu', relu],
      ['relu6', relu6],
      ['hardtanh', (x: Tensor) => hardtanh(x)],
      ['threshold', (x: Tensor) => threshold(x, 0, 1)],
      ['softsign', softsign],
      ['tanhshrink', tanhshrink],
    ] as const) {
      expect(() => op(flags)).toThrow(new DTypeError(`${name}: bool inputs are not supported (expected float32, float64 or int32)`));
    }
  });

  it('reject bad options', () => {
    const x = tensor([1, 2]);
    expect(() => celu(x, 0)).toThrow(new RangeError('celu: alpha cannot be 0 (it divides the input), got 0'));
    expect(() => hardtanh(x, 2, 1)).toThrow(new RangeError('hardtanh: minVal cannot be greater than maxVal (got minVal=2, maxVal=1)'));
    // @ts-expect-error 'erf' is not an approximation PyTorch knows
    expect(() => gelu(x, { approximate: 'erf' })).toThrow(new RangeError("gelu: approximate must be 'none' or 'tanh', got 'erf'"));
  });
});

describe('activation records and methods', () => {
  const records: { name: string; inputs: readonly Tensor[]; attributes: unknown }[] = [];
  beforeAll(() => {
    installGradientRecorder({
      record: (name, inputs, _output, attributes) => records.push({ name, inputs, attributes }),
      backward: () => undefined,
      rebase: (tensor, source) => tensor.setGradientNode(source.gradFn),
      observe: () => undefined,
    });
  });

  it('record each activation under its name with the options its gradient needs', () => {
    const x = randn([2, 4], { requiresGrad: true });
    leakyRelu(x, 0.3);
    elu(x, 0.5);
    celu(x, 2);
    gelu(x, { approximate: 'tanh' });
    softplus(x, { beta: 2 });
    hardtanh(x, -2, 3);
    threshold(x, 0.1, 7);
    softmax(x, -1);
    logSoftmax(x, 0);
    softmin(x, 1);
    glu(x, -1);
    relu(x);
    sigmoid(x);
    expect(records.map(({ name, attributes }) => [name, attributes])).toEqual([
      ['leakyRelu', { negativeSlope: 0.3 }],
      ['elu', { alpha: 0.5 }],
      ['celu', { alpha: 2 }],
      ['gelu', { approximate: 'tanh' }],
      ['softplus', { beta: 2, threshold: 20 }],
      ['hardtanh', { minVal: -2, maxVal: 3 }],
      ['threshold', { threshold: 0.1, value: 7 }],
      ['softmax', { dim: 1 }],
      ['logSoftmax', { dim: 0 }],
      ['softmin', { dim: 1 }],
      ['glu', { dim: 1 }],
      ['relu', {}],
      ['sigmoid', {}],
    ]);
    expect(records.every((record) => record.inputs.length === 1 && record.inputs[0] === x)).toBe(true);
  });

  it('are Tensor methods too', () => {
    const x = tensor([[-2, 0.5], [3, -0.25]]);
    expect(list(x.relu())).toEqual(list(relu(x)));
    expect(list(x.relu6())).toEqual(list(relu6(x)));
    expect(list(x.leakyRelu(0.2))).toEqual(list(leakyRelu(x, 0.2)));
    expect(list(x.elu(0.5))).toEqual(list(elu(x, 0.5)));
    expect(list(x.selu())).toEqual(list(selu(x)));
    expect(list(x.celu(2))).toEqual(list(celu(x, 2)));
    expect(list(x.gelu())).toEqual(list(gelu(x)));
    expect(list(x.gelu({ approximate: 'tanh' }))).toEqual(list(gelu(x, { approximate: 'tanh' })));
    expect(list(x.silu())).toEqual(list(silu(x)));
    expect(list(x.mish())).toEqual(list(mish(x)));
    expect(list(x.sigmoid())).toEqual(list(sigmoid(x)));
    expect(list(x.logSigmoid())).toEqual(list(logSigmoid(x)));
    expect(list(x.tanh())).toEqual(list(tanh(x)));
    expect(list(x.softmax(0))).toEqual(list(softmax(x, 0)));
    expect(list(x.logSoftmax(1))).toEqual(list(logSoftmax(x, 1)));
    expect(list(x.softmin(1))).toEqual(list(softmin(x, 1)));
    expect(list(x.softplus({ beta: 2 }))).toEqual(list(softplus(x, { beta: 2 })));
    expect(list(x.softsign())).toEqual(list(softsign(x)));
    expect(list(x.hardtanh(-0.5, 0.5))).toEqual([-0.5, 0.5, 0.5, -0.25]);
    expect(list(x.hardswish())).toEqual(list(hardswish(x)));
    expect(list(x.hardsigmoid())).toEqual(list(hardsigmoid(x)));
    expect(list(x.tanhshrink())).toEqual(list(tanhshrink(x)));
    expect(list(x.threshold(0, 9))).toEqual([9, 0.5, 3, 9]);
    expect(x.glu(0).shape).toEqual([1, 2]);
  });
});
