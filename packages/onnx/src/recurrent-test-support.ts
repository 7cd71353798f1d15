/**
 * Test support: the recurrent layer cases shared by the ONNX Runtime test
 * and the PyTorch test. Not exported by the package.
 */
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from '@strata/layers-recurrent';
import { Module } from '@strata/module';
import { type Tensor, randn } from '@strata/tensor';
import { randomizeWeights } from './layer-test-support.js';

/**
 * An LSTM (or LSTM cell) called with its initial states as separate
 * arguments: `forward(x, h0, c0)` passes them on as the `[h0, c0]` pair
 * `forward` takes (an exported graph's inputs are a flat list of tensors).
 */
export class LSTMWithStates extends Module {
  constructor(readonly lstm: LSTM | LSTMCell) {
    super();
  }

  forward(x: Tensor, h0: Tensor, c0: Tensor): unknown {
    return this.lstm.forward(x, [h0, c0]);
  }
}

/** A labelled cell and its inputs: the input step, then the states (`h`, or `h` and `c`) when given. */
export type CellCase = [label: string, build: () => RNNCell | LSTMCell | GRUCell, input: () => Tensor[]];

/** Every cell with its options, batched and unbatched, with and without states. */
export const cellCases: CellCase[] = [
  ['RNNCell relu, h', () => new RNNCell(4, 5, { nonlinearity: 'relu' }), () => [randn([3, 4]), randn([3, 5])]],
  ['RNNCell no bias', () => new RNNCell(4, 5, { bias: false }), () => [randn([3, 4])]],
  ['RNNCell unbatched, h', () => new RNNCell(4, 5), () => [randn([4]), randn([5])]],
  ['LSTMCell, h and c', () => new LSTMCell(4, 5), () => [randn([3, 4]), randn([3, 5]), randn([3, 5])]],
  ['LSTMCell unbatched, no bias', () => new LSTMCell(4, 5, { bias: false }), () => [randn([4])]],
  ['GRUCell, h', () => new GRUCell(4, 5), () => [randn([3, 4]), randn([3, 5])]],
  ['GRUCell no bias', () => new GRUCell(4, 5, { bias: false }), () => [randn([3, 4])]],
  ['GRUCell unbatched', () => new GRUCell(4, 5), () => [randn([4])]],
];

/** A cell case's cell with random N(0, 0.25) weights, the model to export (an LSTM cell with states wrapped), and its inputs. */
export function prepareCellCase([, build, input]: CellCase): { cell: RNNCell | LSTMCell | GRUCell; model: Module; inputs: Tensor[] } {
  const cell = build();
  randomizeWeights(cell);
  const inputs = input();
  return { cell, model: cell instanceof LSTMCell && inputs.length === 3 ? new LSTMWithStates(cell) : cell, inputs };
}

/** A labelled recurrent layer, its input shape, and whether the initial states are passed. */
export interface RecurrentCase {
  readonly label: string;
  readonly build: () => RNN | LSTM | GRU;
  /** The shape of the input sequence. */
  readonly input: readonly number[];
  /** Whether `forward` gets initial states (random), else they default to zeros. */
  readonly withStates: boolean;
}

/** Every recurrent case: each layer with its options, batched and unbatched, with and without initial states. */
export const recurrentCases: RecurrentCase[] = [
  { label: 'RNN tanh', build: () => new RNN(4, 5), input: [6, 3, 4], withStates: false },
  { label: 'RNN relu, 2 layers, h0', build: () => new RNN(4, 5, { nonlinearity: 'relu', numLayers: 2 }), input: [6, 3, 4], withStates: true },
  { label: 'RNN bidirectional, batchFirst, no bias', build: () => new RNN(4, 5, { bidirectional: true, batchFirst: true, bias: false }), input: [3, 6, 4], withStates: false },
  { label: 'RNN relu bidirectional, 3 layers, h0', build: () => new RNN(3, 4, { nonlinearity: 'relu', bidirectional: true, numLayers: 3 }), input: [5, 2, 3], withStates: true },
  { label: 'RNN unbatched, h0', build: () => new RNN(4, 5), input: [6, 4], withStates: true },
  { label: 'LSTM', build: () => new LSTM(4, 5), input: [6, 3, 4], withStates: false },
  { label: 'LSTM 2 layers, h0 and c0', build: () => new LSTM(4, 5, { numLayers: 2 }), input: [6, 3, 4], withStates: true },
  { label: 'LSTM bidirectional, batchFirst', build: () => new LSTM(4, 5, { bidirectional: true, batchFirst: true }), input: [3, 6, 4], withStates: false },
  { label: 'LSTM bidirectional, 2 layers, batchFirst, dropout, h0 and c0', build: () => new LSTM(3, 6, { bidirectional: true, numLayers: 2, batchFirst: true, dropout: 0.3 }), input: [2, 5, 3], withStates: true },
  { label: 'LSTM no bias, unbatched', build: () => new LSTM(4, 5, { bias: false }), input: [7, 4], withStates: false },
  { label: 'LSTM unbatched, bidirectional, h0 and c0', build: () => new LSTM(4, 3, { bidirectional: true }), input: [5, 4], withStates: true },
  { label: 'GRU', build: () => new GRU(4, 5), input: [6, 3, 4], withStates: false },
  { label: 'GRU 2 layers, h0', build: () => new GRU(4, 5, { numLayers: 2 }), input: [6, 3, 4], withStates: true },
  { label: 'GRU bidirectional, batchFirst, h0', build: () => new GRU(4, 5, { bidirectional: true, batchFirst: true }), input: [3, 6, 4], withStates: true },
  { label: 'GRU bidirectional, 3 layers, no bias', build: () => new GRU(3, 4, { bidirectional: true, numLayers: 3, bias: false }), input: [5, 2, 3], withStates: false },
  { label: 'GRU unbatched', build: () => new GRU(4, 5), input: [6, 4], withStates: false },
];

/**
 * A case's layer with random N(0, 0.25) weights, as the model to export
 * (wrapped in {@link LSTMWithStates} for an LSTM with states), and its inputs.
 */
export function prepareRecurrentCase(recurrentCase: RecurrentCase): { layer: RNN | LSTM | GRU; model: Module; inputs: Tensor[] } {
  const layer = recurrentCase.build();
  randomizeWeights(layer);
  const x = randn([...recurrentCase.input]);
  if (!recurrentCase.withStates) return { layer, model: layer, inputs: [x] };
  const batched = recurrentCase.input.length === 3;
  const batch = layer.batchFirst ? recurrentCase.input[0]! : recurrentCase.input[1]!;
  const stateShape = [(layer.bidirectional ? 2 : 1) * layer.numLayers, ...(batched ? [batch] : []), layer.hiddenSize];
  const h0 = randn(stateShape);
  if (layer instanceof LSTM) return { layer, model: new LSTMWithStates(layer), inputs: [x, h0, randn(stateShape)] };
  return { layer, model: layer, inputs: [x, h0] };
}
