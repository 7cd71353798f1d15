/**
 * The public API contract (/work/shared/API.md), section "Errors":
 * statement by statement, in the order the page makes them, through the
 * public entry points only (the imports of the page's code blocks, and the
 * `@strata/nn` umbrella).
 *
 * Expected numbers are exact arithmetic stated beside them, or PyTorch 1.13's
 * output for the call quoted beside them (`torch`, `nn`, `F` as usual).
 */
import { describe, expect, it } from 'vitest';
import {
  DTypeError,
  ShapeError,
  Tensor,
  add,
  matmul,
  mul,
  narrow,
  ones,
  randn,
  tensor,
  zeros,
} from '@strata/tensor';
import { AvgPool2d, Conv2d, ConvTranspose2d, MaxPool2d, MinPool2d, conv2d, maxPool2d, maxUnpool2d } from '@strata/layers-conv';
import { BatchNorm2d, LayerNorm } from '@strata/layers-norm';
import { Dropout, Embedding, Linear, embedding } from '@strata/layers-misc';
import { CrossEntropyLoss } from '@strata/losses';
import * as strata from '@strata/nn';
import { snapshot, thrown } from './api-contract-support.js';

// ---------------------------------------------------------------------------------------------------------------------
describe('API.md — Errors', () => {
  it('the three example messages, verbatim, with their classes', () => {
    const conv = thrown(() => new Conv2d(3, 16, 3).forward(randn([8, 4, 32, 32])));
    expect(conv).toBeInstanceOf(ShapeError);
    expect(conv.message).toBe('Conv2d: expected input with 3 channels (shape [N, 3, H, W]), got shape [8, 4, 32, 32]');

    const product = thrown(() => matmul(randn([4, 3]), randn([5, 2])));
    expect(product).toBeInstanceOf(ShapeError);
    expect(product.message).toBe('matmul: shapes [4, 3] and [5, 2] cannot be multiplied (3 != 5)');

    const lookup = thrown(() => new Embedding(10000, 8).forward(tensor([3, 10000], { dtype: 'int32' })));
    expect(lookup).toBeInstanceOf(RangeError);
    expect(lookup.message).toBe('Embedding: index 10000 is out of range for 10000 embeddings');
  });

  it('ShapeError and DTypeError are Error subclasses exported by @strata/tensor; RangeError is built in', () => {
    expect(new ShapeError('x')).toBeInstanceOf(Error);
    expect(new DTypeError('x')).toBeInstanceOf(Error);
    expect(new ShapeError('x').name).toBe('ShapeError');
    expect(new DTypeError('x').name).toBe('DTypeError');
    expect(strata.ShapeError).toBe(ShapeError);
    expect(strata.DTypeError).toBe(DTypeError);
    expect(thrown(() => add(randn([2, 3]), randn([4])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => new Embedding(4, 2).forward(tensor([0.5])))).toBeInstanceOf(DTypeError);
    expect(thrown(() => conv2d(randn([1, 1, 3, 3]).int(), randn([1, 1, 2, 2])))).toBeInstanceOf(DTypeError);
    expect(thrown(() => randn([2, 3]).select(1, 3))).toBeInstanceOf(RangeError);
    expect(thrown(() => randn([2, 3]).gather(1, tensor([[0, 3]], { dtype: 'int32' })))).toBeInstanceOf(RangeError);
  });

  it('invalid options throw in the constructor, naming the class', () => {
    const cases: [() => unknown, string][] = [
      [() => new Conv2d(3, 16, 0), 'Conv2d'],
      [() => new Conv2d(3, 16, 3, { groups: 2 }), 'Conv2d'],
      [() => new Conv2d(3, 16, 3, { paddingMode: 'mirror' as 'zeros' }), 'Conv2d'],
      [() => new Conv2d(3, 16, 3, { padding: 'same', stride: 2 }), 'Conv2d'],
      [() => new ConvTranspose2d(3, 16, 3, { stride: 2, outputPadding: 2 }), 'ConvTranspose2d'],
      [() => new MaxPool2d(2, { padding: 2 }), 'MaxPool2d'],
      [() => new MinPool2d(0), 'MinPool2d'],
      [() => new AvgPool2d(2, { divisorOverride: 0 }), 'AvgPool2d'],
      [() => new BatchNorm2d(-1), 'BatchNorm2d'],
      [() => new BatchNorm2d(3, { eps: -1 }), 'BatchNorm2d'],
      [() => new LayerNorm([2, -1]), 'LayerNorm'],
      [() => new Dropout(1.5), 'Dropout'],
      [() => new Linear(0.5, 3), 'Linear'],
      [() => new Embedding(10, 3, { paddingIdx: 10 }), 'Embedding'],
    ];
    for (const [construct, name] of cases) {
      const error = thrown(construct);
      expect(error.message.startsWith(`${name}: `), error.message).toBe(true);
    }
  });

  it('invalid inputs throw in forward; a module names its class, a functional op names the op', () => {
    const layer = new Conv2d(3, 4, 3);
    const weight = randn([4, 3, 3, 3]);
    const bad = randn([1, 2, 8, 8]);
    expect(thrown(() => layer.forward(bad)).message).toMatch(/^Conv2d: /);
    expect(thrown(() => conv2d(bad, weight)).message).toMatch(/^conv2d: /);
    expect(thrown(() => new Embedding(5, 2).forward(tensor([5], { dtype: 'int32' }))).message).toMatch(/^Embedding: /);
    expect(thrown(() => embedding(tensor([5], { dtype: 'int32' }), randn([5, 2]))).message).toMatch(/^embedding: /);
    expect(thrown(() => new MaxPool2d(2).forward(randn([2, 2]))).message).toMatch(/^MaxPool2d: /);
    expect(thrown(() => maxPool2d(randn([2, 2]), 2)).message).toMatch(/^maxPool2d: /);
    expect(thrown(() => new Linear(3, 2).forward(randn([4, 5]))).message).toMatch(/^Linear: /);
    expect(thrown(() => new LayerNorm(3).forward(randn([4, 5]))).message).toMatch(/^LayerNorm: /);
  });

  it('no op silently produces a wrong shape or reads out of bounds: it throws, naming the op and the bad value', () => {
    const int32 = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });
    const cases: [() => unknown, new (message: string) => Error, string, string][] = [
      [() => tensor(new Float32Array(5), { shape: [2, 3] }), ShapeError, 'tensor', '5'],
      [() => randn([6]).reshape([4, 2]), ShapeError, 'reshape', '[4, 2]'],
      [() => randn([2, 3]).t().view([6]), ShapeError, 'view', '[6]'],
      [() => randn([2, 3]).expand([4, 3]), ShapeError, 'expand', '[4, 3]'],
      [() => zeros([3]).add_(randn([2, 3])), ShapeError, 'add_', '[2, 3]'],
      [() => narrow(randn([3]), 0, 2, 2), RangeError, 'narrow', '3'],
      [() => randn([3, 2]).indexSelect(0, int32([3])), RangeError, 'indexSelect', '3'],
      [() => randn([3]).gather(0, int32([-1])), RangeError, 'gather', '-1'],
      [() => zeros([3]).scatterAdd(0, int32([5]), tensor([1])), RangeError, 'scatterAdd', '5'],
      [() => maxUnpool2d(tensor([[[[1]]]]), int32([100]).reshape([1, 1, 1, 1]), 2), RangeError, 'maxUnpool2d', '100'],
      [() => conv2d(randn([1, 1, 2, 2]), randn([1, 1, 3, 3])), ShapeError, 'conv2d', '[3, 3]'],
      [() => new MaxPool2d(2).forward(randn([1, 1, 1, 1])), ShapeError, 'MaxPool2d', '[1, 1]'],
      [() => new Embedding(3, 2).forward(int32([-1])), RangeError, 'Embedding', '-1'],
      [() => new CrossEntropyLoss().forward(randn([2, 3]), int32([0, 3])), RangeError, 'CrossEntropyLoss', '3'],
      [() => new LayerNorm([3, 4]).forward(randn([2, 4, 3])), ShapeError, 'LayerNorm', '[2, 4, 3]'],
      [() => mul(randn([3], { requiresGrad: true }), 2).backward(randn([4])), ShapeError, 'backward', '[4]'],
    ];
    for (const [run, errorClass, name, value] of cases) {
      const error = thrown(run);
      expect(error, error.message).toBeInstanceOf(errorClass);
      expect(error.message.startsWith(`${name}: `), error.message).toBe(true);
      expect(error.message, name).toContain(value);
    }
  });

  it('validation comes before mutation: BatchNorm2d running statistics survive a throwing forward', () => {
    const norm = new BatchNorm2d(3);
    norm.forward(randn([4, 3, 2, 2]));
    const before = snapshot(norm);
    expect(thrown(() => norm.forward(randn([4, 5, 2, 2])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => norm.forward(randn([1, 3, 1, 1])))).toBeInstanceOf(Error); // one value per channel in training
    expect(thrown(() => norm.forward(randn([4, 3, 2, 2]).int()))).toBeInstanceOf(DTypeError);
    expect(snapshot(norm)).toEqual(before);
  });

  it('validation comes before mutation: Embedding maxNorm renormalizes nothing when an index is out of range', () => {
    const weights = tensor([[3, 4], [1, 0], [0, 6], [2, 2]]);
    const table = Embedding.fromPretrained(weights.clone(), { maxNorm: 1 });
    const error = thrown(() => table.forward(tensor([0, 2, 4], { dtype: 'int32' })));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('Embedding: index 4 is out of range for 4 embeddings');
    expect(table.weight.tolist()).toEqual(weights.tolist());
    expect(thrown(() => table.forward(tensor([0, -1], { dtype: 'int32' })))).toBeInstanceOf(RangeError);
    expect(table.weight.tolist()).toEqual(weights.tolist());
  });

  it('validation comes before mutation: parameters and in-place targets survive a throw', () => {
    const layer = new Conv2d(3, 4, 3);
    const before = snapshot(layer);
    thrown(() => layer.forward(randn([1, 2, 8, 8])));
    expect(snapshot(layer)).toEqual(before);
    const target = tensor([1, 2, 3]);
    thrown(() => target.add_(tensor([1, 2])));
    expect(target.tolist()).toEqual([1, 2, 3]);
    const dropped = ones([4]);
    thrown(() => new Dropout(0.5, { inplace: true }).forward(tensor([1, 2], { dtype: 'int32' })));
    expect(dropped.tolist()).toEqual([1, 1, 1, 1]);
  });
});
