import { gradcheck, gradgradcheck } from '@strata/autograd';
import { Parameter, kaimingUniform_, uniform_ } from '@strata/module';
import { DTypeError, ShapeError, type Tensor, empty, manualSeed, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Bilinear, Identity, Linear, bilinear, linear } from './index.js';

/** The parameters' values, to check that a throwing call changed nothing. */
function snapshot(parameters: readonly Tensor[]): number[][] {
  return parameters.map((parameter) => Array.from(parameter.toTypedArray()));
}

const float64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true });

describe('Linear', () => {
  it('initializes like PyTorch: Kaiming uniform (a = √5) for the weight, then U(−1/√fanIn, 1/√fanIn) for the bias', () => {
    manualSeed(5);
    const layer = new Linear(20, 30);
    manualSeed(5);
    const weight = kaimingUniform_(empty([30, 20]), { a: Math.sqrt(5) });
    const bias = uniform_(empty([30]), -1 / Math.sqrt(20), 1 / Math.sqrt(20));
    expect(layer.weight.toTypedArray()).toEqual(weight.toTypedArray());
    expect(layer.bias!.toTypedArray()).toEqual(bias.toTypedArray());
  });

  it('draws weights within ±1/√inFeatures that fill that range', () => {
    manualSeed(1);
    const layer = new Linear(16, 64);
    const bound = 1 / Math.sqrt(16);
    const values = [...layer.weight.toTypedArray(), ...layer.bias!.toTypedArray()];
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values)).toBeGreaterThan(0.95 * bound);
    expect(Math.min(...values)).toBeLessThan(-0.95 * bound);
  });

  it('gives the same weights for the same seed and different ones otherwise', () => {
    manualSeed(3);
    const first = new Linear(4, 5).weight.toTypedArray();
    manualSeed(3);
    expect(new Linear(4, 5).weight.toTypedArray()).toEqual(first);
    expect(new Linear(4, 5).weight.toTypedArray()).not.toEqual(first);
  });

  it("has PyTorch's parameters and state-dict keys", () => {
    const layer = new Linear(3, 4);
    expect(layer.weight).toBeInstanceOf(Parameter);
    expect(layer.weight.shape).toEqual([4, 3]);
    expect(layer.bias!.shape).toEqual([4]);
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    const noBias = new Linear(3, 4, { bias: false });
    expect(noBias.bias).toBeNull();
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
    expect(noBias.toString()).toBe('Linear(in_features=3, out_features=4, bias=False)');
  });

  it('maps any number of leading dimensions, as x · Wᵀ + b', () => {
    const layer = new Linear(2, 2);
    layer.loadStateDict({ weight: tensor([[1, 2], [3, 4]]), bias: tensor([10, 20]) });
    expect(layer.forward(tensor([1, 1])).tolist()).toEqual([13, 27]);
    expect(layer.forward(tensor([[[1, 0]], [[0, 1]]])).tolist()).toEqual([[[11, 23]], [[12, 24]]]);
  });

  it('gives the bias for zero input features (initialized to zeros: the bound 1/√fanIn is taken as 0)', () => {
    const layer = new Linear(0, 3);
    expect(layer.bias!.tolist()).toEqual([0, 0, 0]);
    layer.loadStateDict({ bias: tensor([1, 2, 3]) }, { strict: false });
    expect(layer.forward(zeros([2, 0])).tolist()).toEqual([[1, 2, 3], [1, 2, 3]]);
  });

  it('rejects bad sizes and options, naming the argument', () => {
    expect(() => new Linear(2.5, 3)).toThrow(new RangeError('Linear: inFeatures must be a non-negative integer, got 2.5'));
    expect(() => new Linear(2, -1)).toThrow(new RangeError('Linear: outFeatures must be a non-negative integer, got -1'));
    expect(() => new Linear(2, 3, { bias: 'yes' as unknown as boolean })).toThrow(
      new RangeError("Linear: bias must be a boolean, got 'yes'"),
    );
  });

  it('rejects inputs that do not fit, naming the layer, and changes nothing', () => {
    const layer = new Linear(3, 4);
    const before = snapshot(layer.parameters());
    expect(() => layer.forward(randn([2, 5]))).toThrow(
      new ShapeError("Linear: expected the input's last dimension to be 3 (weight shape [4, 3]), got input shape [2, 5]"),
    );
    expect(() => layer.forward(tensor(1))).toThrow(
      new ShapeError('Linear: expected an input with at least 1 dimension ([..., inFeatures]), got shape []'),
    );
    expect(() => layer.forward(zeros([2, 3], { dtype: 'int32' }))).toThrow(
      new DTypeError('Linear: expected input, weight and bias of one floating point dtype, got int32, float32 and float32'),
    );
    expect(() => layer.forward(randn([2, 3], { dtype: 'float64' }))).toThrow(DTypeError);
    expect(snapshot(layer.parameters())).toEqual(before);
  });
});

describe('linear', () => {
  it('rejects a weight or bias of the wrong shape', () => {
    expect(() => linear(randn([2, 3]), randn([3]))).toThrow(
      new ShapeError('linear: expected a 2-D weight [outFeatures, inFeatures], got shape [3]'),
    );
    expect(() => linear(randn([2, 3]), randn([4, 3]), randn([3]))).toThrow(
      new ShapeError('linear: expected a bias of shape [4], got shape [3]'),
    );
    expect(() => linear(randn([2, 3]), randn([4, 3]), randn([4], { dtype: 'float64' }))).toThrow(
      new DTypeError('linear: expected input, weight and bias of one floating point dtype, got float32, float32 and float64'),
    );
  });

  it('passes gradcheck for the input, weight and bias, with leading dimensions', () => {
    expect(gradcheck((x, w, b) => linear(x, w, b), [float64([2, 3, 4]), float64([5, 4]), float64([5])])).toBe(true);
    expect(gradcheck((x, w) => linear(x, w), [float64([4]), float64([2, 4])])).toBe(true);
  });

  it('has gradients that are differentiable themselves (gradgradcheck)', () => {
    expect(gradgradcheck((x, w, b) => linear(x, w, b), [float64([3, 4]), float64([2, 4]), float64([2])])).toBe(true);
  });

  it("records one node named 'linear'", () => {
    const output = linear(randn([2, 3], { requiresGrad: true }), randn([4, 3]));
    expect(output.gradFn?.name).toBe('linear');
  });
});

describe('Bilinear', () => {
  it('initializes weight and bias from U(−1/√in1Features, 1/√in1Features), weight first', () => {
    manualSeed(9);
    const layer = new Bilinear(4, 3, 2);
    manualSeed(9);
    const weight = uniform_(empty([2, 4, 3]), -0.5, 0.5);
    const bias = uniform_(empty([2]), -0.5, 0.5);
    expect(layer.weight.toTypedArray()).toEqual(weight.toTypedArray());
    expect(layer.bias!.toTypedArray()).toEqual(bias.toTypedArray());
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
  });

  it('computes x1ᵀ · W[o] · x2 + b[o]', () => {
    const layer = new Bilinear(2, 2, 1);
    layer.loadStateDict({ weight: tensor([[[1, 2], [3, 4]]]), bias: tensor([0.5]) });
    // [1, 2] · [[1, 2], [3, 4]] · [5, 6] = [7, 10] · [5, 6] = 95
    expect(layer.forward(tensor([[1, 2]]), tensor([[5, 6]])).tolist()).toEqual([[95.5]]);
  });

  it('rejects bad sizes, options and inputs, naming the layer, and changes nothing', () => {
    expect(() => new Bilinear(0, 3, 2)).toThrow(new RangeError('Bilinear: in1Features must be a positive integer, got 0'));
    expect(() => new Bilinear(2, 3, 2, { bias: 1 as unknown as boolean })).toThrow(new RangeError('Bilinear: bias must be a boolean, got 1'));
    const layer = new Bilinear(2, 3, 4);
    const before = snapshot(layer.parameters());
    expect(() => layer.forward(randn([5, 2]), randn([4, 3]))).toThrow(
      new ShapeError('Bilinear: input batch dimensions do not match: got shapes [5, 2] and [4, 3]'),
    );
    expect(() => layer.forward(randn([5, 2]), randn([3]))).toThrow(new ShapeError('Bilinear: input dimensions do not match: got 2 and 1'));
    expect(() => layer.forward(randn([5, 3]), randn([5, 3]))).toThrow(
      new ShapeError('Bilinear: input1 size does not match weight size: got 3 but expected 2'),
    );
    expect(() => layer.forward(randn([5, 2]), randn([5, 2]))).toThrow(
      new ShapeError('Bilinear: input2 size does not match weight size: got 2 but expected 3'),
    );
    expect(snapshot(layer.parameters())).toEqual(before);
  });
});

describe('bilinear', () => {
  it('rejects a weight or bias of the wrong shape', () => {
    expect(() => bilinear(randn([2, 3]), randn([2, 3]), randn([3, 3]))).toThrow(
      new ShapeError('bilinear: expected a 3-D weight [outFeatures, in1Features, in2Features], got shape [3, 3]'),
    );
    expect(() => bilinear(randn([2, 3]), randn([2, 3]), randn([4, 3, 3]), randn([3]))).toThrow(
      new ShapeError('bilinear: bias size does not match weight size: got shape [3] but expected [4]'),
    );
  });

  it('passes gradcheck for both inputs, the weight and the bias', () => {
    expect(gradcheck((a, b, w, c) => bilinear(a, b, w, c), [float64([3, 2]), float64([3, 4]), float64([2, 2, 4]), float64([2])])).toBe(true);
    expect(gradcheck((a, b, w) => bilinear(a, b, w), [float64([2, 2, 3]), float64([2, 2, 2]), float64([3, 3, 2])])).toBe(true);
  });
});

describe('Identity', () => {
  it('returns its input itself and ignores its arguments', () => {
    const x = randn([2, 3]);
    const layer = new Identity(54, { unused: 'argumentModel' });
    expect(layer.forward(x)).toBe(x);
    expect(layer.toString()).toBe('Identity()');
    expect(Object.keys(layer.stateDict())).toEqual([]);
  });
});
