/**
 * The public API contract (/work/shared/API.md), section "Modules":
 * statement by statement, in the order the page makes them, through the
 * public entry points only (the imports of the page's code blocks, and the
 * `@strata/nn` umbrella).
 *
 * Expected numbers are exact arithmetic stated beside them, or PyTorch 1.13's
 * output for the call quoted beside them (`torch`, `nn`, `F` as usual).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Tensor, arange, cat, manualSeed, neg, ones, randn, tensor, zeros } from '@strata/tensor';
import { noGrad } from '@strata/autograd';
import { Parameter, Sequential } from '@strata/module';
import {
  AdaptiveAvgPool2d,
  AvgPool2d,
  Conv1d,
  Conv2d,
  Conv3d,
  ConvTranspose1d,
  ConvTranspose2d,
  MaxPool1d,
  MaxPool2d,
  MaxPool3d,
  MinPool2d,
  maxPool1d,
  maxPool2d,
} from '@strata/layers-conv';
import { BatchNorm2d, LayerNorm, RMSNorm } from '@strata/layers-norm';
import { Dropout, Embedding, Flatten, Linear, ReLU } from '@strata/layers-misc';
import { type Nested, expectClose, snapshot } from './api-contract-support.js';

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — Modules', () => {
  const buildNet = (): Sequential =>
    new Sequential(
      new Conv2d(1, 32, 3, { padding: 1 }), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Dropout(0.25), new Linear(32 * 14 * 14, 10),
    );

  it('runs the page\'s CNN on [N, 1, 28, 28] to [N, 10]', () => {
    const net = buildNet();
    const x = randn([3, 1, 28, 28], { requiresGrad: true });
    const out = net.forward(x);
    expect(out).toBeInstanceOf(Tensor);
    expect(out.shape).toEqual([3, 10]);
    out.backward(ones([3, 10]));
    expect(x.grad!.shape).toEqual([3, 1, 28, 28]);
    expect(net.parameters().every((parameter) => parameter.grad !== null)).toBe(true);
  });

  it('train(), eval(), training', () => {
    const net = buildNet();
    expect(net.training).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.training).toBe(false);
    expect(net.modules().every((module) => !module.training)).toBe(true);
    expect(net.train()).toBe(net);
    expect(net.modules().every((module) => module.training)).toBe(true);
    net.eval();
    const x = randn([2, 1, 28, 28]);
    expect(net.forward(x).tolist()).toEqual(net.forward(x).tolist()); // eval: no dropout, running stats
  });

  it('parameters() is a Parameter[]; namedParameters() has PyTorch dotted names', () => {
    const net = buildNet();
    const parameters = net.parameters();
    expectTypeOf(parameters).toEqualTypeOf<Parameter[]>();
    expectTypeOf(net.namedParameters()).toEqualTypeOf<[string, Parameter][]>();
    expect(Array.isArray(parameters)).toBe(true);
    expect(parameters.every((parameter) => parameter instanceof Parameter && parameter instanceof Tensor)).toBe(true);
    const named = net.namedParameters();
    expect(Array.isArray(named)).toBe(true);
    // [n for n, _ in net.named_parameters()] in PyTorch
    expect(named.map(([name]) => name)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '6.weight', '6.bias']);
    expect(named.map(([, parameter]) => parameter.shape)).toEqual([[32, 1, 3, 3], [32], [32], [32], [10, 6272], [10]]);
    expect(named.map(([, parameter]) => parameter)).toEqual(parameters);
  });

  it('stateDict() is a plain object with PyTorch key names, parameters and buffers', () => {
    const net = buildNet();
    const state = net.stateDict();
    expectTypeOf(state).toEqualTypeOf<Record<string, Tensor>>();
    expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
    // list(net.state_dict().keys()) in PyTorch
    expect(Object.keys(state)).toEqual([
      '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked', '6.weight', '6.bias',
    ]);
    expect(Object.values(state).every((value) => value instanceof Tensor)).toBe(true);
  });

  it('loadStateDict(sd, { strict: true }) copies values; strict rejects missing or unexpected keys', () => {
    const source = buildNet();
    source.forward(randn([2, 1, 28, 28])); // moves the running statistics
    const target = buildNet();
    target.loadStateDict(source.stateDict(), { strict: true });
    for (const [key, value] of Object.entries(source.stateDict())) {
      expect(target.stateDict()[key]!.tolist(), key).toEqual(value.tolist());
    }
    const partial = { ...source.stateDict() };
    delete partial['6.bias'];
    const before = snapshot(target);
    expect(() => target.loadStateDict(partial, { strict: true })).toThrow(Error);
    expect(snapshot(target)).toEqual(before);
    expect(() => target.loadStateDict({ ...source.stateDict(), extra: zeros([1]) }, { strict: true })).toThrow(Error);
    expect(target.loadStateDict(partial, { strict: false }).missingKeys).toEqual(['6.bias']);
  });

  it('a PyTorch state dict loads under its own key names and computes what PyTorch computes', () => {
    // torch.manual_seed(0); the page's layers at a smaller size, one training batch, then eval
    // (BatchNorm affine set to [1.5, 0.5] / [0.1, -0.2]); values rounded to 7 decimals, as loaded back into PyTorch
    const pytorch: Record<string, [number[], number[]]> = {
      '0.weight': [[2, 1, 3, 3], [
        -0.0024956, 0.1788145, -0.2743484, -0.245313, -0.1283848, 0.0893858, -0.0066044, 0.2642965, -0.0295813,
        0.0882042, -0.1007377, -0.0655218, -0.3184495, -0.2207607, -0.1374077, 0.0123479, 0.1317784, 0.2000076,
      ]],
      '0.bias': [[2], [-0.2259804, -0.1451543]],
      '1.weight': [[2], [1.5, 0.5]],
      '1.bias': [[2], [0.1, -0.2]],
      '1.running_mean': [[2], [-0.0296411, -0.0635156]],
      '1.running_var': [[2], [1.0323675, 0.9764872]],
      '1.num_batches_tracked': [[], [1]],
      '6.weight': [[3, 8], [
        0.1284166, 0.2935865, -0.0727613, 0.2645682, -0.0569869, 0.0374109, 0.3201342, -0.327981,
        -0.2225753, -0.0895074, -0.1378151, 0.3054704, -0.2291661, -0.1627522, -0.2470067, -0.3311243,
        -0.2063834, 0.3039138, 0.157762, 0.1713576, 0.0185939, -0.181261, 0.0598158, -0.3301109,
      ]],
      '6.bias': [[3], [-0.2554657, -0.1822674, 0.2230702]],
    };
    const state: Record<string, Tensor> = {};
    for (const [key, [shape, values]] of Object.entries(pytorch)) {
      state[key] = key.endsWith('num_batches_tracked')
        ? tensor(new Int32Array(values), { shape })
        : tensor(new Float32Array(values), { shape });
    }
    const net = new Sequential(
      new Conv2d(1, 2, 3, { padding: 1 }), new BatchNorm2d(2), new ReLU(), new MaxPool2d(2),
      new Flatten(), new Dropout(0.25), new Linear(2 * 2 * 2, 3),
    );
    expect(Object.keys(net.stateDict())).toEqual(Object.keys(pytorch));
    const result = net.loadStateDict(state, { strict: true });
    expect(result.missingKeys).toEqual([]);
    expect(result.unexpectedKeys).toEqual([]);
    net.eval();
    const x = tensor([[[[0.5, -1, 2, 0], [1.5, 0.25, -0.5, 1], [-2, 0.75, 1.25, -0.25], [0, 1, -1.5, 2.5]]]]);
    expectClose(net.forward(x), [[0.13513216376304626, -0.2847168445587158, 0.7935190200805664]]);
  });

  it('zeroGrad() after backward', () => {
    const net = buildNet();
    net.forward(randn([2, 1, 28, 28])).sum().backward();
    expect(net.parameters().some((parameter) => parameter.grad !== null)).toBe(true);
    net.zeroGrad();
    expect(net.parameters().every((parameter) => parameter.grad === null)).toBe(true);
  });

  it('Parameter extends Tensor', () => {
    const parameter = new Parameter(zeros([2]));
    expect(parameter).toBeInstanceOf(Tensor);
    expect(parameter.requiresGrad).toBe(true);
    expect(Object.getPrototypeOf(Parameter.prototype)).toBe(Tensor.prototype);
  });

  it('forward takes unbatched inputs as PyTorch does (Conv2d on [C, H, W])', () => {
    const conv = new Conv2d(2, 4, 3, { padding: 1 });
    const x = randn([2, 5, 6]);
    const unbatched = conv.forward(x);
    expect(unbatched.shape).toEqual([4, 5, 6]);
    expectClose(unbatched, conv.forward(x.unsqueeze(0)).squeeze(0).tolist() as Nested);
    expect(new Conv1d(2, 3, 2).forward(randn([2, 7])).shape).toEqual([3, 6]);
    expect(new Conv3d(1, 2, 2).forward(randn([1, 3, 3, 3])).shape).toEqual([2, 2, 2, 2]);
    expect(new MaxPool2d(2).forward(randn([3, 4, 4])).shape).toEqual([3, 2, 2]);
    expect(new Linear(3, 2).forward(randn([3])).shape).toEqual([2]);
    expect(new ConvTranspose2d(2, 3, 2).forward(randn([2, 3, 3])).shape).toEqual([3, 4, 4]);
  });

  it('null is PyTorch\'s None, as is an omitted key', () => {
    const x = arange(25).float().reshape([1, 1, 5, 5]);
    expect(new MaxPool2d(2, { stride: null }).forward(x).tolist()).toEqual(new MaxPool2d(2).forward(x).tolist());
    expect(new AvgPool2d(2, { stride: null, divisorOverride: null }).forward(x).tolist()).toEqual(new AvgPool2d(2).forward(x).tolist());
    const table = new Embedding(4, 2, { paddingIdx: null, maxNorm: null });
    expect(table.forward(tensor([0, 3], { dtype: 'int32' })).shape).toEqual([2, 2]);
    const up = new ConvTranspose2d(1, 1, 3, { stride: 2 });
    expect(up.forward(randn([1, 1, 4, 4]), null).shape).toEqual([1, 1, 9, 9]);
    expect(new BatchNorm2d(2, { momentum: null }).momentum).toBeNull();
    // nn.AdaptiveAvgPool2d((None, 2)): None keeps the input's size
    expect(new AdaptiveAvgPool2d([null, 2]).forward(randn([1, 1, 5, 6])).shape).toEqual([1, 1, 5, 2]);
    expect(new RMSNorm(4, { eps: null }).forward(randn([2, 4])).shape).toEqual([2, 4]);
  });

  it('pooling indices: int32, the flat index within each (N, C) plane, first of the window wins ties', () => {
    // p below; F.max_pool2d(p, 2, stride=2, padding=1, return_indices=True)
    const plane0 = [[1, 1, 2, 2, 0], [1, 1, 2, 2, 0], [3, 0, 0, 3, 3], [0, 0, 0, 3, 3], [5, 5, 5, 5, 5]];
    const plane1 = [[0, 0, 0, 0, 0], [7, 1, 1, 7, 2], [1, 1, 1, 1, 2], [4, 4, 4, 4, 4], [9, 8, 9, 8, 9]];
    const half = tensor([[plane0, plane1]]);
    const p = cat([half, neg(half)], 0); // [2, 2, 5, 5]
    const [output, indices] = new MaxPool2d(2, { stride: 2, padding: 1, returnIndices: true }).forward(p);
    expect(indices.dtype).toBe('int32');
    expect(output.tolist()).toEqual([
      [[[1, 2, 2], [3, 2, 3], [5, 5, 5]], [[0, 0, 0], [7, 1, 7], [9, 9, 9]]],
      [[[-1, -1, -0], [-1, -0, -0], [-0, -0, -3]], [[-0, -0, -0], [-1, -1, -1], [-4, -4, -4]]],
    ]);
    expect(indices.tolist()).toEqual([
      [[[0, 2, 3], [10, 7, 13], [20, 21, 23]], [[0, 1, 3], [5, 6, 8], [20, 22, 24]]],
      [[[0, 1, 4], [5, 11, 9], [15, 16, 18]], [[0, 1, 3], [10, 6, 13], [15, 16, 18]]],
    ]);
    // F.max_pool2d(p, 3, stride=2, ceil_mode=True, return_indices=True)
    const [, ceilIndices] = maxPool2d(p, 3, { stride: 2, ceilMode: true, returnIndices: true });
    expect(ceilIndices.tolist()).toEqual([
      [[[10, 13], [20, 22]], [[5, 8], [20, 22]]],
      [[[11, 4], [11, 12]], [[0, 2], [10, 12]]],
    ]);
    // ties in min pooling: the first element of the window too
    const [, minIndices] = new MinPool2d(2, { returnIndices: true }).forward(ones([1, 1, 4, 4]));
    expect(minIndices.tolist()).toEqual([[[[0, 2], [8, 10]]]]);
    const [, maxIndices] = new MaxPool1d(3, { returnIndices: true }).forward(tensor([[[2, 2, 2, 1, 1, 1]]]));
    expect(maxIndices.tolist()).toEqual([[[0, 3]]]);
    // F.max_pool1d(x1, 2, stride=1, return_indices=True)
    const x1 = tensor([[[1, 3, 3, 2], [5, 4, 4, 6]], [[0, 0, 1, 1], [2, 2, 2, 2]]]);
    expect(maxPool1d(x1, 2, { stride: 1, returnIndices: true })[1].tolist()).toEqual([[[1, 1, 2], [0, 1, 3]], [[0, 2, 2], [0, 1, 2]]]);
    // x3 = -arange(32.).reshape(1, 2, 2, 2, 4); x3[0, 1, 1, 1, 3] = 5; F.max_pool3d(x3, 2, return_indices=True)
    const x3 = neg(arange(32).float()).reshape([1, 2, 2, 2, 4]);
    noGrad(() => x3.index([0, 1, 1, 1, 3]).fill_(5));
    expect(new MaxPool3d(2, { returnIndices: true }).forward(x3)[1].tolist()).toEqual([[[[[0, 2]]], [[[0, 15]]]]]);
  });

  it('ConvTransposeNd.forward takes outputSize as the spatial sizes or the full shape', () => {
    const down = new Conv2d(16, 16, 3, { stride: 2, padding: 1 });
    const up = new ConvTranspose2d(16, 16, 3, { stride: 2, padding: 1 });
    const x = randn([1, 16, 12, 12]);
    const h = down.forward(x);
    expect(h.shape).toEqual([1, 16, 6, 6]);
    expect(up.forward(h).shape).toEqual([1, 16, 11, 11]);
    const spatial = up.forward(h, [12, 12]);
    const full = up.forward(h, x.shape);
    expect(spatial.shape).toEqual([1, 16, 12, 12]);
    expect(full.tolist()).toEqual(spatial.tolist());
    expect(() => up.forward(h, [14, 14])).toThrow(Error); // beyond what outputPadding < stride can reach
    expect(new ConvTranspose1d(2, 2, 3, { stride: 2 }).forward(randn([1, 2, 4]), [10]).shape).toEqual([1, 2, 10]);
    // unbatched: the full shape is [C, H, W]
    const unbatched = up.forward(h.squeeze(0), [16, 12, 12]);
    expect(unbatched.shape).toEqual([16, 12, 12]);
    expectClose(unbatched, spatial.squeeze(0).tolist() as Nested);
  });

  it('LayerNorm has the bias option of PyTorch 2.1+', () => {
    const withBias = new LayerNorm(4);
    expect(Object.keys(withBias.stateDict())).toEqual(['weight', 'bias']);
    const noBias = new LayerNorm(4, { bias: false });
    expect(noBias.bias).toBeNull();
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
    const x = tensor([[1, 2, 3, 4]]);
    noGrad(() => noBias.weight!.fill_(2));
    // (x - 2.5) / sqrt(1.25 + 1e-5) * 2
    expectClose(noBias.forward(x), [[-3, -1, 1, 3].map((v) => v / Math.sqrt(1.25 + 1e-5))]);
  });

  it('Dropout masks come from manualSeed: the same seed the same masks, two calls different ones', () => {
    const layer = new Dropout(0.5);
    const x = ones([64]);
    manualSeed(7);
    const first = layer.forward(x).tolist() as number[];
    const second = layer.forward(x).tolist() as number[];
    manualSeed(7);
    expect(layer.forward(x).tolist()).toEqual(first);
    expect(layer.forward(x).tolist()).toEqual(second);
    expect(second).not.toEqual(first);
    expect(new Set([...first, ...second])).toEqual(new Set([0, 2])); // kept elements scaled by 1 / (1 - p)
    layer.eval();
    expect(layer.forward(x).tolist()).toEqual(x.tolist());
  });
});
