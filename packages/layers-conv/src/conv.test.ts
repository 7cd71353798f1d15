import { gradcheck, gradgradcheck } from '@strata/autograd';
import { DTypeError, ShapeError, type Tensor, manualSeed, ones, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { Conv1d, Conv2d, Conv3d, type ConvFunctionalOptions, conv1d, conv2d, conv3d } from './index.js';

const float64 = { dtype: 'float64' as const, requiresGrad: true };
const ops = { 1: conv1d, 2: conv2d, 3: conv3d } as const;

describe('gradcheck (float64): gradients of input, weight and bias', () => {
  const cases: [string, 1 | 2 | 3, number[], number[], ConvFunctionalOptions][] = [
    ['conv1d stride, padding, dilation', 1, [2, 3, 9], [4, 3, 3], { stride: 2, padding: 2, dilation: 2 }],
    ['conv1d depthwise', 1, [2, 3, 7], [6, 1, 3], { groups: 3, padding: 1 }],
    ['conv1d reflect', 1, [2, 2, 6], [3, 2, 3], { padding: 2, paddingMode: 'reflect' }],
    ['conv1d same even, circular', 1, [2, 2, 6], [3, 2, 4], { padding: 'same', paddingMode: 'circular' }],
    ['conv2d asymmetric stride and padding', 2, [2, 2, 5, 6], [3, 2, 3, 2], { stride: [2, 1], padding: [1, 2] }],
    ['conv2d groups', 2, [2, 4, 4, 4], [4, 2, 3, 3], { groups: 2, padding: 1 }],
    ['conv2d depthwise multiplier 2', 2, [1, 2, 5, 5], [4, 1, 3, 3], { groups: 2, dilation: 2, padding: 2 }],
    ['conv2d replicate', 2, [1, 2, 4, 5], [2, 2, 3, 3], { padding: [1, 2], paddingMode: 'replicate' }],
    ['conv2d same even dilated', 2, [1, 2, 5, 5], [2, 2, 2, 4], { padding: 'same', dilation: [2, 1] }],
    ['conv2d pointwise', 2, [2, 4, 3, 3], [3, 4, 1, 1], {}],
    ['conv2d batch in chunks', 2, [5, 2, 4, 4], [2, 2, 3, 3], { stride: 2 }],
    ['conv3d padding, stride', 3, [1, 2, 4, 3, 4], [2, 2, 2, 3, 3], { padding: [1, 0, 1], stride: [1, 2, 1] }],
    ['conv3d reflect groups', 3, [1, 2, 3, 3, 3], [2, 1, 2, 2, 2], { padding: 1, groups: 2, paddingMode: 'reflect' }],
  ];
  for (const [name, rank, inputShape, weightShape, options] of cases) {
    it(name, () => {
      manualSeed(1);
      const x = randn(inputShape, float64);
      const w = randn(weightShape, float64);
      const b = randn([weightShape[0]!], float64);
      expect(gradcheck((input, weight, bias) => ops[rank](input, weight, bias, options), [x, w, b])).toBe(true);
    });
  }

  it('conv2d unbatched input', () => {
    manualSeed(2);
    const x = randn([2, 4, 4], float64);
    const w = randn([3, 2, 3, 3], float64);
    expect(gradcheck((input, weight) => conv2d(input, weight, null, { padding: 1 }), [x, w])).toBe(true);
  });

  it('conv2d second derivatives (the backward is itself differentiable)', () => {
    manualSeed(3);
    const x = randn([1, 2, 4, 4], float64);
    const w = randn([2, 2, 3, 3], float64);
    const b = randn([2], float64);
    expect(gradgradcheck((input, weight, bias) => conv2d(input, weight, bias, { stride: 2, padding: 1 }), [x, w, b])).toBe(true);
    expect(gradgradcheck((input, weight) => conv1d(input, weight, null, { padding: 1, paddingMode: 'reflect' }), [
      randn([1, 2, 5], float64), randn([2, 2, 3], float64),
    ])).toBe(true);
  });
});

describe('values from exact arithmetic', () => {
  it('a Dirac kernel with same padding returns the input, for every padding mode', () => {
    const x = randn([2, 3, 5, 4]);
    const dirac = zeros([3, 3, 3, 3]);
    const values = dirac.toTypedArray();
    for (let c = 0; c < 3; c++) values[((c * 3 + c) * 3 + 1) * 3 + 1] = 1;
    for (const paddingMode of ['zeros', 'reflect', 'replicate', 'circular'] as const) {
      const y = conv2d(x, tensor(values, { shape: [3, 3, 3, 3] }), null, { padding: 'same', paddingMode });
      expect(Array.from(y.toTypedArray())).toEqual(Array.from(x.toTypedArray()));
    }
  });

  it('sums integer inputs exactly: a ones kernel counts the window (padding counts zero)', () => {
    const y = conv2d(ones([1, 1, 3, 3]), ones([1, 1, 2, 2]), null, { padding: 1 });
    expect(y.tolist()).toEqual([[[[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]]]]);
    const replicated = conv1d(tensor([[[1, 2, 3]]]), ones([1, 1, 3]), tensor([10]), { padding: 2, paddingMode: 'replicate' });
    expect(replicated.tolist()).toEqual([[[13, 14, 16, 18, 19]]]);
  });
});

describe('Conv layers', () => {
  it('have PyTorch state-dict keys and parameter shapes', () => {
    const layer = new Conv2d(4, 6, [3, 2], { groups: 2 });
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    expect(layer.weight.shape).toEqual([6, 2, 3, 2]);
    expect(layer.bias!.shape).toEqual([6]);
    const noBias = new Conv1d(2, 3, 3, { bias: false });
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
    expect(noBias.bias).toBeNull();
    expect(noBias.parameters()).toHaveLength(1);
  });

  it('initialize like PyTorch: weight and bias in U(-1/sqrt(fanIn), 1/sqrt(fanIn))', () => {
    manualSeed(0);
    const layer = new Conv2d(16, 64, 3, { groups: 2 });
    const bound = 1 / Math.sqrt((16 / 2) * 9); // fanIn = inChannels / groups · kernel volume
    for (const values of [Array.from(layer.weight.toTypedArray()), Array.from(layer.bias!.toTypedArray())]) {
      const largest = values.reduce((best, value) => Math.max(best, Math.abs(value)), 0);
      expect(largest).toBeLessThanOrEqual(bound);
    }
    const weights = Array.from(layer.weight.toTypedArray());
    const largest = weights.reduce((best, value) => Math.max(best, Math.abs(value)), 0);
    const mean = weights.reduce((sum, value) => sum + value, 0) / weights.length;
    // 4608 uniform samples: the largest lies within 0.2% of the bound, the mean near 0.
    expect(largest).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(mean)).toBeLessThan(0.05 * bound);
    expect(layer.weight.requiresGrad).toBe(true);
  });

  it('forward is the functional op with the layer options, for batched and unbatched input', () => {
    const layer = new Conv2d(3, 4, 3, { stride: [2, 1], padding: 'valid', dilation: 2 });
    const x = randn([2, 3, 9, 8]);
    const expected = conv2d(x, layer.weight, layer.bias, { stride: [2, 1], dilation: 2 });
    expect(Array.from(layer.forward(x).toTypedArray())).toEqual(Array.from(expected.toTypedArray()));
    const single = layer.forward(x.select(0, 1));
    expect(single.shape).toEqual([4, 3, 4]);
    expect(Array.from(single.toTypedArray())).toEqual(Array.from(expected.select(0, 1).toTypedArray()));
  });

  it('record a conv node and accumulate gradients into weight and bias', () => {
    const layer = new Conv3d(2, 2, 2);
    const y = layer.forward(randn([1, 2, 3, 3, 3]));
    expect(y.gradFn?.name).toBe('conv3d');
    y.sum().backward();
    expect(layer.weight.grad?.shape).toEqual([2, 2, 2, 2, 2]);
    expect(layer.bias!.grad?.tolist()).toEqual([8, 8]);
  });

  it('expose the resolved options', () => {
    const layer = new Conv2d(2, 2, 3, { padding: 'same', paddingMode: 'reflect' });
    expect(layer.kernelSize).toEqual([3, 3]);
    expect(layer.stride).toEqual([1, 1]);
    expect(layer.padding).toBe('same');
    expect(layer.dilation).toEqual([1, 1]);
    expect(layer.groups).toBe(1);
    expect(layer.paddingMode).toBe('reflect');
    expect(Object.isFrozen(layer.stride)).toBe(true);
  });
});

describe('bad options throw in the constructor, naming the layer and the argument', () => {
  const cases: [string, () => unknown, string][] = [
    [
      'groups not dividing inChannels',
      () => new Conv2d(3, 4, 3, { groups: 2 }),
      'Conv2d: inChannels must be divisible by groups, got inChannels=3, groups=2',
    ],
    [
      'groups not dividing outChannels',
      () => new Conv2d(4, 3, 3, { groups: 2 }),
      'Conv2d: outChannels must be divisible by groups, got outChannels=3, groups=2',
    ],
    ['groups 0', () => new Conv1d(4, 4, 3, { groups: 0 }), 'Conv1d: groups must be a positive integer, got 0'],
    [
      'misspelt option',
      () => new Conv2d(3, 4, 3, { paddings: 1 } as ConvFunctionalOptions),
      "Conv2d: unknown option 'paddings' (expected stride, padding, dilation, groups, bias, paddingMode)",
    ],
    [
      'bias as a functional option',
      () => conv2d(randn([1, 3, 4, 4]), randn([2, 3, 3, 3]), null, { bias: true } as ConvFunctionalOptions),
      "conv2d: unknown option 'bias' (expected stride, padding, dilation, groups, paddingMode)",
    ],
    [
      'same with stride 2',
      () => new Conv2d(3, 4, 3, { padding: 'same', stride: 2 }),
      "Conv2d: padding='same' is not supported for strided convolutions, got stride [2, 2]",
    ],
    [
      'unknown padding mode',
      () => new Conv2d(3, 4, 3, { paddingMode: 'mirror' as 'zeros' }),
      "Conv2d: paddingMode must be one of 'zeros', 'reflect', 'replicate', 'circular', got 'mirror'",
    ],
    [
      'unknown padding string',
      () => new Conv3d(3, 4, 3, { padding: 'full' as 'same' }),
      "Conv3d: padding must be 'same', 'valid' or a non-negative integer or tuple, got 'full'",
    ],
    [
      'negative padding',
      () => new Conv2d(3, 4, 3, { padding: [1, -1] }),
      'Conv2d: padding must be a non-negative integer or a tuple of 2 non-negative integers, got [1, -1]',
    ],
    ['stride 0', () => new Conv1d(3, 4, 3, { stride: 0 }), 'Conv1d: stride must be a positive integer or a tuple of 1 positive integer, got 0'],
    [
      'dilation tuple too long',
      () => new Conv2d(3, 4, 3, { dilation: [1, 1, 1] }),
      'Conv2d: dilation must be a positive integer or a tuple of 2 positive integers, got [1, 1, 1]',
    ],
    ['kernel size 0', () => new Conv2d(3, 4, [3, 0]), 'Conv2d: kernelSize must be a positive integer or a tuple of 2 positive integers, got [3, 0]'],
    ['inChannels 0', () => new Conv2d(0, 4, 3), 'Conv2d: inChannels must be a positive integer, got 0'],
    ['fractional outChannels', () => new Conv2d(3, 2.5, 3), 'Conv2d: outChannels must be a positive integer, got 2.5'],
    ['bias not a boolean', () => new Conv2d(3, 4, 3, { bias: 1 as unknown as boolean }), 'Conv2d: bias must be a boolean, got 1'],
  ];
  for (const [name, build, message] of cases) {
    it(name, () => {
      expect(build).toThrow(RangeError);
      expect(build).toThrow(message);
    });
  }
});

describe('bad inputs throw in forward, naming the layer or op, and change nothing', () => {
  function expectUnchanged(layer: Conv1d | Conv2d | Conv3d, run: () => unknown, errorClass: new (...args: never[]) => Error, message: string): void {
    const before = layer.parameters().map((parameter) => [parameter.storage.version, Array.from(parameter.toTypedArray())]);
    expect(run).toThrow(errorClass);
    expect(run).toThrow(message);
    const after = layer.parameters().map((parameter) => [parameter.storage.version, Array.from(parameter.toTypedArray())]);
    expect(after).toEqual(before);
    expect(layer.parameters().every((parameter) => parameter.grad === null)).toBe(true);
  }

  const layer = new Conv2d(3, 8, 3);
  it('wrong channel count (batched and unbatched)', () => {
    expectUnchanged(layer, () => layer.forward(randn([8, 4, 32, 32])), ShapeError,
      'Conv2d: expected input with 3 channels (shape [N, 3, H, W]), got shape [8, 4, 32, 32]');
    expectUnchanged(layer, () => layer.forward(randn([4, 32, 32])), ShapeError,
      'Conv2d: expected input with 3 channels (shape [3, H, W]), got shape [4, 32, 32]');
  });
  it('wrong rank', () => {
    expectUnchanged(layer, () => layer.forward(randn([3, 32])), ShapeError,
      'Conv2d: expected a 3-D (unbatched) or 4-D (batched) input, got shape [3, 32]');
  });
  it('kernel larger than the padded input', () => {
    expectUnchanged(layer, () => layer.forward(randn([1, 3, 2, 5])), ShapeError,
      'Conv2d: the dilated kernel [3, 3] is larger than the padded input [2, 5] (input [2, 5], padding [0, 0])');
    const dilated = new Conv1d(1, 1, 3, { dilation: 3, padding: 1 });
    expectUnchanged(dilated, () => dilated.forward(randn([1, 1, 4])), ShapeError,
      'Conv1d: the dilated kernel [7] is larger than the padded input [6] (input [4], padding [1])');
  });
  it('empty spatial dimension', () => {
    const padded = new Conv2d(3, 8, 1, { padding: 1 });
    expectUnchanged(padded, () => padded.forward(randn([1, 3, 0, 4])), ShapeError,
      'Conv2d: expected an input with non-empty spatial dimensions, got shape [1, 3, 0, 4]');
  });
  it('reflect padding not smaller than the input, circular padding wrapping twice', () => {
    const reflect = new Conv1d(1, 1, 3, { padding: 2, paddingMode: 'reflect' });
    expectUnchanged(reflect, () => reflect.forward(randn([1, 1, 2])), ShapeError,
      "Conv1d: paddingMode 'reflect' needs padding smaller than the input's spatial size, got padding [2] for input [2]");
    const circular = new Conv2d(1, 1, 4, { padding: 'same', paddingMode: 'circular' });
    expectUnchanged(circular, () => circular.forward(randn([1, 1, 1, 5])), ShapeError,
      "Conv2d: paddingMode 'circular' needs padding at most the input's spatial size, got padding [1, 1] before and [2, 2] after for input [1, 5]");
  });
  it('integer input, or input of another dtype than the weight', () => {
    expectUnchanged(layer, () => layer.forward(zeros([1, 3, 5, 5], { dtype: 'int32' })), DTypeError,
      'Conv2d: expected a floating-point input, got int32');
    expectUnchanged(layer, () => layer.forward(zeros([1, 3, 5, 5], { dtype: 'float64' })), DTypeError,
      'Conv2d: expected input and weight of the same dtype, got input float64 and weight float32');
  });
  it('functional: weight rank, weight groups, bias shape, non-tensor input', () => {
    const x = randn([1, 4, 5, 5]);
    expect(() => conv2d(x, randn([4, 4, 3]))).toThrow(
      new ShapeError('conv2d: expected a 4-D weight [outChannels, inChannels / groups, kH, kW], got shape [4, 4, 3]'));
    expect(() => conv2d(x, randn([3, 2, 3, 3]), null, { groups: 2 })).toThrow(
      new ShapeError("conv2d: the weight's 3 output channels (shape [3, 2, 3, 3]) are not divisible by groups=2"));
    expect(() => conv2d(x, randn([2, 4, 3, 3]), randn([3]))).toThrow(new ShapeError('conv2d: expected bias of shape [2], got shape [3]'));
    expect(() => conv2d(x, randn([2, 2, 3, 3]), null, { groups: 2, padding: 'same', stride: 2 })).toThrow(
      new RangeError("conv2d: padding='same' is not supported for strided convolutions, got stride [2, 2]"));
    expect(() => conv1d([1, 2] as unknown as Tensor, randn([2, 1, 3]))).toThrow(new TypeError('conv1d: expected input to be a Tensor, got an array'));
    expect(() => conv3d(x.select(0, 0), randn([2, 4, 3, 3, 3]))).toThrow(
      new ShapeError('conv3d: expected a 4-D (unbatched) or 5-D (batched) input, got shape [4, 5, 5]'));
  });
});
