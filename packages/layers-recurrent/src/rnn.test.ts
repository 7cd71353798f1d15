/**
 * `RNN`, `LSTM`, `GRU` and the cells: construction (parameter names, shapes,
 * initialization, printouts), shapes of every input layout, dropout between
 * layers, option validation and bad input with PyTorch-style messages that
 * leave the module unchanged. Numbers against PyTorch are in parity.test.ts.
 */
import { grad } from '@strata/autograd';
import { manualSeed, randn, zeros } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from './index.js';

describe('parameters', () => {
  it("have PyTorch's names, order and shapes (stacked, bidirectional, projected LSTM)", () => {
    const lstm = new LSTM(10, 20, { numLayers: 2, bidirectional: true, projSize: 5 });
    const shapes = Object.fromEntries(Object.entries(lstm.stateDict()).map(([key, value]) => [key, value.shape]));
    expect(shapes).toEqual({
      weight_ih_l0: [80, 10], weight_hh_l0: [80, 5], bias_ih_l0: [80], bias_hh_l0: [80], weight_hr_l0: [5, 20],
      weight_ih_l0_reverse: [80, 10], weight_hh_l0_reverse: [80, 5], bias_ih_l0_reverse: [80], bias_hh_l0_reverse: [80], weight_hr_l0_reverse: [5, 20],
      weight_ih_l1: [80, 10], weight_hh_l1: [80, 5], bias_ih_l1: [80], bias_hh_l1: [80], weight_hr_l1: [5, 20],
      weight_ih_l1_reverse: [80, 10], weight_hh_l1_reverse: [80, 5], bias_ih_l1_reverse: [80], bias_hh_l1_reverse: [80], weight_hr_l1_reverse: [5, 20],
    });
    expect(Object.keys(new GRU(3, 4, { bias: false }).stateDict())).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(new GRU(3, 4).getParameter('weight_ih_l0').shape).toEqual([12, 3]);
    expect(Object.keys(new LSTMCell(3, 4).stateDict())).toEqual(['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
  });

  it('start from U(−1/√hiddenSize, 1/√hiddenSize), drawn from the seeded generator', () => {
    manualSeed(0);
    const a = new LSTM(8, 16);
    manualSeed(0);
    const b = new LSTM(8, 16);
    for (const [key, value] of Object.entries(a.stateDict())) {
      expect(value.abs().max().item(), key).toBeLessThanOrEqual(0.25);
      expect(value.abs().max().item(), key).toBeGreaterThan(0.2);
      expect(value.tolist()).toEqual(b.stateDict()[key]!.tolist());
    }
  });

  it("print like PyTorch's repr", () => {
    expect(new LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true }).toString()).toBe(
      'LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)',
    );
    expect(new RNN(3, 4, { nonlinearity: 'relu', bias: false, dropout: 0.25, numLayers: 2 }).toString()).toBe('RNN(3, 4, num_layers=2, bias=False, dropout=0.25)');
    expect(new RNNCell(3, 4, { nonlinearity: 'relu' }).toString()).toBe('RNNCell(3, 4, nonlinearity=relu)');
    expect(new GRUCell(3, 4, { bias: false }).toString()).toBe('GRUCell(3, 4, bias=False)');
  });
});

describe('shapes', () => {
  it('runs the API examples', () => {
    const lstm = new LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true });
    const [output, [hN, cN]] = lstm.forward(randn([3, 5, 10]));
    expect([output.shape, hN.shape, cN.shape]).toEqual([[3, 5, 40], [4, 3, 20], [4, 3, 20]]);
    const [out, h] = new GRU(10, 20).forward(randn([5, 3, 10]), randn([1, 3, 20]));
    expect([out.shape, h.shape]).toEqual([[5, 3, 20], [1, 3, 20]]);
    const [h1, c1] = new LSTMCell(10, 20).forward(randn([3, 10]), [zeros([3, 20]), zeros([3, 20])]);
    expect([h1.shape, c1.shape]).toEqual([[3, 20], [3, 20]]);
  });

  it('take unbatched inputs and states, batch first or not', () => {
    const [output, hN] = new RNN(4, 6, { numLayers: 3 }).forward(randn([7, 4]), zeros([3, 6]));
    expect([output.shape, hN.shape]).toEqual([[7, 6], [3, 6]]);
    const [first] = new GRU(4, 6, { batchFirst: true, bidirectional: true }).forward(randn([7, 4]));
    expect(first.shape).toEqual([7, 12]);
    const [projected, [h, c]] = new LSTM(4, 6, { projSize: 2 }).forward(randn([7, 4]));
    expect([projected.shape, h.shape, c.shape]).toEqual([[7, 2], [1, 2], [1, 6]]);
    expect(new GRUCell(4, 6).forward(randn([4])).shape).toEqual([6]);
  });

  it('the last output step of a one-way layer is its final state', () => {
    const [output, hN] = new GRU(3, 5, { batchFirst: true }).forward(randn([2, 4, 3]));
    expect(output.select(1, 3).tolist()).toEqual(hN.select(0, 0).tolist());
  });
});

describe('outputs of their own', () => {
  it('an in-place change of an LSTM output leaves the gradients right, as in PyTorch', () => {
    manualSeed(3);
    const lstm = new LSTM(3, 4);
    const x = randn([5, 2, 3], { requiresGrad: true });
    // The input's gradient reads the saved gates, the recurrent weight's the saved states before each step.
    const inputs = [x, lstm.getParameter('weight_hh_l0')];
    const reference = grad([lstm.forward(x)[0].sum()], inputs);
    const [output] = lstm.forward(x);
    output.mul_(2);
    const doubled = grad([output.sum()], inputs);
    doubled.forEach((gradient, i) => expect(gradient!.sub(reference[i]!.mul(2)).abs().max().item()).toBeLessThan(1e-6));
  });

  it('a batch-first LSTM returns its output contiguous, batch first', () => {
    const [output] = new LSTM(3, 4, { batchFirst: true }).forward(randn([2, 5, 3]));
    expect([output.shape, output.isContiguous()]).toEqual([[2, 5, 4], true]);
  });
});

describe('dropout between layers', () => {
  it('zeros about p of the first layer\'s outputs in training, none in evaluation, and never the last layer\'s', () => {
    manualSeed(3);
    const rnn = new RNN(4, 200, { numLayers: 2, dropout: 0.5 });
    const x = randn([3, 2, 4]);
    const [train1] = rnn.forward(x);
    const [train2] = rnn.forward(x);
    expect(train1.tolist()).not.toEqual(train2.tolist());
    rnn.eval();
    const [eval1] = rnn.forward(x);
    const [eval2] = rnn.forward(x);
    expect(eval1.tolist()).toEqual(eval2.tolist());
    const single = new RNN(4, 8, { dropout: 0.5 });
    expect(single.forward(x)[0].tolist()).toEqual(single.forward(x)[0].tolist());
  });
});

describe('bad options', () => {
  it('name the layer, the argument, what was expected and what came', () => {
    expect(() => new LSTM(0, 4)).toThrow('LSTM: inputSize must be a positive integer, got 0');
    expect(() => new GRU(3, 2.5)).toThrow('GRU: hiddenSize must be a positive integer, got 2.5');
    expect(() => new RNN(3, 4, { numLayers: 0 })).toThrow('RNN: numLayers must be a positive integer, got 0');
    expect(() => new LSTM(3, 4, { dropout: 1.5 })).toThrow(
      'LSTM: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got 1.5',
    );
    expect(() => new LSTM(3, 4, { projSize: 4 })).toThrow('LSTM: projSize has to be smaller than hiddenSize (4), got 4');
    expect(() => new LSTM(3, 4, { projSize: -1 })).toThrow('LSTM: projSize must be a non-negative integer, got -1');
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' })).toThrow("RNN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'");
    expect(() => new GRU(3, 4, { projSize: 2 } as never)).toThrow("GRU: unknown option 'projSize' (expected numLayers, bias, batchFirst, dropout, bidirectional)");
    expect(() => new LSTM(3, 4, { batch_first: true } as never)).toThrow("LSTM: unknown option 'batch_first'");
    expect(() => new GRU(3, 4, { bidirectional: 1 as unknown as boolean })).toThrow('GRU: bidirectional must be a boolean, got 1');
    expect(() => new LSTMCell(3, 4, { nonlinearity: 'relu' } as never)).toThrow("LSTMCell: unknown option 'nonlinearity' (expected bias)");
  });
});

describe('bad input', () => {
  it('throws before computing anything: the module is left unchanged', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    const before = lstm.stateDict();
    const x = randn([5, 2, 3]);
    const cases: [() => unknown, string][] = [
      [() => lstm.forward(randn([5, 2, 6])), 'LSTM: input.size(-1) must be equal to inputSize. Expected 3, got 6'],
      [() => lstm.forward(randn([5, 2, 2, 3])), 'LSTM: expected input to be 2-D or 3-D but received 4-D tensor'],
      [() => lstm.forward(randn([5, 2, 3], { dtype: 'float64' })), "LSTM: expected input of dtype float32 (the parameters' dtype), got float64"],
      [() => lstm.forward(x, [zeros([1, 2, 4]), zeros([2, 2, 4])]), 'LSTM: expected hidden[0] size [2, 2, 4], got [1, 2, 4]'],
      [() => lstm.forward(x, [zeros([2, 2, 4]), zeros([2, 3, 4])]), 'LSTM: expected hidden[1] size [2, 2, 4], got [2, 3, 4]'],
      [() => lstm.forward(x, [zeros([2, 4]), zeros([2, 4])]), 'LSTM: for batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors'],
      [() => lstm.forward(x, zeros([2, 2, 4]) as never), 'LSTM: expected hx to be a pair [h0, c0] of tensors, got object'],
      [() => lstm.forward(randn([0, 2, 3])), 'LSTM: expected a sequence of at least one step, got input shape [0, 2, 3]'],
    ];
    for (const [run, message] of cases) expect(run).toThrow(message);
    for (const [key, value] of Object.entries(lstm.stateDict())) expect(value.tolist()).toEqual(before[key]!.tolist());
    expect(lstm.parameters().every((parameter) => parameter.grad === null)).toBe(true);
  });

  it('catches batchFirst confusion through the state shape', () => {
    const gru = new GRU(3, 4, { batchFirst: true });
    expect(() => gru.forward(randn([5, 2, 3]), zeros([1, 2, 4]))).toThrow('GRU: expected hidden size [1, 5, 4], got [1, 2, 4]');
    expect(() => new RNN(3, 4).forward(randn([5, 3]), zeros([1, 1, 4]))).toThrow(
      'RNN: for unbatched 2-D input, hx should also be 2-D but got 3-D tensor',
    );
  });

  it('checks the cells too', () => {
    const cell = new GRUCell(3, 4);
    expect(() => cell.forward(randn([2, 5]))).toThrow('GRUCell: input.size(-1) must be equal to inputSize. Expected 3, got 5');
    expect(() => cell.forward(randn([2, 3]), zeros([3, 4]))).toThrow('GRUCell: expected hx size [2, 4], got [3, 4]');
    expect(() => new RNNCell(3, 4).forward(randn([1, 2, 3]))).toThrow('RNNCell: expected input to be 1-D or 2-D but received 3-D tensor');
    expect(() => new LSTMCell(3, 4).forward(randn([3]), [zeros([1, 4]), zeros([1, 4])])).toThrow(
      'LSTMCell: for unbatched 1-D input, hx and cx should also be 1-D but got (2-D, 2-D) tensors',
    );
  });
});

describe('second derivatives', () => {
  it('are refused with a clear message rather than computed wrong', () => {
    const rnn = new RNN(2, 3);
    const x = randn([2, 1, 2], { requiresGrad: true });
    const [output] = rnn.forward(x);
    expect(() => grad([output.sum()], [x], null, { createGraph: true })).toThrow('rnn backward: second derivatives (createGraph) of the recurrent layers are not available');
  });
});
