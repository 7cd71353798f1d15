/**
 * The gradients of the recurrent layers and cells against finite
 * differences, in float64, on small cases: inputs, initial states and every
 * parameter, through time, both directions, stacked layers and projections.
 */
import { gradcheck } from '@strata/autograd';
import type { Module } from '@strata/module';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from './index.js';

const float64 = { dtype: 'float64', requiresGrad: true } as const;

/** Checks the gradients of `run` with respect to `inputs` and every parameter of `module`. */
function check(module: Module, inputs: Tensor[], run: (...inputs: Tensor[]) => Tensor[]): boolean {
  module.double();
  const parameters = module.parameters();
  return gradcheck(
    (...all: Tensor[]) => {
      // The module reads its own parameters: gradcheck perturbs these same tensors in place.
      return run(...all.slice(0, inputs.length));
    },
    [...inputs, ...parameters],
  );
}

describe('gradcheck', () => {
  it('RNN (tanh, 2 layers, bidirectional) with h0', () => {
    manualSeed(1);
    const rnn = new RNN(3, 4, { numLayers: 2, bidirectional: true });
    expect(check(rnn, [randn([4, 2, 3], float64), randn([4, 2, 4], float64)], (x, h0) => rnn.forward(x!, h0!))).toBe(true);
  });

  it('RNN (relu, batch first)', () => {
    manualSeed(2);
    const rnn = new RNN(3, 4, { nonlinearity: 'relu', batchFirst: true });
    expect(check(rnn, [randn([2, 5, 3], float64)], (x) => rnn.forward(x!))).toBe(true);
  });

  it('LSTM (2 layers, bidirectional) with h0 and c0', () => {
    manualSeed(3);
    const lstm = new LSTM(3, 4, { numLayers: 2, bidirectional: true });
    const inputs = [randn([4, 2, 3], float64), randn([4, 2, 4], float64), randn([4, 2, 4], float64)];
    expect(check(lstm, inputs, (x, h0, c0) => { const [output, [hN, cN]] = lstm.forward(x!, [h0!, c0!]); return [output, hN, cN]; })).toBe(true);
  });

  it('LSTM with projSize, unbatched input', () => {
    manualSeed(4);
    const lstm = new LSTM(3, 5, { projSize: 2 });
    const inputs = [randn([4, 3], float64), randn([1, 2], float64), randn([1, 5], float64)];
    expect(check(lstm, inputs, (x, h0, c0) => { const [output, [hN, cN]] = lstm.forward(x!, [h0!, c0!]); return [output, hN, cN]; })).toBe(true);
  });

  it('GRU (2 layers, bidirectional, no bias) with h0', () => {
    manualSeed(5);
    const gru = new GRU(3, 4, { numLayers: 2, bidirectional: true, bias: false });
    expect(check(gru, [randn([3, 2, 3], float64), randn([4, 2, 4], float64)], (x, h0) => gru.forward(x!, h0!))).toBe(true);
  });

  it('the cells', () => {
    manualSeed(6);
    const rnn = new RNNCell(3, 4);
    expect(check(rnn, [randn([2, 3], float64), randn([2, 4], float64)], (x, h) => [rnn.forward(x!, h!)])).toBe(true);
    const lstm = new LSTMCell(3, 4);
    expect(check(lstm, [randn([2, 3], float64), randn([2, 4], float64), randn([2, 4], float64)], (x, h, c) => lstm.forward(x!, [h!, c!]))).toBe(true);
    const gru = new GRUCell(3, 4);
    expect(check(gru, [randn([3], float64), randn([4], float64)], (x, h) => [gru.forward(x!, h!)])).toBe(true);
  });
});
