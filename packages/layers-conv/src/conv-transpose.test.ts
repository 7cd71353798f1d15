import { gradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, manualSeed, ones, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import {
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  type ConvTransposeFunctionalOptions,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  convTranspose3d,
} from './index.js';

const float64 = { dtype: 'float64' as const, requiresGrad: true };
const ops = { 1: convTranspose1d, 2: convTranspose2d, 3: convTranspose3d } as const;

describe('gradcheck (float64): gradients of input, weight and bias', () => {
  const cases: [string, 1 | 2 | 3, number[], number[], ConvTransposeFunctionalOptions][] = [
    ['convTranspose1d stride, padding, output padding', 1, [2, 3, 4], [3, 2, 3], { stride: 3, padding: 1, outputPadding: 2 }],
    ['convTranspose1d depthwise', 1, [2, 3, 4], [3, 2, 3], { groups: 3, dilation: 2 }],
    ['convTranspose1d outputSize', 1, [1, 2, 4], [2, 2, 3], { stride: 2, outputSize: [10] }],
    ['convTranspose2d kernel 4 stride 2 padding 1', 2, [1, 3, 3, 3], [3, 2, 4, 4], { stride: 2, padding: 1 }],
    ['convTranspose2d groups, asymmetric options', 2, [1, 4, 3, 2], [4, 1, 3, 2], { groups: 2, stride: [2, 1], padding: [1, 0], outputPadding: [1, 0] }],
    ['convTranspose2d output padding with dilation', 2, [1, 2, 3, 3], [2, 2, 2, 2], { dilation: 3, outputPadding: 2 }],
    ['convTranspose2d pointwise', 2, [2, 3, 2, 3], [3, 4, 1, 1], {}],
    ['convTranspose2d batch in chunks', 2, [4, 2, 2, 2], [2, 2, 3, 3], { stride: 2 }],
    ['convTranspose3d', 3, [1, 2, 2, 3, 2], [2, 2, 2, 2, 3], { stride: [2, 1, 2], padding: [0, 1, 1] }],
  ];
  for (const [name, rank, inputShape, weightShape, options] of cases) {
    it(name, () => {
      manualSeed(4);
      const x = randn(inputShape, float64);
      const w = randn(weightShape, float64);
      const b = randn([weightShape[1]! * (options.groups ?? 1)], float64);
      expect(gradcheck((input, weight, bias) => ops[rank](input, weight, bias, options), [x, w, b])).toBe(true);
    });
  }

  it('convTranspose2d unbatched input', () => {
    manualSeed(5);
    expect(gradcheck((input, weight) => convTranspose2d(input, weight, null, { stride: 2 }), [
      randn([2, 3, 2], float64), randn([2, 3, 2, 2], float64),
    ])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('spreads each input element over the output by the kernel (stride 2, ones)', () => {
    const y = convTranspose1d(tensor([[[1, 10, 100]]]), ones([1, 1, 3]), null, { stride: 2 });
    expect(y.tolist()).toEqual([[[1, 1, 11, 10, 110, 100, 100]]]);
    const cropped = convTranspose1d(tensor([[[1, 10, 100]]]), ones([1, 1, 3]), tensor([0.5]), { stride: 2, padding: 1, outputPadding: 1 });
    expect(cropped.tolist()).toEqual([[[1.5, 11.5, 10.5, 110.5, 100.5, 100.5]]]);
  });

  it('is the input gradient of the convolution with the same weight', () => {
    manualSeed(6);
    const x = randn([2, 3, 7, 6], { requiresGrad: true });
    const w = randn([4, 3, 3, 3]);
    const y = conv2d(x, w, null, { stride: 2, padding: 1 });
    const upstream = randn(y.shape);
    y.backward(upstream);
    const transposed = convTranspose2d(upstream, w, null, { stride: 2, padding: 1, outputSize: [7, 6] });
    expect(Array.from(transposed.toTypedArray())).toEqual(Array.from(x.grad!.toTypedArray()));
  });
});

describe('ConvTranspose layers', () => {
  it('have PyTorch parameter shapes, state-dict keys and initialization bounds', () => {
    manualSeed(0);
    const layer = new ConvTranspose2d(32, 16, 4, { stride: 2, padding: 1, groups: 2 });
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    expect(layer.weight.shape).toEqual([32, 8, 4, 4]);
    expect(layer.bias!.shape).toEqual([16]);
    // PyTorch reads the fan-in from the weight's dims 1 and up: 8 · 16.
    const bound = 1 / Math.sqrt(8 * 16);
    for (const values of [Array.from(layer.weight.toTypedArray()), Array.from(layer.bias!.toTypedArray())]) {
      expect(values.reduce((best, value) => Math.max(best, Math.abs(value)), 0)).toBeLessThanOrEqual(bound);
    }
    expect(Array.from(layer.weight.toTypedArray()).reduce((best, value) => Math.max(best, Math.abs(value)), 0)).toBeGreaterThan(0.99 * bound);
    expect(Object.keys(new ConvTranspose1d(2, 2, 3, { bias: false }).stateDict())).toEqual(['weight']);
  });

  it('forward takes outputSize as spatial sizes or the full shape, batched or not', () => {
    const layer = new ConvTranspose3d(2, 3, 3, { stride: 2, padding: 1 });
    const x = randn([1, 2, 3, 3, 3]);
    expect(layer.forward(x).shape).toEqual([1, 3, 5, 5, 5]);
    expect(layer.forward(x, [6, 5, 6]).shape).toEqual([1, 3, 6, 5, 6]);
    expect(layer.forward(x, [1, 3, 6, 6, 5]).shape).toEqual([1, 3, 6, 6, 5]);
    expect(layer.forward(x.select(0, 0), [3, 6, 6, 6]).shape).toEqual([3, 6, 6, 6]);
    expect(layer.forward(x).gradFn?.name).toBe('convTranspose3d');
  });

  it('print outputPadding, and expose the resolved options', () => {
    const layer = new ConvTranspose2d(4, 2, [3, 2], { stride: 2, outputPadding: [1, 0] });
    expect(layer.toString()).toBe('ConvTranspose2d(4, 2, kernel_size=(3, 2), stride=(2, 2), output_padding=(1, 0))');
    expect(layer.outputPadding).toEqual([1, 0]);
    expect(layer.paddingMode).toBe('zeros');
  });
});

describe('bad options throw in the constructor', () => {
  const cases: [string, () => unknown, string][] = [
    ['outputPadding not smaller than stride or dilation', () => new ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: [1, 2] }),
      'ConvTranspose2d: outputPadding must be smaller than either stride or dilation, got outputPadding [1, 2], stride [2, 2], dilation [1, 1]'],
    ['paddingMode other than zeros', () => new ConvTranspose1d(2, 2, 3, { paddingMode: 'reflect' as 'zeros' }),
      "ConvTranspose1d: only paddingMode 'zeros' is supported, got 'reflect'"],
    ['padding as a string', () => new ConvTranspose2d(2, 2, 3, { padding: 'same' as unknown as number }),
      "ConvTranspose2d: padding must be a non-negative integer or a tuple of 2 non-negative integers, got 'same'"],
    ['groups not dividing', () => new ConvTranspose3d(4, 3, 3, { groups: 2 }), 'ConvTranspose3d: outChannels must be divisible by groups, got outChannels=3, groups=2'],
    ['outputSize as a layer option', () => new ConvTranspose1d(2, 2, 3, { outputSize: [5] } as ConvTransposeFunctionalOptions),
      "ConvTranspose1d: unknown option 'outputSize' (expected stride, padding, outputPadding, groups, bias, dilation, paddingMode)"],
  ];
  for (const [name, build, message] of cases) {
    it(name, () => {
      expect(build).toThrow(RangeError);
      expect(build).toThrow(message);
    });
  }
});

describe('bad inputs throw in forward and change nothing', () => {
  const layer = new ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1 });
  function expectUnchanged(run: () => unknown, errorClass: new (...args: never[]) => Error, message: string): void {
    const before = layer.parameters().map((parameter) => [parameter.storage.version, Array.from(parameter.toTypedArray())]);
    expect(run).toThrow(errorClass);
    expect(run).toThrow(message);
    expect(layer.parameters().map((parameter) => [parameter.storage.version, Array.from(parameter.toTypedArray())])).toEqual(before);
  }
  const x = randn([1, 3, 4, 4]);

  it('wrong channel count and rank', () => {
    expectUnchanged(() => layer.forward(randn([1, 2, 4, 4])), ShapeError,
      'ConvTranspose2d: expected input with 3 channels (shape [N, 3, H, W]), got shape [1, 2, 4, 4]');
    expectUnchanged(() => layer.forward(randn([3, 4])), ShapeError,
      'ConvTranspose2d: expected a 3-D (unbatched) or 4-D (batched) input, got shape [3, 4]');
  });
  it('outputSize with the wrong number of elements', () => {
    expectUnchanged(() => layer.forward(x, [7, 7, 7]), ShapeError,
      'ConvTranspose2d: for a 4-D input, outputSize must have 2 or 4 elements, got 3 ([7, 7, 7])');
  });
  it('outputSize out of the valid range', () => {
    expectUnchanged(() => layer.forward(x, [9, 7]), RangeError,
      'ConvTranspose2d: requested an output size of [9, 7], but valid sizes range from [7, 7] to [8, 8] (for an input of [4, 4])');
    expectUnchanged(() => layer.forward(x, [1, 2, 6, 8]), RangeError,
      'ConvTranspose2d: requested an output size of [6, 8], but valid sizes range from [7, 7] to [8, 8] (for an input of [4, 4])');
  });
  it('dtype', () => {
    expectUnchanged(() => layer.forward(zeros([1, 3, 4, 4], { dtype: 'int32' })), DTypeError,
      'ConvTranspose2d: expected a floating-point input, got int32');
  });
  it('functional: output size not positive, weight shape, bias shape', () => {
    expect(() => convTranspose1d(randn([1, 3, 1]), randn([3, 2, 1]), null, { padding: 1 })).toThrow(
      new ShapeError('convTranspose1d: the output size [-1] is not positive (input [1], kernel [1], stride [1], padding [1], dilation [1], outputPadding [0])'));
    expect(() => convTranspose2d(x, randn([3, 2, 3]))).toThrow(
      new ShapeError('convTranspose2d: expected a 4-D weight [inChannels, outChannels / groups, kH, kW], got shape [3, 2, 3]'));
    expect(() => convTranspose2d(x, randn([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      new ShapeError("convTranspose2d: the weight's 3 input channels (shape [3, 2, 3, 3]) are not divisible by groups=2"));
    expect(() => convTranspose2d(x, randn([3, 2, 3, 3]), randn([3]), { groups: 1 })).toThrow(
      new ShapeError('convTranspose2d: expected bias of shape [2], got shape [3]'));
    expect(() => convTranspose2d(x, randn([3, 2, 3, 3]), null, { outputSize: [2.5, 3] })).toThrow(
      new RangeError('convTranspose2d: outputSize must be an array of integers, got [2.5, 3]'));
  });
});
