/**
 * The recurrent layers `RNN`, `LSTM` and `GRU`, like PyTorch's `nn.RNN`,
 * `nn.LSTM` and `nn.GRU`: the same arguments (options in camelCase), gate
 * order, weight layout, initialization and state-dict keys, so a PyTorch
 * checkpoint loads unchanged.
 */
import type { Tensor } from '@strata/tensor';
import type { GRUOptions, LSTMOptions, RNNNonlinearity, RNNOptions } from './options.js';
import { RNNBase } from './rnn-base.js';

/**
 * A multi-layer Elman RNN, like `torch.nn.RNN`: for each step t,
 * `h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)` (or relu).
 *
 * **Shape**: input `[L, N, inputSize]` (`[N, L, inputSize]` with
 * `batchFirst`) or unbatched `[L, inputSize]`; `h0` `[D · numLayers, N,
 * hiddenSize]` (or `[D · numLayers, hiddenSize]` unbatched), zeros when
 * omitted; output `[L, N, D · hiddenSize]` and `hN` like `h0`, with D = 2
 * when `bidirectional`, else 1.
 *
 * **Attributes**: `weight_ih_l{k}` `[hiddenSize, inputSize]` for k = 0,
 * else `[hiddenSize, D · hiddenSize]`; `weight_hh_l{k}` `[hiddenSize,
 * hiddenSize]`; `bias_ih_l{k}`, `bias_hh_l{k}` `[hiddenSize]`; the reverse
 * direction's with the suffix `_reverse`. All from U(−1/√hiddenSize, 1/√hiddenSize).
 *
 * @example
 * ```ts
 * const rnn = new RNN(10, 20, { numLayers: 2 });
 * const [output, hN] = rnn.forward(randn([5, 3, 10]), randn([2, 3, 20]));
 * output.shape; // [5, 3, 20]
 * hN.shape;     // [2, 3, 20]
 * ```
 */
export class RNN extends RNNBase {
  /** The activation of the cell: `'tanh'` or `'relu'` (PyTorch's printout leaves it out). */
  readonly nonlinearity: RNNNonlinearity;

  /** @throws RangeError for a size that is not a positive integer or an invalid option. */
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super('RNN', inputSize, hiddenSize, options);
    this.nonlinearity = this.options.mode === 'RNN_RELU' ? 'relu' : 'tanh';
  }

  /**
   * Runs the layers over the sequence: `[output, hN]`.
   * @throws ShapeError, DTypeError, TypeError for an input or `h0` that does not fit; the module is left unchanged.
   */
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [output, [hN]] = this.run(input, h0);
    return [output, hN!];
  }
}

/**
 * A multi-layer long short-term memory, like `torch.nn.LSTM`: for each step t,
 * with gates in PyTorch's order (input, forget, cell, output),
 * `i, f, g, o = σ, σ, tanh, σ of (x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)`,
 * `c_t = f ⊙ c_{t−1} + i ⊙ g`, `h_t = o ⊙ tanh(c_t)`, then `h_t = h_t · W_hrᵀ` with `projSize`.
 *
 * **Shape**: input as {@link RNN}; `h0` `[D · numLayers, N, P]` and `c0`
 * `[D · numLayers, N, hiddenSize]` (P = `projSize` or `hiddenSize`; no batch
 * dimension for an unbatched input), zeros when omitted; output
 * `[L, N, D · P]`; `hN`, `cN` like `h0`, `c0`.
 *
 * **Attributes**: `weight_ih_l{k}` `[4 · hiddenSize, inputSize]` for k = 0,
 * else `[4 · hiddenSize, D · P]`; `weight_hh_l{k}` `[4 · hiddenSize, P]`;
 * `bias_ih_l{k}`, `bias_hh_l{k}` `[4 · hiddenSize]`; `weight_hr_l{k}`
 * `[P, hiddenSize]` with `projSize`; `_reverse` for the reverse direction.
 * All from U(−1/√hiddenSize, 1/√hiddenSize).
 *
 * @example
 * ```ts
 * const lstm = new LSTM(10, 20, { numLayers: 2, batchFirst: true, bidirectional: true });
 * const [output, [hN, cN]] = lstm.forward(randn([3, 5, 10]));
 * output.shape; // [3, 5, 40]
 * hN.shape;     // [4, 3, 20]
 * ```
 */
export class LSTM extends RNNBase {
  /** @throws RangeError for a size that is not a positive integer or an invalid option. */
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }

  /**
   * Runs the layers over the sequence: `[output, [hN, cN]]`.
   * @throws ShapeError, DTypeError, TypeError for an input or states that do not fit; the module is left unchanged.
   */
  forward(input: Tensor, hx: readonly [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const [output, [hN, cN]] = this.run(input, hx);
    return [output, [hN!, cN!]];
  }
}

/**
 * A multi-layer gated recurrent unit, like `torch.nn.GRU`: for each step t,
 * with gates in PyTorch's order (reset, update, new),
 * `r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)`, `z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)`,
 * `n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))`, `h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}`.
 *
 * **Shape**: as {@link RNN}.
 *
 * **Attributes**: `weight_ih_l{k}` `[3 · hiddenSize, inputSize]` for k = 0,
 * else `[3 · hiddenSize, D · hiddenSize]`; `weight_hh_l{k}`
 * `[3 · hiddenSize, hiddenSize]`; `bias_ih_l{k}`, `bias_hh_l{k}`
 * `[3 · hiddenSize]`; `_reverse` for the reverse direction. All from
 * U(−1/√hiddenSize, 1/√hiddenSize).
 *
 * @example
 * ```ts
 * const gru = new GRU(10, 20);
 * const [output, hN] = gru.forward(randn([5, 3, 10]), randn([1, 3, 20]));
 * output.shape; // [5, 3, 20]
 * ```
 */
export class GRU extends RNNBase {
  /** @throws RangeError for a size that is not a positive integer or an invalid option. */
  constructor(inputSize: number, hiddenSize: number, options: GRUOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }

  /**
   * Runs the layers over the sequence: `[output, hN]`.
   * @throws ShapeError, DTypeError, TypeError for an input or `h0` that does not fit; the module is left unchanged.
   */
  forward(input: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const [output, [hN]] = this.run(input, h0);
    return [output, hN!];
  }
}
