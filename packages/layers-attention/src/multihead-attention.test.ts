/**
 * MultiheadAttention and scaledDotProductAttention beyond the PyTorch
 * fixtures: keys per configuration, initialization, exact error messages,
 * and that a refused call leaves the module as it was.
 */
import '@strata/autograd';
import { type Tensor, manualSeed, ones, randn, tensor, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { MultiheadAttention, scaledDotProductAttention } from './index.js';

/** Runs `call`, expects it to throw `kind` with `message`, and checks the module's state and gradients did not change. */
function expectRefused(module: MultiheadAttention, call: () => unknown, kind: ErrorConstructor, message: string): void {
  const before = Object.entries(module.stateDict()).map(([key, value]) => [key, value.tolist()]);
  expect(call).toThrow(kind);
  expect(call).toThrow(message);
  expect(Object.entries(module.stateDict()).map(([key, value]) => [key, value.tolist()])).toEqual(before);
  expect(module.parameters().every((parameter) => parameter.grad === null)).toBe(true);
}

describe('MultiheadAttention', () => {
  it("registers PyTorch's parameters in PyTorch's order for each configuration", () => {
    expect(Object.keys(new MultiheadAttention(8, 2).stateDict())).toEqual(['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
    expect(Object.keys(new MultiheadAttention(8, 2, { addBiasKv: true, bias: false }).stateDict())).toEqual([
      'in_proj_weight', 'bias_k', 'bias_v', 'out_proj.weight',
    ]);
    const separate = new MultiheadAttention(8, 2, { kdim: 3, vdim: 5 });
    expect(Object.entries(separate.stateDict()).map(([key, value]) => [key, value.shape])).toEqual([
      ['q_proj_weight', [8, 8]], ['k_proj_weight', [8, 3]], ['v_proj_weight', [8, 5]], ['in_proj_bias', [24]], ['out_proj.weight', [8, 8]], ['out_proj.bias', [8]],
    ]);
    expect(separate.toString()).toBe('MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n)');
  });

  it("initializes like PyTorch's _reset_parameters: Xavier-uniform in_proj, zero biases", () => {
    manualSeed(0);
    const mha = new MultiheadAttention(16, 4, { addBiasKv: true });
    const bound = Math.sqrt(6 / (16 + 48)); // xavier_uniform_ of [48, 16]
    const weight = mha.getParameter('in_proj_weight').contiguousData();
    expect(Math.max(...Array.from(weight, Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...Array.from(weight, Math.abs))).toBeGreaterThan(bound * 0.9);
    expect(mha.getParameter('in_proj_bias').tolist()).toEqual(new Array(48).fill(0));
    expect(mha.getParameter('out_proj.bias').tolist()).toEqual(new Array(16).fill(0));
    expect(mha.getParameter('bias_k').shape).toEqual([1, 1, 16]);
  });

  it('refuses bad options in the constructor', () => {
    expect(() => new MultiheadAttention(10, 3)).toThrow('MultiheadAttention: embedDim must be divisible by numHeads, got embedDim 10 and numHeads 3');
    expect(() => new MultiheadAttention(8, 0)).toThrow('MultiheadAttention: numHeads must be a positive integer, got 0');
    expect(() => new MultiheadAttention(8, 2, { dropout: 1.5 })).toThrow('MultiheadAttention: dropout probability has to be between 0 and 1, but got 1.5');
    expect(() => new MultiheadAttention(8, 2, { batch_first: true } as never)).toThrow(RangeError);
  });

  it('refuses bad inputs and masks with a clear error, before changing anything', () => {
    manualSeed(1);
    const mha = new MultiheadAttention(8, 2);
    const q = randn([3, 2, 8]);
    const kv = randn([4, 2, 8]);
    expectRefused(mha, () => mha.forward(randn([3, 2, 6]), kv, kv), Error, 'MultiheadAttention: expected query with 8 features (embedDim), got shape [3, 2, 6]');
    expectRefused(mha, () => mha.forward(q, randn([4, 3, 8]), randn([4, 3, 8])), Error,
      'MultiheadAttention: expected key and value with batch size 2 (the query\'s), got key shape [4, 3, 8] and value shape [4, 3, 8]');
    expectRefused(mha, () => mha.forward(q, kv, kv, { attnMask: zeros([3, 5]) }), Error,
      'MultiheadAttention: the shape of the 2D attnMask is [3, 5], but should be [3, 4]');
    expectRefused(mha, () => mha.forward(q, kv, kv, { attnMask: zeros([2, 3, 4]) }), Error,
      'MultiheadAttention: the shape of the 3D attnMask is [2, 3, 4], but should be [4, 3, 4]');
    expectRefused(mha, () => mha.forward(q, kv, kv, { attnMask: zeros([3, 4], { dtype: 'int32' }) }), Error,
      'MultiheadAttention: only bool and floating types of attnMask are supported, got int32');
    expectRefused(mha, () => mha.forward(q, kv, kv, { keyPaddingMask: zeros([2, 5], { dtype: 'bool' }) }), Error,
      'MultiheadAttention: expected keyPaddingMask of shape [2, 4], got shape [2, 5]');
    expectRefused(mha, () => mha.forward(q.double(), kv, kv), Error, "MultiheadAttention: expected query of dtype float32 (the parameters' dtype), got float64");
    expectRefused(mha, () => mha.forward(q, kv, kv, { isCausal: true }), RangeError, 'MultiheadAttention: need attnMask if specifying the isCausal hint');
    expectRefused(mha, () => mha.forward(q, kv, 'value' as unknown as Tensor), TypeError, 'MultiheadAttention: expected value to be a Tensor, got string');
  });

  it('weights sum to one over the keys, and a padded key gets none', () => {
    manualSeed(2);
    const mha = new MultiheadAttention(4, 2, { batchFirst: true });
    const x = randn([1, 3, 4]);
    const padding = tensor([[false, false, true]]);
    const [, weights] = mha.forward(x, x, x, { keyPaddingMask: padding, averageAttnWeights: false });
    expect(weights!.shape).toEqual([1, 2, 3, 3]);
    const sums = weights!.sum(-1).contiguousData();
    for (const value of sums) expect(value).toBeCloseTo(1, 6);
    expect(weights!.select(3, 2).tolist()).toEqual([[[0, 0, 0], [0, 0, 0]]]);
  });
});

describe('scaledDotProductAttention', () => {
  it('stays finite for large scores (max-shifted softmax)', () => {
    const q = tensor([[[1000, 0], [0, 1000]]]);
    const out = scaledDotProductAttention(q, q, tensor([[[1, 2], [3, 4]]]));
    expect(out.tolist()).toEqual([[[1, 2], [3, 4]]]);
  });

  it('follows PyTorch: a bool mask is true where attention is allowed', () => {
    const q = ones([1, 2, 2]);
    const v = tensor([[[1, 0], [0, 1]]]);
    const allowed = tensor([[true, false], [true, true]]);
    expect(scaledDotProductAttention(q, q, v, { attnMask: allowed }).tolist()).toEqual([[[1, 0], [0.5, 0.5]]]);
    expect(scaledDotProductAttention(q, q, v, { isCausal: true }).tolist()).toEqual([[[1, 0], [0.5, 0.5]]]);
  });

  it('refuses bad inputs with a clear error', () => {
    const q = randn([2, 3, 4]);
    expect(() => scaledDotProductAttention(q, randn([2, 5, 3]), randn([2, 5, 4]))).toThrow(
      'scaledDotProductAttention: expected key with 4 features (the query\'s), got shape [2, 5, 3]');
    expect(() => scaledDotProductAttention(q, q, randn([2, 4, 4]))).toThrow(
      'scaledDotProductAttention: expected value with as many steps as key (3), got shape [2, 4, 4]');
    expect(() => scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 4], { dtype: 'bool' }) })).toThrow(
      'scaledDotProductAttention: expected attnMask broadcastable to [2, 3, 3], got shape [3, 4]');
    expect(() => scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 3]), isCausal: true })).toThrow(
      'scaledDotProductAttention: explicit attnMask should not be set when isCausal is true');
    expect(() => scaledDotProductAttention(q, q, q, { attnMask: zeros([3, 3], { dtype: 'int32' }) })).toThrow(
      'scaledDotProductAttention: expected attnMask of dtype bool or float, got int32');
    expect(() => scaledDotProductAttention(q, q, q, { dropoutP: -0.1 })).toThrow(RangeError);
    expect(() => scaledDotProductAttention(q, q.double(), q)).toThrow('scaledDotProductAttention: expected query, key and value of one float dtype');
  });
});
