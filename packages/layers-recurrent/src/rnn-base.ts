/**
 * `RNNBase`, the base of `RNN`, `LSTM` and `GRU`, like PyTorch's
 * `nn.RNNBase`: it validates the options, creates the parameters under
 * PyTorch's names (`weight_ih_l0`, `weight_hh_l0_reverse`, `bias_ih_l1`,
 * `weight_hr_l0`, ...), initializes them, prints them, and runs the layers.
 *
 * Each layer and direction projects the whole input sequence with one
 * matrix product, then runs the recurrence op of recurrence.ts (one product
 * per step). Layers are stacked, directions concatenated, and dropout is
 * applied between layers in training mode.
 */
import { Module, Parameter, uniform_ } from '@strata/module';
import { MAX_TENSOR_ELEMENTS, ShapeError, type Tensor, cat, empty, formatShape, rand, stack, zeros } from '@strata/tensor';
import { checkInput, checkState, checkStateRanks, unpackStates } from './checks.js';
import { type LSTMOptions, type RNNOptions, type ResolvedRecurrentOptions, checkSize, resolveRecurrentOptions } from './options.js';
import { inputProjection } from './projection.js';
import { foldBiases, gruRecurrence, lstmRecurrence, rnnRecurrence } from './recurrence.js';

/** How many gate blocks each cell's weights stack. */
const GATES = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 } as const;

/** The parameters of one layer in one direction. */
interface LayerWeights {
  readonly weightIH: Parameter;
  readonly weightHH: Parameter;
  readonly biasIH: Parameter | null;
  readonly biasHH: Parameter | null;
  readonly weightHR: Parameter | null;
}

/** Python's spelling of a boolean, for printouts. */
function pythonBool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** Dropout between layers: zeros each element with probability p and scales the rest by 1 / (1 − p). */
function dropoutBetweenLayers(input: Tensor, p: number): Tensor {
  if (p === 1) return input.mul(0);
  const keep = rand(input.shape, { dtype: input.dtype }).ge(p).to(input.dtype);
  return input.mul(keep.mul(1 / (1 - p)));
}

/**
 * The base of `RNN`, `LSTM` and `GRU`: parameters, initialization,
 * printout, and the forward pass of the stacked, possibly bidirectional layers.
 */
export abstract class RNNBase extends Module {
  /** The number of features of each input step (PyTorch's `input_size`). */
  readonly inputSize: number;
  /** The number of features of the hidden state (PyTorch's `hidden_size`). */
  readonly hiddenSize: number;
  /** The number of stacked layers. */
  readonly numLayers: number;
  /** Whether the layers have the biases `bias_ih_l{k}` and `bias_hh_l{k}`. */
  readonly bias: boolean;
  /** Whether inputs and outputs are `[N, L, features]`. */
  readonly batchFirst: boolean;
  /** The dropout probability between layers (training mode only). */
  readonly dropout: number;
  /** Whether every layer also runs the sequence backwards. */
  readonly bidirectional: boolean;
  /** The size the LSTM projects its hidden state to, or 0 for none. */
  readonly projSize: number;
  /** The options as resolved at construction (with the cell `mode`). */
  protected readonly options: ResolvedRecurrentOptions;
  /** The class name messages use (`LSTM`), fixed so that minified builds keep it. */
  protected readonly layerName: string;

  protected constructor(
    layerName: 'RNN' | 'LSTM' | 'GRU', inputSize: number, hiddenSize: number, options: RNNOptions & LSTMOptions,
  ) {
    super();
    this.inputSize = checkSize(layerName, 'inputSize', inputSize);
    this.hiddenSize = checkSize(layerName, 'hiddenSize', hiddenSize);
    const resolved = resolveRecurrentOptions(layerName, layerName, hiddenSize, options);
    this.options = resolved;
    this.layerName = layerName;
    this.numLayers = resolved.numLayers;
    this.bias = resolved.bias;
    this.batchFirst = resolved.batchFirst;
    this.dropout = resolved.dropout;
    this.bidirectional = resolved.bidirectional;
    this.projSize = resolved.projSize;
    const gateSize = GATES[resolved.mode] * hiddenSize;
    const outputSize = this.projSize > 0 ? this.projSize : hiddenSize;
    const directions = this.bidirectional ? 2 : 1;
    // Checked before any allocation: a huge numLayers or size would otherwise run until memory ends.
    const perDirection = (layerInputSize: number): number =>
      gateSize * (layerInputSize + outputSize + (this.bias ? 2 : 0)) + this.projSize * hiddenSize;
    const total = directions * (perDirection(inputSize) + (this.numLayers - 1) * perDirection(outputSize * directions));
    if (total > MAX_TENSOR_ELEMENTS) {
      throw new RangeError(
        `${layerName}: ${this.numLayers} layer(s) of hiddenSize ${hiddenSize} on inputSize ${inputSize} would hold ${total} parameters, ` +
          `more than ${MAX_TENSOR_ELEMENTS}`,
      );
    }
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let direction = 0; direction < directions; direction++) {
        const suffix = `l${layer}${direction === 1 ? '_reverse' : ''}`;
        const layerInputSize = layer === 0 ? inputSize : outputSize * directions;
        this.registerParameter(`weight_ih_${suffix}`, new Parameter(empty([gateSize, layerInputSize])));
        this.registerParameter(`weight_hh_${suffix}`, new Parameter(empty([gateSize, outputSize])));
        if (this.bias) {
          this.registerParameter(`bias_ih_${suffix}`, new Parameter(empty([gateSize])));
          this.registerParameter(`bias_hh_${suffix}`, new Parameter(empty([gateSize])));
        }
        if (this.projSize > 0) this.registerParameter(`weight_hr_${suffix}`, new Parameter(empty([this.projSize, hiddenSize])));
      }
    }
    this.resetParameters();
  }

  /** PyTorch's initialization: every weight and bias from U(−1/√hiddenSize, 1/√hiddenSize). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const parameter of this.parameters()) uniform_(parameter, -bound, bound);
  }

  /** The parameters of layer `layer` in direction `direction` (1 = reverse). */
  private weights(layer: number, direction: number): LayerWeights {
    const suffix = `l${layer}${direction === 1 ? '_reverse' : ''}`;
    return {
      weightIH: this.getParameter(`weight_ih_${suffix}`),
      weightHH: this.getParameter(`weight_hh_${suffix}`),
      biasIH: this.bias ? this.getParameter(`bias_ih_${suffix}`) : null,
      biasHH: this.bias ? this.getParameter(`bias_hh_${suffix}`) : null,
      weightHR: this.projSize > 0 ? this.getParameter(`weight_hr_${suffix}`) : null,
    };
  }

  /**
   * Runs the layers over `input` from the initial states `hx` (zeros when
   * absent): returns the last layer's output at every step and the final
   * states of every layer and direction (`[hN]`, or `[hN, cN]` for an LSTM).
   * @throws ShapeError, DTypeError, TypeError for an input or a state that does not fit (nothing is computed then).
   */
  protected run(input: unknown, hx: unknown): [Tensor, Tensor[]] {
    const name = this.layerName;
    const isLSTM = this.options.mode === 'LSTM';
    const weightDType = this.getParameter('weight_ih_l0').dtype;
    const x0 = checkInput(name, input, [2, 3], this.inputSize, weightDType);
    const batched = x0.ndim === 3;
    const batchDim = this.batchFirst ? 0 : 1;
    // In the caller's layout: [N, L, F] batch first, else [L, N, F]; layers keep it, the recurrences see [L, N, ·] views.
    const x = batched ? x0 : x0.unsqueeze(batchDim);
    const [length, batch] = (this.batchFirst ? [x.shape[1], x.shape[0]] : x.shape) as [number, number];
    if (length === 0) throw new ShapeError(`${name}: expected a sequence of at least one step, got input shape ${formatShape(x0.shape)}`);
    const directions = this.bidirectional ? 2 : 1;
    const outputSize = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const stateCount = this.numLayers * directions;
    const given = unpackStates(name, hx, isLSTM);
    let states: Tensor[];
    if (given === null) {
      states = [zeros([stateCount, batch, outputSize], { dtype: weightDType })];
      if (isLSTM) states.push(zeros([stateCount, batch, this.hiddenSize], { dtype: weightDType }));
    } else {
      checkStateRanks(name, given, batched, x0.ndim);
      states = batched ? given : given.map((state) => state.unsqueeze(1));
      const labels = isLSTM ? ['hidden[0]', 'hidden[1]'] : ['hidden'];
      const sizes = [outputSize, this.hiddenSize];
      states.forEach((state, i) => checkState(name, labels[i]!, state, [stateCount, batch, sizes[i]!], weightDType));
    }
    const finalH: Tensor[] = [];
    const finalC: Tensor[] = [];
    let layerInput = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let direction = 0; direction < directions; direction++) {
        const index = layer * directions + direction;
        const weights = this.weights(layer, direction);
        const pass = { reverse: direction === 1, relu: this.options.mode === 'RNN_RELU' };
        // The input projection of the whole sequence: one matrix product over the rows in their stored order
        // (batch first, the recurrence reads the steps strided, and its gradient comes back in that order too).
        const [outer, inner, features] = layerInput.shape as [number, number, number];
        const projected = inputProjection(layerInput.reshape([outer * inner, features]), weights.weightIH);
        const [biasIH, biasHH] = foldBiases(this.options.mode, weights.biasIH, weights.biasHH);
        let xw = (biasIH === null ? projected : projected.add(biasIH)).reshape([outer, inner, projected.shape[1]!]);
        if (this.batchFirst) xw = xw.transpose(0, 1);
        const h0 = states[0]!.select(0, index);
        if (isLSTM) {
          const c0 = states[1]!.select(0, index);
          const [output, hN, cN] = lstmRecurrence(xw, h0, c0, weights.weightHH, biasHH, weights.weightHR, pass);
          outputs.push(this.batchFirst ? output.transpose(0, 1) : output);
          finalH.push(hN);
          finalC.push(cN);
        } else {
          const recurrence = this.options.mode === 'GRU' ? gruRecurrence : rnnRecurrence;
          const [output, hN] = recurrence(xw, h0, weights.weightHH, biasHH, pass);
          outputs.push(this.batchFirst ? output.transpose(0, 1) : output);
          finalH.push(hN);
        }
      }
      layerInput = directions === 1 ? outputs[0]! : cat(outputs, 2);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) layerInput = dropoutBetweenLayers(layerInput, this.dropout);
    }
    let output = layerInput;
    if (!batched) output = output.squeeze(batchDim);
    const finals = [stack(finalH, 0), ...(isLSTM ? [stack(finalC, 0)] : [])].map((state) => (batched ? state : state.squeeze(1)));
    return [output, finals];
  }

  override extraRepr(): string {
    const parts = [`${this.inputSize}, ${this.hiddenSize}`];
    if (this.projSize !== 0) parts.push(`proj_size=${this.projSize}`);
    if (this.numLayers !== 1) parts.push(`num_layers=${this.numLayers}`);
    if (!this.bias) parts.push('bias=False');
    if (this.batchFirst) parts.push(`batch_first=${pythonBool(this.batchFirst)}`);
    // Python prints the float PyTorch stores: 1 as 1.0.
    if (this.dropout !== 0) parts.push(`dropout=${Number.isInteger(this.dropout) ? this.dropout.toFixed(1) : this.dropout}`);
    if (this.bidirectional) parts.push(`bidirectional=${pythonBool(this.bidirectional)}`);
    return parts.join(', ');
  }
}
