/**
 * The public API contract (/work/shared/API.md), section "constructor signatures":
 * statement by statement, in the order the page makes them, through the
 * public entry points only (the imports of the page's code blocks, and the
 * `@strata/nn` umbrella).
 *
 * Expected numbers are exact arithmetic stated beside them, or PyTorch 1.13's
 * output for the call quoted beside them (`torch`, `nn`, `F` as usual).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Tensor, arange, manualSeed, mul, neg, ones, randint, randn, sub, tensor } from '@strata/tensor';
import { noGrad } from '@strata/autograd';
import { Parameter } from '@strata/module';
import {
  AvgPool2d,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  ConvTranspose3d,
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  MinPool1d,
  MinPool2d,
  MinPool3d,
  maxPool2d,
  minPool2d,
} from '@strata/layers-conv';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm } from '@strata/layers-norm';
import { Dropout, Embedding, Linear } from '@strata/layers-misc';
import { type Nested, expectClose, thrown } from './api-contract-support.js';

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — constructor signatures', () => {
  it('Linear(inFeatures, outFeatures, { bias })', () => {
    const layer = new Linear(3, 5, { bias: true });
    expect(layer.weight.shape).toEqual([5, 3]);
    expect(layer.bias!.shape).toEqual([5]);
    expect(new Linear(3, 5, { bias: false }).bias).toBeNull();
  });

  it('ConvNd(inChannels, outChannels, kernelSize, { stride, padding, dilation, groups, bias, paddingMode })', () => {
    const conv = new Conv2d(4, 6, 3, { stride: 2, padding: 1, dilation: 1, groups: 2, bias: false, paddingMode: 'zeros' });
    expect(conv.weight.shape).toEqual([6, 2, 3, 3]);
    expect(conv.bias).toBeNull();
    expect(conv.forward(randn([1, 4, 9, 9])).shape).toEqual([1, 6, 5, 5]);
    expect(new Conv1d(2, 2, 3, { dilation: 2 }).forward(randn([1, 2, 10])).shape).toEqual([1, 2, 6]);
    expect(new Conv3d(1, 1, [1, 2, 3], { padding: [0, 1, 1] }).forward(randn([1, 1, 3, 3, 3])).shape).toEqual([1, 1, 3, 4, 3]);

    const input = arange(16).float().reshape([1, 1, 4, 4]);
    const withWeight = (layer: Conv2d): Conv2d => {
      noGrad(() => layer.weight.copy_(arange(9).float().reshape([1, 1, 3, 3])));
      return layer;
    };
    // nn.Conv2d(1, 1, 3, padding=1, padding_mode=mode, bias=False) with weight arange(9), on arange(16).reshape(1, 1, 4, 4)
    const byMode = {
      zeros: [[73, 121, 154, 103], [171, 258, 294, 186], [279, 402, 438, 270], [139, 187, 202, 113]],
      reflect: [[120, 138, 174, 180], [240, 258, 294, 300], [384, 402, 438, 444], [360, 378, 414, 420]],
      replicate: [[99, 126, 162, 183], [231, 258, 294, 315], [375, 402, 438, 459], [435, 462, 498, 519]],
      circular: [[162, 162, 198, 174], [258, 258, 294, 270], [402, 402, 438, 414], [210, 210, 246, 222]],
    } as const;
    for (const [paddingMode, expected] of Object.entries(byMode)) {
      const layer = withWeight(new Conv2d(1, 1, 3, { padding: 1, bias: false, paddingMode: paddingMode as keyof typeof byMode }));
      expectClose(layer.forward(input), [[expected as unknown as Nested[]]]);
    }
    // padding=(1, 0); padding='same' with dilation=2; padding='valid'; stride=2
    const tuple = withWeight(new Conv2d(1, 1, 3, { padding: [1, 0], bias: false }));
    expectClose(tuple.forward(input), [[[[121, 154], [258, 294], [402, 438], [187, 202]]]]);
    const same = withWeight(new Conv2d(1, 1, 3, { padding: 'same', dilation: 2, bias: false }));
    expectClose(same.forward(input), [[[[146, 170, 126, 146], [242, 266, 206, 226], [86, 98, 66, 74], [134, 146, 98, 106]]]]);
    const valid = withWeight(new Conv2d(1, 1, 3, { padding: 'valid', bias: false }));
    expectClose(valid.forward(input), [[[[258, 294], [402, 438]]]]);
    const strided = withWeight(new Conv2d(1, 1, 3, { stride: 2, padding: 1, bias: false }));
    expectClose(strided.forward(input), [[[[73, 154], [279, 438]]]]);
  });

  it('ConvTransposeNd(inChannels, outChannels, kernelSize, { stride, padding, outputPadding, groups, bias, dilation })', () => {
    const up = new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false, dilation: 1 });
    expect(up.weight.shape).toEqual([4, 3, 3, 3]); // [inChannels, outChannels / groups, ...kernel]
    expect(up.bias).toBeNull();
    // (5 - 1) * 2 - 2 * 1 + 1 * (3 - 1) + 1 + 1 = 10
    expect(up.forward(randn([1, 4, 5, 5])).shape).toEqual([1, 6, 10, 10]);
    // (4 - 1) * 1 + 2 * (2 - 1) + 1 = 6
    expect(new ConvTranspose1d(1, 1, 2, { dilation: 2 }).forward(randn([1, 1, 4])).shape).toEqual([1, 1, 6]);
    expect(new ConvTranspose3d(1, 2, 2).forward(randn([1, 1, 2, 2, 2])).shape).toEqual([1, 2, 3, 3, 3]);
  });

  it('MaxPoolNd and MinPoolNd (kernelSize, { stride, padding, dilation, returnIndices, ceilMode })', () => {
    const x = randn([2, 3, 9, 9]);
    const options = { stride: 2, padding: 1, dilation: 2, returnIndices: true, ceilMode: true } as const;
    const result = new MaxPool2d(3, options).forward(x);
    expectTypeOf(result).toEqualTypeOf<[Tensor, Tensor]>();
    expect(Array.isArray(result)).toBe(true);
    const [output, indices] = result;
    // floor or ceil of (9 + 2 - 2 * 2 - 1) / 2 + 1 = 4
    expect(output.shape).toEqual([2, 3, 4, 4]);
    expect(indices.shape).toEqual([2, 3, 4, 4]);
    const [minOutput, minIndices] = new MinPool2d(3, options).forward(x);
    expect(minOutput.shape).toEqual([2, 3, 4, 4]);
    expect(minIndices.dtype).toBe('int32');
    expect(new MaxPool2d(3, { ...options, returnIndices: false }).forward(x)).toBeInstanceOf(Tensor);
    expect(new MaxPool1d(2).forward(randn([1, 2, 5])).shape).toEqual([1, 2, 2]);
    expect(new MaxPool3d(2, { ceilMode: true }).forward(randn([1, 1, 3, 3, 3])).shape).toEqual([1, 1, 2, 2, 2]);
    expect(new MinPool1d(2, { stride: 1 }).forward(randn([1, 2, 5])).shape).toEqual([1, 2, 4]);
    expect(new MinPool3d(2).forward(randn([1, 1, 4, 4, 4])).shape).toEqual([1, 1, 2, 2, 2]);
  });

  it('AvgPoolNd(kernelSize, { stride, padding, ceilMode, countIncludePad, divisorOverride })', () => {
    const a = arange(25).float().reshape([1, 1, 5, 5]);
    // F.avg_pool2d(arange(25.).reshape(1, 1, 5, 5), 2, stride=2, padding=1[, count_include_pad=False])
    expectClose(new AvgPool2d(2, { stride: 2, padding: 1, countIncludePad: false }).forward(a), [[[[0, 1.5, 3.5], [7.5, 9, 11], [17.5, 19, 21]]]]);
    expectClose(new AvgPool2d(2, { stride: 2, padding: 1 }).forward(a), [[[[0, 0.75, 1.75], [3.75, 9, 11], [8.75, 19, 21]]]]);
    // ceil_mode=True; divisor_override=3
    expectClose(new AvgPool2d(2, { stride: 2, ceilMode: true }).forward(a), [[[[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]]]);
    expectClose(new AvgPool2d(2, { stride: 2, divisorOverride: 3 }).forward(a), [[[[4, 6.666666507720947], [17.33333396911621, 20]]]]);
  });

  it('BatchNormNd(numFeatures, { eps, momentum, affine, trackRunningStats }); momentum null = cumulative average', () => {
    const b1 = tensor([[[[1, 2], [3, 4]], [[0, 0], [0, 4]]], [[[5, 6], [7, 8]], [[2, 2], [2, 2]]]]);
    const b2 = sub(mul(b1, 2), 1);
    const cumulative = new BatchNorm2d(2, { eps: 1e-5, momentum: null, affine: true, trackRunningStats: true });
    expect(cumulative.namedBuffers().map(([name]) => name)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    cumulative.forward(b1);
    cumulative.forward(b2);
    // nn.BatchNorm2d(2, momentum=None), two batches
    const state = cumulative.stateDict();
    expectClose(state['running_mean']!, [6.25, 1.75]);
    expectClose(state['running_var']!, [15, 5]);
    expect(state['num_batches_tracked']!.item()).toBe(2);
    const exponential = new BatchNorm2d(2);
    exponential.forward(b1);
    exponential.forward(b2);
    // nn.BatchNorm2d(2), momentum=0.1
    expectClose(exponential.stateDict()['running_mean']!, [1.2050000429153442, 0.33500000834465027]);
    expectClose(exponential.stateDict()['running_var']!, [3.75, 1.7899999618530273]);

    const plain = new BatchNorm1d(3, { affine: false, trackRunningStats: false });
    expect(plain.parameters()).toEqual([]);
    expect(Object.keys(plain.stateDict())).toEqual([]);
    expect(plain.forward(randn([4, 3])).shape).toEqual([4, 3]);
    expect(Object.keys(new BatchNorm3d(2).stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    // eps: (x - mean) / sqrt(var + eps) with a huge eps damps the output
    const damped = new BatchNorm1d(1, { eps: 99 }).forward(tensor([[-1], [1]]));
    expectClose(damped, [[-0.1], [0.1]]);
  });

  it('LayerNorm(normalizedShape, { eps, elementwiseAffine, bias })', () => {
    const layer = new LayerNorm([2, 3], { eps: 1e-5, elementwiseAffine: true, bias: true });
    expect(layer.weight!.shape).toEqual([2, 3]);
    expect(layer.bias!.shape).toEqual([2, 3]);
    const bare = new LayerNorm(2, { elementwiseAffine: false, eps: 3 });
    expect(bare.parameters()).toEqual([]);
    // (x - 0) / sqrt(1 + 3)
    expectClose(bare.forward(tensor([-1, 1])), [-0.5, 0.5]);
  });

  it('Dropout(p = 0.5, { inplace })', () => {
    expect(new Dropout().p).toBe(0.5);
    const x = ones([1000]);
    const kept = new Dropout(0.2).forward(x);
    const fraction = kept.ne(0).float().mean().item();
    expect(fraction).toBeGreaterThan(0.7);
    expect(fraction).toBeLessThan(0.9);
    expect(x.tolist()).toEqual(ones([1000]).tolist()); // not in place
    const target = ones([100]);
    const result = new Dropout(0.5, { inplace: true }).forward(target);
    expect(result.storage).toBe(target.storage);
    expect(target.eq(0).any().item()).toBe(1);
  });

  it('Embedding(numEmbeddings, embeddingDim, { paddingIdx, maxNorm, normType, scaleGradByFreq })', () => {
    const weights = tensor([[3, 4], [1, 0], [0, 6], [2, 2]]);
    const padded = new Embedding(4, 2, { paddingIdx: 1 });
    expect(padded.weight.shape).toEqual([4, 2]);
    expect(padded.weight.select(0, 1).tolist()).toEqual([0, 0]); // PyTorch zeroes the padding row

    // nn.Embedding.from_pretrained(W, max_norm=2.0)(tensor([0, 2, 0])), and its weight afterwards
    const renormed = Embedding.fromPretrained(weights.clone(), { maxNorm: 2 });
    expectClose(renormed.forward(tensor([0, 2, 0], { dtype: 'int32' })), [[1.2, 1.6], [0, 1.9999998807907104], [1.2, 1.6]]);
    expectClose(renormed.weight, [[1.2, 1.6], [1, 0], [0, 1.9999998807907104], [2, 2]]);
    // max_norm=5.0, norm_type=1.0, on indices [0, 3]
    const l1 = Embedding.fromPretrained(weights.clone(), { maxNorm: 5, normType: 1 });
    l1.forward(tensor([0, 3], { dtype: 'int32' }));
    expectClose(l1.weight, [[2.142857074737549, 2.857142925262451], [1, 0], [0, 6], [2, 2]]);
    // freeze=False, scale_grad_by_freq=True, padding_idx=1; e(tensor([0, 0, 2, 1])).sum().backward()
    const scaled = Embedding.fromPretrained(weights.clone(), { freeze: false, scaleGradByFreq: true, paddingIdx: 1 });
    scaled.forward(tensor([0, 0, 2, 1], { dtype: 'int32' })).sum().backward();
    expect(scaled.weight.grad!.tolist()).toEqual([[1, 1], [0, 0], [1, 1], [0, 0]]);
  });

  it('Embedding.fromPretrained(weight, { freeze, ... })', () => {
    const weights = tensor([[1, 2], [3, 4]]);
    const frozen = Embedding.fromPretrained(weights);
    expect(frozen.weight).toBeInstanceOf(Parameter);
    expect(frozen.weight.requiresGrad).toBe(false);
    expect(frozen.weight.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(Embedding.fromPretrained(weights, { freeze: true }).weight.requiresGrad).toBe(false);
    expect(Embedding.fromPretrained(weights, { freeze: false }).weight.requiresGrad).toBe(true);
    expect(frozen.forward(tensor([1, 0, 1], { dtype: 'int32' })).tolist()).toEqual([[3, 4], [1, 2], [3, 4]]);
  });

  it('the options object takes exactly the listed keys: an unknown or snake_case key throws in the constructor', () => {
    const unknown: [() => unknown, string][] = [
      [() => new Linear(2, 3, { in_features: 2 } as never), "Linear: unknown option 'in_features' (expected bias)"],
      [() => new Conv2d(1, 1, 3, { padding_mode: 'reflect' } as never),
        "Conv2d: unknown option 'padding_mode' (expected stride, padding, dilation, groups, bias, paddingMode)"],
      [() => new ConvTranspose2d(1, 1, 3, { output_padding: 1 } as never),
        "ConvTranspose2d: unknown option 'output_padding' (expected stride, padding, outputPadding, groups, bias, dilation, paddingMode)"],
      [() => new MaxPool2d(2, { return_indices: true } as never),
        "MaxPool2d: unknown option 'return_indices' (expected stride, padding, dilation, returnIndices, ceilMode)"],
      [() => new MinPool1d(2, { ceil_mode: true } as never),
        "MinPool1d: unknown option 'ceil_mode' (expected stride, padding, dilation, returnIndices, ceilMode)"],
      [() => new AvgPool2d(2, { count_include_pad: false } as never),
        "AvgPool2d: unknown option 'count_include_pad' (expected stride, padding, ceilMode, countIncludePad, divisorOverride)"],
      [() => new BatchNorm2d(2, { track_running_stats: false } as never),
        "BatchNorm2d: unknown option 'track_running_stats' (expected eps, momentum, affine, trackRunningStats)"],
      [() => new LayerNorm(2, { elementwise_affine: false } as never), "LayerNorm: unknown option 'elementwise_affine' (expected eps, elementwiseAffine, bias)"],
      [() => new Dropout(0.5, { in_place: true } as never), "Dropout: unknown option 'in_place' (expected inplace)"],
      [() => new Embedding(3, 2, { padding_idx: 0 } as never),
        "Embedding: unknown option 'padding_idx' (expected paddingIdx, maxNorm, normType, scaleGradByFreq, sparse)"],
      [() => Embedding.fromPretrained(randn([3, 2]), { max_norm: 1 } as never),
        "Embedding: unknown option 'max_norm' (expected paddingIdx, maxNorm, normType, scaleGradByFreq, sparse)"],
    ];
    for (const [construct, message] of unknown) {
      const error = thrown(construct);
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe(message);
    }
    expect(thrown(() => new Dropout(0.5, true as never))).toBeInstanceOf(TypeError);
  });

  it('MinPoolNd equals -maxPool(-x), indices included', () => {
    manualSeed(3);
    for (const x of [randn([2, 3, 7, 6]), randint(-2, 3, [2, 3, 7, 6]).float()]) {
      const options = { stride: 2, padding: 1, dilation: 1, ceilMode: true, returnIndices: true } as const;
      const [minOutput, minIndices] = minPool2d(x, 3, options);
      const [maxOutput, maxIndices] = maxPool2d(neg(x), 3, options);
      expect(minOutput.tolist()).toEqual(neg(maxOutput).tolist());
      expect(minIndices.tolist()).toEqual(maxIndices.tolist());
      const [layerOutput, layerIndices] = new MinPool2d(3, options).forward(x);
      expect(layerOutput.tolist()).toEqual(minOutput.tolist());
      expect(layerIndices.tolist()).toEqual(minIndices.tolist());
    }
  });
});
