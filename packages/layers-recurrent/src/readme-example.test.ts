/** The README's example, with its commented results asserted (keep the two in step). */
import '@strata/autograd';
import { manualSeed, randn, zeros } from '@strata/tensor';
import { expect, it } from 'vitest';
import { GRU, LSTM, LSTMCell } from './index.js';

it("runs the README's example", () => {
  manualSeed(0);
  const lstm = new LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true });
  expect(lstm.toString()).toBe('LSTM(10, 20, num_layers=2, batch_first=True, bidirectional=True)');
  const x = randn([3, 5, 10]);
  const [output, [hN, cN]] = lstm.forward(x);
  expect([output.shape, hN.shape, cN.shape]).toEqual([[3, 5, 40], [4, 3, 20], [4, 3, 20]]);
  output.sum().backward();
  expect(lstm.getParameter('weight_hh_l1_reverse').grad?.shape).toEqual([80, 20]);

  const gru = new GRU(10, 20);
  const [out, h] = gru.forward(randn([5, 3, 10]), zeros([1, 3, 20]));
  expect([out.shape, h.shape]).toEqual([[5, 3, 20], [1, 3, 20]]);

  const cell = new LSTMCell(10, 20);
  const [h1, c1] = cell.forward(randn([3, 10]));
  expect(cell.forward(randn([3, 10]), [h1, c1])[0].shape).toEqual([3, 20]);
});
