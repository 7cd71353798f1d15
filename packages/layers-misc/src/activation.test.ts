import { gradcheck, gradgradcheck, noGrad } from '@strata/autograd';
import { Parameter } from '@strata/module';
import { DTypeError, ShapeError, type Tensor, ones, randn, tensor, zeros } from '@strata/tensor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CELU,
  ELU,
  GELU,
  GLU,
  Hardsigmoid,
  Hardswish,
  Hardtanh,
  LeakyReLU,
  LogSoftmax,
  Mish,
  PReLU,
  ReLU,
  ReLU6,
  SELU,
  SiLU,
  Sigmoid,
  Softmax,
  Softmin,
  Softplus,
  Softsign,
  Tanh,
  Tanhshrink,
  Threshold,
  prelu,
  setWarningSink,
} from './index.js';

describe('in-place activations', () => {
  const layers: [string, () => { forward(input: Tensor): Tensor }, () => { forward(input: Tensor): Tensor }][] = [
    ['ReLU', () => new ReLU({ inplace: true }), () => new ReLU()],
    ['ReLU6', () => new ReLU6({ inplace: true }), () => new ReLU6()],
    ['LeakyReLU', () => new LeakyReLU(0.2, { inplace: true }), () => new LeakyReLU(0.2)],
    ['ELU', () => new ELU(0.5, { inplace: true }), () => new ELU(0.5)],
    ['SELU', () => new SELU({ inplace: true }), () => new SELU()],
    ['CELU', () => new CELU(2, { inplace: true }), () => new CELU(2)],
    ['SiLU', () => new SiLU({ inplace: true }), () => new SiLU()],
    ['Mish', () => new Mish({ inplace: true }), () => new Mish()],
    ['Hardtanh', () => new Hardtanh(-0.5, 0.5, { inplace: true }), () => new Hardtanh(-0.5, 0.5)],
    ['Hardswish', () => new Hardswish({ inplace: true }), () => new Hardswish()],
    ['Hardsigmoid', () => new Hardsigmoid({ inplace: true }), () => new Hardsigmoid()],
    ['Threshold', () => new Threshold(0.1, 5, { inplace: true }), () => new Threshold(0.1, 5)],
  ];
  for (const [name, inplace, outOfPlace] of layers) {
    it(`${name} writes into its input, returns it, and keeps the gradient of the out-of-place layer`, () => {
      const base = randn([3, 4], { requiresGrad: true });
      const expected = outOfPlace().forward(base);
      expected.backward(ones([3, 4]));
      const expectedGrad = base.grad!.toTypedArray();
      base.grad = null;

      const target = base.mul(1);
      const output = inplace().forward(target);
      expect(output).toBe(target);
      expect(Array.from(output.toTypedArray())).toEqual(Array.from(expected.toTypedArray()));
      output.backward(ones([3, 4]));
      expect(Array.from(base.grad!.toTypedArray())).toEqual(Array.from(expectedGrad));
    });
  }

  it('refuses a leaf that requires grad, leaving it unchanged, and works on it under noGrad', () => {
    const leaf = tensor([-1, 2], { requiresGrad: true });
    expect(() => new ELU(1, { inplace: true }).forward(leaf)).toThrow(
      new Error('ELU: a leaf Variable that requires grad is being used in an in-place operation.'),
    );
    expect(() => new ReLU({ inplace: true }).forward(leaf)).toThrow('ReLU: a leaf Variable that requires grad');
    expect(leaf.tolist()).toEqual([-1, 2]);
    noGrad(() => new ReLU({ inplace: true }).forward(leaf));
    expect(leaf.tolist()).toEqual([0, 2]);
  });

  it('prints inplace as PyTorch does (never for Hardswish and Hardsigmoid)', () => {
    expect(new ReLU({ inplace: true }).toString()).toBe('ReLU(inplace=True)');
    expect(new LeakyReLU(0.01, { inplace: true }).toString()).toBe('LeakyReLU(negative_slope=0.01, inplace=True)');
    expect(new Hardswish({ inplace: true }).toString()).toBe('Hardswish()');
    expect(new Hardsigmoid({ inplace: true }).toString()).toBe('Hardsigmoid()');
  });
});

describe('activation layers', () => {
  it('print their options as PyTorch does, numbers typed float as Python floats', () => {
    expect(new LeakyReLU(1e-5).toString()).toBe('LeakyReLU(negative_slope=1e-05)');
    expect(new ELU().toString()).toBe('ELU(alpha=1.0)');
    expect(new CELU(2).toString()).toBe('CELU(alpha=2.0)');
    expect(new Hardtanh().toString()).toBe('Hardtanh(min_val=-1.0, max_val=1.0)');
    expect(new Threshold(0.1, 20).toString()).toBe('Threshold(threshold=0.1, value=20.0)');
    expect(new Softplus().toString()).toBe('Softplus(beta=1, threshold=20)');
    expect(new Softplus({ beta: 0.5 }).toString()).toBe('Softplus(beta=0.5, threshold=20)');
    expect(new GELU().toString()).toBe("GELU(approximate='none')");
    expect(new Softmax().toString()).toBe('Softmax(dim=None)');
    expect(new LogSoftmax(-1).toString()).toBe('LogSoftmax(dim=-1)');
    expect(new GLU().toString()).toBe('GLU(dim=-1)');
    expect(new PReLU().toString()).toBe('PReLU(num_parameters=1)');
    for (const layer of [new SELU(), new SiLU(), new Mish(), new Sigmoid(), new Tanh(), new Softsign(), new Tanhshrink(), new ReLU6()]) {
      expect(layer.toString()).toBe(`${layer.constructor.name}()`);
      expect(Object.keys(layer.stateDict())).toEqual([]);
    }
  });

  it('reject bad options in the constructor, naming the layer and the argument', () => {
    expect(() => new Hardtanh(1, 1)).toThrow(new RangeError('Hardtanh: maxVal must be greater than minVal, got minVal=1, maxVal=1'));
    expect(() => new CELU(0)).toThrow(new RangeError('CELU: alpha cannot be 0 (it divides the input), got 0'));
    expect(() => new LeakyReLU(Number.NaN)).toThrow(new RangeError('LeakyReLU: negativeSlope must be a finite number, got NaN'));
    expect(() => new GELU({ approximate: 'erf' as 'none' })).toThrow(new RangeError("GELU: approximate must be 'none' or 'tanh', got 'erf'"));
    expect(() => new Softmax(1.5)).toThrow(new RangeError('Softmax: dim must be an integer or null, got 1.5'));
    expect(() => new GLU(null as unknown as number)).toThrow(new RangeError('GLU: dim must be an integer, got null'));
    expect(() => new Threshold(Number.NaN, 1)).toThrow(new RangeError('Threshold: threshold must be a number, got NaN'));
    expect(() => new ReLU({ inplace: 'yes' as unknown as boolean })).toThrow(new RangeError("ReLU: inplace must be a boolean, got 'yes'"));
    expect(() => new Softplus({ beta: 0 })).toThrow(new RangeError('Softplus: beta cannot be 0 (it divides the result), got 0'));
  });

  it('reject inputs of the wrong dtype, naming the layer', () => {
    const ints = tensor([-1, 2], { dtype: 'int32' });
    expect(() => new LeakyReLU().forward(ints)).toThrow(new DTypeError("LeakyReLU: not implemented for 'int32' (expected float32 or float64)"));
    expect(() => new ReLU().forward(tensor([true]))).toThrow(new DTypeError('ReLU: bool inputs are not supported (expected float32, float64 or int32)'));
    expect(new ReLU6().forward(tensor([-1, 7], { dtype: 'int32' })).tolist()).toEqual([0, 6]);
    expect(new Sigmoid().forward(zeros([1], { dtype: 'int32' })).dtype).toBe('float32');
  });

  it('pick the dim of softmax by PyTorch’s legacy rule when it is null, with its warning', () => {
    const warnings: string[] = [];
    const previous = setWarningSink((message) => warnings.push(message));
    try {
      expect(new Softmax().forward(randn([2, 3])).sum(1).tolist()).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6)]);
      expect(new Softmax().forward(randn([2, 3, 4])).sum(0).toTypedArray().every((value) => Math.abs(value - 1) < 1e-6)).toBe(true);
      expect(new Softmin().forward(randn([5])).sum().item()).toBeCloseTo(1, 6);
      expect(warnings).toEqual([
        'Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.',
        'Implicit dimension choice for softmin has been deprecated. Change the call to include dim=X as an argument.',
      ]);
    } finally {
      setWarningSink(previous);
    }
  });

  it('reject dims out of range and odd GLU halves, naming the layer', () => {
    expect(() => new Softmax(2).forward(randn([2, 3]))).toThrow(
      new RangeError('Softmax: dimension out of range (expected to be in range of [-2, 1], but got 2)'),
    );
    expect(() => new GLU().forward(randn([3, 5]))).toThrow(
      new ShapeError('GLU: halving dimension must be even, but dimension 1 is size 5 (shape [3, 5])'),
    );
    expect(() => new GLU().forward(tensor(1))).toThrow(ShapeError);
  });
});

describe('PReLU', () => {
  it('has one slope per parameter, initialized to init, under the key weight', () => {
    const layer = new PReLU(3, 0.1);
    expect(layer.weight).toBeInstanceOf(Parameter);
    expect(Array.from(layer.weight.toTypedArray())).toEqual([0.1, 0.1, 0.1].map(Math.fround));
    expect(layer.numSlopes).toBe(3);
    expect(Object.keys(layer.stateDict())).toEqual(['weight']);
    expect(layer.toString()).toBe('PReLU(num_parameters=3)');
  });

  it('applies one slope to all elements or one per channel (dimension 1)', () => {
    expect(new PReLU().forward(tensor([-4, 4])).tolist()).toEqual([-1, 4]);
    expect(prelu(tensor([[[-2, 2]], [[-4, 4]]]), tensor([0.5])).tolist()).toEqual([[[-1, 2]], [[-2, 4]]]);
    expect(prelu(tensor([[-2, -2], [-4, 4]]), tensor([0.5, 0.25])).tolist()).toEqual([[-1, -0.5], [-2, 4]]);
  });

  it('rejects slopes that do not fit the input, naming the layer, and changes nothing', () => {
    const layer = new PReLU(3);
    expect(() => layer.forward(randn([2, 4]))).toThrow(
      new ShapeError('PReLU: mismatch of parameter numbers and input channel size: found 3 parameters and channel size 4 (input shape [2, 4])'),
    );
    expect(() => layer.forward(tensor(1))).toThrow(
      new ShapeError('PReLU: a 0-d input takes a weight of one element, got weight shape [3]'),
    );
    expect(() => prelu(randn([2, 3]), randn([3, 1]))).toThrow(new ShapeError('prelu: expected weight to be a scalar or 1-D tensor, got shape [3, 1]'));
    expect(() => prelu(randn([2, 3]), randn([1], { dtype: 'float64' }))).toThrow(
      new DTypeError('prelu: expected input and weight of one floating point dtype, got float32 and float64'),
    );
    expect(() => new PReLU(0)).toThrow(new RangeError('PReLU: numParameters must be a positive integer, got 0'));
    expect(Array.from(layer.weight.toTypedArray())).toEqual([0.25, 0.25, 0.25]);
  });

  it('passes gradcheck and gradgradcheck for the input and the slopes', () => {
    const x = randn([2, 3, 4], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((input, weight) => prelu(input, weight), [x, randn([3], { dtype: 'float64', requiresGrad: true })])).toBe(true);
    expect(gradcheck((input, weight) => prelu(input, weight), [x, randn([1], { dtype: 'float64', requiresGrad: true })])).toBe(true);
    expect(gradgradcheck((input, weight) => prelu(input, weight).square(), [x, randn([3], { dtype: 'float64', requiresGrad: true })])).toBe(true);
  });
});

describe('warning sink', () => {
  let previous: (message: string) => void;
  const seen: string[] = [];
  beforeEach(() => {
    previous = setWarningSink((message) => seen.push(message));
  });
  afterEach(() => setWarningSink(previous));

  it('shows each message once', () => {
    new LogSoftmax().forward(randn([2, 2]));
    new LogSoftmax().forward(randn([2, 2]));
    expect(seen).toEqual(['Implicit dimension choice for log_softmax has been deprecated. Change the call to include dim=X as an argument.']);
  });
});
