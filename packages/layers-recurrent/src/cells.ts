/**
 * The single-step cells `RNNCell`, `LSTMCell` and `GRUCell`, like PyTorch's
 * `nn.RNNCell`, `nn.LSTMCell` and `nn.GRUCell`: the same parameters
 * (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`), gate order and
 * initialization as one layer of `RNN`, `LSTM`, `GRU`, for a loop the caller
 * writes. A step is the recurrence op of a sequence of length one.
 */
import { Module, Parameter, uniform_ } from '@strata/module';
import { type Tensor, empty, matmul, zeros } from '@strata/tensor';
import { checkInput, checkState, checkStateRanks, unpackStates } from './checks.js';
import { type RNNCellOptions, type ResolvedCellOptions, checkSize, resolveCellOptions } from './options.js';
import { foldBiases, gruRecurrence, lstmRecurrence, rnnRecurrence } from './recurrence.js';

const GATES = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 } as const;

/**
 * The base of the cells: parameters, initialization, printout, and one step.
 */
export abstract class RNNCellBase extends Module {
  /** The number of features of the input (PyTorch's `input_size`). */
  readonly inputSize: number;
  /** The number of features of the hidden state (PyTorch's `hidden_size`). */
  readonly hiddenSize: number;
  /** Whether the cell has the biases `bias_ih` and `bias_hh`. */
  readonly bias: boolean;
  /** The learnable input weights `[G · hiddenSize, inputSize]` (G = 1, 4 or 3 gate blocks). */
  weight_ih: Parameter;
  /** The learnable recurrent weights `[G · hiddenSize, hiddenSize]`. */
  weight_hh: Parameter;
  /** The learnable input bias `[G · hiddenSize]`, or `null`. */
  bias_ih!: Parameter | null;
  /** The learnable recurrent bias `[G · hiddenSize]`, or `null`. */
  bias_hh!: Parameter | null;
  /** The options as resolved at construction (with the cell `mode`). */
  protected readonly options: ResolvedCellOptions;
  /** The class name messages use, fixed so that minified builds keep it. */
  protected readonly layerName: string;

  protected constructor(layerName: 'RNNCell' | 'LSTMCell' | 'GRUCell', inputSize: number, hiddenSize: number, options: RNNCellOptions) {
    super();
    this.inputSize = checkSize(layerName, 'inputSize', inputSize);
    this.hiddenSize = checkSize(layerName, 'hiddenSize', hiddenSize);
    const family = layerName === 'RNNCell' ? 'RNN' : layerName === 'LSTMCell' ? 'LSTM' : 'GRU';
    this.options = resolveCellOptions(layerName, family, options);
    this.layerName = layerName;
    this.bias = this.options.bias;
    const gateSize = GATES[this.options.mode] * hiddenSize;
    this.weight_ih = new Parameter(empty([gateSize, inputSize]));
    this.weight_hh = new Parameter(empty([gateSize, hiddenSize]));
    if (this.bias) {
      this.bias_ih = new Parameter(empty([gateSize]));
      this.bias_hh = new Parameter(empty([gateSize]));
    } else {
      this.registerParameter('bias_ih', null);
      this.registerParameter('bias_hh', null);
    }
    this.resetParameters();
  }

  /** PyTorch's initialization: every weight and bias from U(−1/√hiddenSize, 1/√hiddenSize). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const parameter of this.parameters()) uniform_(parameter, -bound, bound);
  }

  /**
   * One step from `input` and the states `hx` (zeros when absent): the new
   * states (`[h]`, or `[h, c]` for an LSTM cell).
   * @throws ShapeError, DTypeError, TypeError for an input or a state that does not fit (nothing is computed then).
   */
  protected step(input: unknown, hx: unknown): Tensor[] {
    const name = this.layerName;
    const isLSTM = this.options.mode === 'LSTM';
    const x0 = checkInput(name, input, [1, 2], this.inputSize, this.weight_ih.dtype);
    const batched = x0.ndim === 2;
    const x = batched ? x0 : x0.unsqueeze(0);
    const batch = x.shape[0]!;
    const given = unpackStates(name, hx, isLSTM);
    let states: Tensor[];
    if (given === null) {
      states = (isLSTM ? [0, 1] : [0]).map(() => zeros([batch, this.hiddenSize], { dtype: x.dtype }));
    } else {
      checkStateRanks(name, given, batched, x0.ndim);
      states = batched ? given : given.map((state) => state.unsqueeze(0));
      const labels = isLSTM ? ['hx[0]', 'hx[1]'] : ['hx'];
      states.forEach((state, i) => checkState(name, labels[i]!, state, [batch, this.hiddenSize], x.dtype));
    }
    const [biasIH, biasHH] = foldBiases(this.options.mode, this.bias_ih, this.bias_hh);
    let xw = matmul(x, this.weight_ih.t());
    if (biasIH !== null) xw = xw.add(biasIH);
    xw = xw.unsqueeze(0);
    const pass = { reverse: false, relu: this.options.mode === 'RNN_RELU' };
    let next: Tensor[];
    if (isLSTM) {
      const [, h, c] = lstmRecurrence(xw, states[0]!, states[1]!, this.weight_hh, biasHH, null, pass);
      next = [h, c];
    } else {
      const recurrence = this.options.mode === 'GRU' ? gruRecurrence : rnnRecurrence;
      next = [recurrence(xw, states[0]!, this.weight_hh, biasHH, pass)[1]];
    }
    return batched ? next : next.map((state) => state.squeeze(0));
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (!this.bias) parts.push('bias=False');
    if (this.options.mode === 'RNN_RELU') parts.push('nonlinearity=relu');
    return parts.join(', ');
  }
}

/**
 * An Elman RNN cell, like `torch.nn.RNNCell`: `h' = tanh(x · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh)` (or relu).
 *
 * **Shape**: input `[N, inputSize]` or `[inputSize]`; `hx` `[N, hiddenSize]`
 * or `[hiddenSize]`, zeros when omitted; output like `hx`.
 *
 * **Attributes**: `weight_ih` `[hiddenSize, inputSize]`, `weight_hh`
 * `[hiddenSize, hiddenSize]`, `bias_ih`, `bias_hh` `[hiddenSize]`, all from
 * U(−1/√hiddenSize, 1/√hiddenSize).
 *
 * @example
 * ```ts
 * const cell = new RNNCell(10, 20);
 * let h = zeros([3, 20]);
 * for (let t = 0; t < 6; t++) h = cell.forward(randn([3, 10]), h);
 * h.shape; // [3, 20]
 * ```
 */
export class RNNCell extends RNNCellBase {
  /** The activation of the cell: `'tanh'` or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';

  /** @throws RangeError for a size that is not a positive integer or an invalid option. */
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super('RNNCell', inputSize, hiddenSize, options);
    this.nonlinearity = this.options.mode === 'RNN_RELU' ? 'relu' : 'tanh';
  }

  /**
   * One step: the new hidden state.
   * @throws ShapeError, DTypeError, TypeError for an input or `hx` that does not fit; the module is left unchanged.
   */
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return this.step(input, hx)[0]!;
  }
}

/**
 * A long short-term memory cell, like `torch.nn.LSTMCell` (gates i, f, g, o as in {@link LSTM}).
 *
 * **Shape**: input `[N, inputSize]` or `[inputSize]`; `h`, `c` `[N, hiddenSize]`
 * or `[hiddenSize]`, zeros when omitted.
 *
 * **Attributes**: `weight_ih` `[4 · hiddenSize, inputSize]`, `weight_hh`
 * `[4 · hiddenSize, hiddenSize]`, `bias_ih`, `bias_hh` `[4 · hiddenSize]`, all
 * from U(−1/√hiddenSize, 1/√hiddenSize).
 *
 * @example
 * ```ts
 * const cell = new LSTMCell(10, 20);
 * const [h1, c1] = cell.forward(randn([3, 10]));
 * cell.forward(randn([3, 10]), [h1, c1])[0].shape; // [3, 20]
 * ```
 */
export class LSTMCell extends RNNCellBase {
  /** @throws RangeError for a size that is not a positive integer or an invalid option. */
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('LSTMCell', inputSize, hiddenSize, options);
  }

  /**
   * One step: the new `[h, c]`.
   * @throws ShapeError, DTypeError, TypeError for an input or states that do not fit; the module is left unchanged.
   */
  forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const [h, c] = this.step(input, hx);
    return [h!, c!];
  }
}

/**
 * A gated recurrent unit cell, like `torch.nn.GRUCell` (gates r, z, n as in {@link GRU}).
 *
 * **Shape**: as {@link RNNCell}.
 *
 * **Attributes**: `weight_ih` `[3 · hiddenSize, inputSize]`, `weight_hh`
 * `[3 · hiddenSize, hiddenSize]`, `bias_ih`, `bias_hh` `[3 · hiddenSize]`, all
 * from U(−1/√hiddenSize, 1/√hiddenSize).
 *
 * @example
 * ```ts
 * const cell = new GRUCell(10, 20);
 * cell.forward(randn([3, 10]), zeros([3, 20])).shape; // [3, 20]
 * ```
 */
export class GRUCell extends RNNCellBase {
  /** @throws RangeError for a size that is not a positive integer or an invalid option. */
  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super('GRUCell', inputSize, hiddenSize, options);
  }

  /**
   * One step: the new hidden state.
   * @throws ShapeError, DTypeError, TypeError for an input or `hx` that does not fit; the module is left unchanged.
   */
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return this.step(input, hx)[0]!;
  }
}
