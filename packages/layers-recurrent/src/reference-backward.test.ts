import type { Module } from '@strata/module';
import { sgdTrace } from '@strata/module/testing';
import { type Tensor, manualSeed, randn } from '@strata/tensor';
import type { KernelName } from '@strata/tensor/backend';
import { maxRelativeDifference, onCompositeDefault, withoutKernel } from '@strata/tensor/testing';
import { describe, expect, it } from 'vitest';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from './index.js';

type DType = 'float32' | 'float64';

/** Three SGD steps of `makeLayer()` on a fixed input sequence (see `sgdTrace`). */
function train(makeLayer: () => Module, run: (layer: Module, x: Tensor) => Tensor, shape: number[], dtype: DType): number[] {
  manualSeed(17);
  const layer = makeLayer();
  if (dtype === 'float64') layer.double();
  return sgdTrace(layer, randn(shape, { dtype }), { forward: run, loss: (output) => output.mul(output.cos()).sum(), learningRate: 0.1 });
}

/** The output sequence of a layer; every state of a cell run over the sequence's steps. */
const sequence = (layer: Module, x: Tensor): Tensor => (layer.forward(x) as [Tensor, unknown])[0];
const cellLoop = (layer: Module, x: Tensor): Tensor => {
  const outputs: Tensor[] = [];
  let state: Tensor | [Tensor, Tensor] | null = null;
  for (let t = 0; t < x.shape[0]!; t++) {
    state = layer.forward(x.select(0, t), state) as Tensor | [Tensor, Tensor];
    outputs.push(...(Array.isArray(state) ? state : [state]));
  }
  return outputs.reduce((total, output) => total.add(output.sum()), outputs[0]!.sum().mul(0));
};

const cases: [KernelName, string, () => Module, (layer: Module, x: Tensor) => Tensor, number[]][] = [
  ['lstmCellBackward', 'LSTM (2 layers, bidirectional)', () => new LSTM(3, 4, { numLayers: 2, bidirectional: true }), sequence, [5, 2, 3]],
  ['lstmCellBackward', 'LSTM (projSize, batch first)', () => new LSTM(3, 5, { projSize: 2, batchFirst: true }), sequence, [2, 4, 3]],
  ['lstmCellBackward', 'LSTMCell', () => new LSTMCell(3, 4), cellLoop, [4, 2, 3]],
  ['gruCellBackward', 'GRU (2 layers, bidirectional)', () => new GRU(3, 4, { numLayers: 2, bidirectional: true }), sequence, [5, 2, 3]],
  ['gruCellBackward', 'GRUCell (no bias)', () => new GRUCell(3, 4, { bias: false }), cellLoop, [4, 2, 3]],
  ['rnnCellBackward', 'RNN (tanh, bidirectional)', () => new RNN(3, 4, { bidirectional: true }), sequence, [5, 2, 3]],
  ['rnnCellBackward', 'RNN (relu, 2 layers)', () => new RNN(3, 4, { nonlinearity: 'relu', numLayers: 2 }), sequence, [5, 2, 3]],
  ['rnnCellBackward', 'RNNCell (relu)', () => new RNNCell(3, 4, { nonlinearity: 'relu' }), cellLoop, [4, 2, 3]],
];

describe('the defaults of the recurrent cells’ fused backward kernels, composed of forward ops', () => {
  for (const [kernel, label, makeLayer, run, shape] of cases) {
    it(`${label} trains to the same numbers with ${kernel} unregistered`, () => {
      const fused = train(makeLayer, run, shape, 'float64');
      const composite = onCompositeDefault(kernel, () => train(makeLayer, run, shape, 'float64'));
      expect(composite.length).toBe(fused.length);
      expect(maxRelativeDifference(fused, composite)).toBeLessThanOrEqual(1e-12);
      const fused32 = train(makeLayer, run, shape, 'float32');
      expect(maxRelativeDifference(fused32, onCompositeDefault(kernel, () => train(makeLayer, run, shape, 'float32')))).toBeLessThanOrEqual(1e-5);
    });
  }

  it('an LSTM trains with all three cell backward kernels unregistered at once', () => {
    const makeLayer = (): Module => new LSTM(3, 4, { numLayers: 2 });
    const fused = train(makeLayer, sequence, [4, 3, 3], 'float64');
    const names: KernelName[] = ['lstmCellBackward', 'gruCellBackward', 'rnnCellBackward'];
    const composite = withoutKernel(names, 'cpu', () => train(makeLayer, sequence, [4, 3, 3], 'float64'));
    expect(maxRelativeDifference(fused, composite)).toBeLessThanOrEqual(1e-12);
  });
});
