/**
 * The recurrent layers for Strata: `RNN`, `LSTM` and `GRU` (stacked,
 * bidirectional, batch-first, with dropout between layers and, for the
 * LSTM, projections) and the cells `RNNCell`, `LSTMCell`, `GRUCell`, with
 * PyTorch's gate order, weight layout, initialization and state-dict keys.
 *
 * @packageDocumentation
 */
// ---- options (options.ts) ----
export {
  type CellOptions,
  type GRUOptions,
  type LSTMOptions,
  type RNNCellOptions,
  type RNNNonlinearity,
  type RNNOptions,
  type RecurrentMode,
  type ResolvedCellOptions,
  type ResolvedRecurrentOptions,
  resolveCellOptions,
  resolveRecurrentOptions,
} from './options.js';
// ---- layers (rnn-base.ts, rnn.ts) and cells (cells.ts) ----
export { RNNBase } from './rnn-base.js';
export { GRU, LSTM, RNN } from './rnn.js';
export { GRUCell, LSTMCell, RNNCell, RNNCellBase } from './cells.js';
// ---- the recurrence ops and their kernels' results (recurrence.ts, kernels/cells.ts), for backends ----
export { type RecurrencePass, gruRecurrence, lstmRecurrence, rnnRecurrence } from './recurrence.js';
export type { GRUCellGradients, GRUCellStep, LSTMCellGradients, LSTMCellStep } from './kernels/cells.js';
