/** `attentionScale` and `AttentionScale`: results, gradients, the module's state, printout and errors. */
import '@strata/autograd';
import { ones, randn, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { AttentionScale, attentionScale } from './index.js';

describe('attentionScale', () => {
  it('scales and shifts each feature (the TSDoc example)', () => {
    expect(attentionScale(ones([2, 3]), tensor([1, 2, 3]), tensor([0, 0, 1])).tolist()).toEqual([[1, 2, 4], [1, 2, 4]]);
  });

  it('keeps the leading dimensions', () => {
    expect(attentionScale(randn([2, 5, 3]), randn([3])).shape).toEqual([2, 5, 3]);
  });

  it('names the op, what it expected and what came', () => {
    expect(() => attentionScale(randn([2, 4]), randn([3]))).toThrow('attentionScale: expected an input of shape [*, 3], got shape [2, 4]');
    expect(() => attentionScale(randn([2, 3]), randn([3]), randn([2]))).toThrow('attentionScale: expected a bias of shape [3], got shape [2]');
    expect(() => attentionScale(randn([2, 3]), randn([3], { dtype: 'float64' }))).toThrow(
      'attentionScale: expected input, weight and bias of one floating point dtype, got float32, float64',
    );
  });
});

describe('AttentionScale', () => {
  it('runs the class example: starts from init, prints only what differs from the defaults', () => {
    const layer = new AttentionScale(4, { init: 0.5 });
    expect(layer.forward(ones([2, 4])).tolist()).toEqual([[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]]);
    expect(layer.toString()).toBe('AttentionScale(4, init=0.5)');
    expect(new AttentionScale(2, { bias: false }).toString()).toBe('AttentionScale(2, bias=False)');
  });

  it('has PyTorch-style state-dict keys and trains both parameters', () => {
    const layer = new AttentionScale(3);
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    layer.forward(tensor([[1, 2, 3]])).sum().backward();
    expect(layer.weight.grad?.tolist()).toEqual([1, 2, 3]);
    expect(layer.bias?.grad?.tolist()).toEqual([1, 1, 1]);
  });

  it('rejects bad options with the argument named, and a bad input leaves the layer unchanged', () => {
    expect(() => new AttentionScale(0)).toThrow('AttentionScale: numFeatures must be a positive integer, got 0');
    expect(() => new AttentionScale(3, { bias: 1 as unknown as boolean })).toThrow('AttentionScale: bias must be a boolean, got 1');
    expect(() => new AttentionScale(3, { init: Number.NaN })).toThrow('AttentionScale: init must be a finite number, got NaN');
    expect(() => new AttentionScale(3, { scale: 2 } as never)).toThrow("AttentionScale: unknown option 'scale' (expected bias, init)");
    const layer = new AttentionScale(3);
    const before = layer.weight.tolist();
    expect(() => layer.forward(randn([2, 4]))).toThrow('AttentionScale: expected an input of shape [*, 3], got shape [2, 4]');
    expect(layer.weight.tolist()).toEqual(before);
    expect(layer.weight.grad).toBeNull();
  });
});
