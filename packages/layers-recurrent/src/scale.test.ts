/** `recurrentScale` and `RecurrentScale`: results, gradients, the module's state, printout and errors. */
import '@strata/autograd';
import { ones, randn, tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { RecurrentScale, recurrentScale } from './index.js';

describe('recurrentScale', () => {
  it('scales and shifts each feature (the TSDoc example)', () => {
    expect(recurrentScale(ones([2, 3]), tensor([1, 2, 3]), tensor([0, 0, 1])).tolist()).toEqual([[1, 2, 4], [1, 2, 4]]);
  });

  it('keeps the leading dimensions', () => {
    expect(recurrentScale(randn([2, 5, 3]), randn([3])).shape).toEqual([2, 5, 3]);
  });

  it('names the op, what it expected and what came', () => {
    expect(() => recurrentScale(randn([2, 4]), randn([3]))).toThrow('recurrentScale: expected an input of shape [*, 3], got shape [2, 4]');
    expect(() => recurrentScale(randn([2, 3]), randn([3]), randn([2]))).toThrow('recurrentScale: expected a bias of shape [3], got shape [2]');
    expect(() => recurrentScale(randn([2, 3]), randn([3], { dtype: 'float64' }))).toThrow(
      'recurrentScale: expected input, weight and bias of one floating point dtype, got float32, float64',
    );
  });
});

describe('RecurrentScale', () => {
  it('runs the class example: starts from init, prints only what differs from the defaults', () => {
    const layer = new RecurrentScale(4, { init: 0.5 });
    expect(layer.forward(ones([2, 4])).tolist()).toEqual([[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]]);
    expect(layer.toString()).toBe('RecurrentScale(4, init=0.5)');
    expect(new RecurrentScale(2, { bias: false }).toString()).toBe('RecurrentScale(2, bias=False)');
  });

  it('has PyTorch-style state-dict keys and trains both parameters', () => {
    const layer = new RecurrentScale(3);
    expect(Object.keys(layer.stateDict())).toEqual(['weight', 'bias']);
    layer.forward(tensor([[1, 2, 3]])).sum().backward();
    expect(layer.weight.grad?.tolist()).toEqual([1, 2, 3]);
    expect(layer.bias?.grad?.tolist()).toEqual([1, 1, 1]);
  });

  it('rejects bad options with the argument named, and a bad input leaves the layer unchanged', () => {
    expect(() => new RecurrentScale(0)).toThrow('RecurrentScale: numFeatures must be a positive integer, got 0');
    expect(() => new RecurrentScale(3, { bias: 1 as unknown as boolean })).toThrow('RecurrentScale: bias must be a boolean, got 1');
    expect(() => new RecurrentScale(3, { init: Number.NaN })).toThrow('RecurrentScale: init must be a finite number, got NaN');
    expect(() => new RecurrentScale(3, { scale: 2 } as never)).toThrow("RecurrentScale: unknown option 'scale' (expected bias, init)");
    const layer = new RecurrentScale(3);
    const before = layer.weight.tolist();
    expect(() => layer.forward(randn([2, 4]))).toThrow('RecurrentScale: expected an input of shape [*, 3], got shape [2, 4]');
    expect(layer.weight.tolist()).toEqual(before);
    expect(layer.weight.grad).toBeNull();
  });
});
