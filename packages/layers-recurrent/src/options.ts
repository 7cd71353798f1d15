/**
 * The options of the recurrent layers and cells, PyTorch's keyword
 * arguments in camelCase, each with its default; `resolveRecurrentOptions`
 * and `resolveCellOptions` validate and freeze them. Messages name the
 * layer, the argument, what was expected and what came.
 */
import { checkOptionNames, describeOption } from '@strata/module';

/** The cell a recurrent layer repeats: PyTorch's `mode`. */
export type RecurrentMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** The nonlinearity of an Elman RNN. */
export type RNNNonlinearity = 'tanh' | 'relu';

/** Options of `GRU` (and the base of the others). */
export interface GRUOptions {
  /**
   * The number of stacked layers; each one after the first reads the
   * previous one's output.
   * @defaultValue `1`
   */
  numLayers?: number;
  /**
   * Whether each layer has the biases `bias_ih` and `bias_hh`.
   * @defaultValue `true`
   */
  bias?: boolean;
  /**
   * Whether inputs and outputs are `[N, L, features]` instead of
   * `[L, N, features]` (the states stay `[layers · directions, N, H]`).
   * @defaultValue `false`
   */
  batchFirst?: boolean;
  /**
   * The probability of zeroing an element of each layer's output but the
   * last one's, in training mode.
   * @defaultValue `0`
   */
  dropout?: number;
  /**
   * Whether each layer also runs the sequence backwards and concatenates the
   * two outputs (keys with the `_reverse` suffix).
   * @defaultValue `false`
   */
  bidirectional?: boolean;
}

/** Options of `RNN`. */
export interface RNNOptions extends GRUOptions {
  /**
   * The activation of the Elman cell.
   * @defaultValue `'tanh'`
   */
  nonlinearity?: RNNNonlinearity;
}

/** Options of `LSTM`. */
export interface LSTMOptions extends GRUOptions {
  /**
   * With a positive value, the hidden state is projected to this size by
   * `weight_hr_l{k}` (LSTM with projections); must be smaller than `hiddenSize`.
   * @defaultValue `0` (no projection)
   */
  projSize?: number;
}

/** The options of a recurrent layer, checked and spelled out. */
export interface ResolvedRecurrentOptions {
  /** The cell: `'RNN_TANH'`, `'RNN_RELU'`, `'LSTM'` or `'GRU'`. */
  readonly mode: RecurrentMode;
  /** The number of stacked layers (≥ 1). */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether inputs and outputs put the batch first. */
  readonly batchFirst: boolean;
  /** The dropout probability between layers, in [0, 1]. */
  readonly dropout: number;
  /** Whether the layers run both ways. */
  readonly bidirectional: boolean;
  /** The size of the projected hidden state, or 0 for none (LSTM only). */
  readonly projSize: number;
}

/** Options of `RNNCell`, `LSTMCell` and `GRUCell`. */
export interface CellOptions {
  /**
   * Whether the cell has the biases `bias_ih` and `bias_hh`.
   * @defaultValue `true`
   */
  bias?: boolean;
}

/** Options of `RNNCell`. */
export interface RNNCellOptions extends CellOptions {
  /**
   * The activation of the cell.
   * @defaultValue `'tanh'`
   */
  nonlinearity?: RNNNonlinearity;
}

/** The options of a cell, checked and spelled out. */
export interface ResolvedCellOptions {
  /** The cell: `'RNN_TANH'`, `'RNN_RELU'`, `'LSTM'` or `'GRU'`. */
  readonly mode: RecurrentMode;
  /** Whether the cell has biases. */
  readonly bias: boolean;
}

/**
 * Checks a size argument.
 * @throws RangeError `LSTM: hiddenSize must be a positive integer, got 0`
 */
export function checkSize(name: string, argument: string, value: unknown, minimum: 0 | 1 = 1): number {
  if (!Number.isInteger(value) || (value as number) < minimum) {
    throw new RangeError(`${name}: ${argument} must be a ${minimum === 1 ? 'positive' : 'non-negative'} integer, got ${describeOption(value)}`);
  }
  return value as number;
}

function checkBoolean(name: string, argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new RangeError(`${name}: ${argument} must be a boolean, got ${describeOption(value)}`);
  return value;
}

function resolveMode(name: string, family: 'RNN' | 'LSTM' | 'GRU', nonlinearity: unknown): RecurrentMode {
  if (family !== 'RNN') return family;
  if (nonlinearity === 'tanh') return 'RNN_TANH';
  if (nonlinearity === 'relu') return 'RNN_RELU';
  throw new RangeError(`${name}: nonlinearity must be 'tanh' or 'relu', got ${describeOption(nonlinearity)}`);
}

const LAYER_OPTION_NAMES = ['numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'];

/**
 * Checks and freezes the options of `RNN`, `LSTM` or `GRU` with hidden size `hiddenSize`.
 * @throws TypeError when `options` is not an object.
 * @throws RangeError for an unknown option or a value out of range, e.g.
 * `LSTM: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got 1.5`
 * or `LSTM: projSize has to be smaller than hiddenSize (20), got 20`.
 */
export function resolveRecurrentOptions(
  name: string, family: 'RNN' | 'LSTM' | 'GRU', hiddenSize: number, options: RNNOptions & LSTMOptions = {},
): ResolvedRecurrentOptions {
  const known = [...LAYER_OPTION_NAMES, ...(family === 'RNN' ? ['nonlinearity'] : []), ...(family === 'LSTM' ? ['projSize'] : [])];
  checkOptionNames(name, options, known);
  const mode = resolveMode(name, family, options.nonlinearity ?? 'tanh');
  const numLayers = checkSize(name, 'numLayers', options.numLayers ?? 1);
  const dropout = options.dropout ?? 0;
  if (typeof dropout !== 'number' || Number.isNaN(dropout) || dropout < 0 || dropout > 1) {
    throw new RangeError(
      `${name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${describeOption(dropout)}`,
    );
  }
  const projSize = checkSize(name, 'projSize', options.projSize ?? 0, 0);
  if (projSize >= hiddenSize && projSize > 0) {
    throw new RangeError(`${name}: projSize has to be smaller than hiddenSize (${hiddenSize}), got ${projSize}`);
  }
  return Object.freeze({
    mode,
    numLayers,
    bias: checkBoolean(name, 'bias', options.bias ?? true),
    batchFirst: checkBoolean(name, 'batchFirst', options.batchFirst ?? false),
    dropout,
    bidirectional: checkBoolean(name, 'bidirectional', options.bidirectional ?? false),
    projSize,
  });
}

/**
 * Checks and freezes the options of `RNNCell`, `LSTMCell` or `GRUCell`.
 * @throws TypeError when `options` is not an object.
 * @throws RangeError for an unknown option, a non-boolean `bias` or an unknown nonlinearity.
 */
export function resolveCellOptions(name: string, family: 'RNN' | 'LSTM' | 'GRU', options: RNNCellOptions = {}): ResolvedCellOptions {
  checkOptionNames(name, options, family === 'RNN' ? ['bias', 'nonlinearity'] : ['bias']);
  return Object.freeze({
    mode: resolveMode(name, family, options.nonlinearity ?? 'tanh'),
    bias: checkBoolean(name, 'bias', options.bias ?? true),
  });
}
